// The package's WebSocket against servers it shares no code with (ws, Python websockets), with
// and without permessage-deflate, and its WebSocketServer against clients (ws, Node 20's own
// WebSocket, raw sockets); frames a Connection writes with frameBinaryInto are read by ws. Chromium and Python websockets clients against the
// WebSocketServer run in tests/interop (node/chromium.mjs, py_ws_client.py: the echo server
// is built on it). Peers missing from this machine skip their tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Connection, WebSocket, WebSocketServer, acceptResponse, clientRequest, parseRequest } from "wsframe";
import { corpus } from "../../tests/interop/node/corpus.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const wsPath = `${root}tests/interop/node/node_modules/ws/wrapper.mjs`;
const python = `${root}.venv/bin/python`;
const ws = fs.existsSync(wsPath) ? await import(wsPath) : null;
const hasPython = fs.existsSync(python);
const bin = (name) => {
  const f = `${root}tests/interop/node/node_modules/.bin/${name}`;
  return fs.existsSync(f) ? f : null;
};
const RUNTIMES = { deno: bin("deno"), bun: bin("bun") };
const runtimeArgs = (name, script) => (name === "deno" ? ["run", "--no-prompt", "--allow-net=127.0.0.1", script] : [script]);
const runtimeEnv = { ...process.env, DENO_NO_UPDATE_CHECK: "1" };
const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), "wsframe-ws-interop-"));
process.on("exit", () => fs.rmSync(tmpdir, { recursive: true, force: true }));

/** Sends text, binary, a 1 MiB message and 100 in a row; checks the echoes; closes. */
async function exchange(url, options = {}) {
  const client = new WebSocket(url, ["chat"], options);
  client.binaryType = "arraybuffer";
  const got = [];
  client.onmessage = (e) => got.push(e.data);
  await once(client, "open");
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
  client.send("héllo 🦀");
  client.send(new Uint8Array([0, 1, 2, 255]));
  client.send(big);
  for (let i = 0; i < 100; i++) client.send(`#${i}`);
  while (got.length < 103) await new Promise((r) => setTimeout(r, 5));
  assert.equal(got[0], "héllo 🦀");
  assert.deepEqual([...new Uint8Array(got[1])], [0, 1, 2, 255]);
  assert.deepEqual(new Uint8Array(got[2]), big);
  assert.deepEqual(got.slice(3), Array.from({ length: 100 }, (_, i) => `#${i}`));
  const extensions = client.extensions;
  const protocol = client.protocol;
  client.close(1000, "done");
  const [ev] = await once(client, "close");
  assert.deepEqual([ev.code, ev.reason, ev.wasClean], [1000, "done", true]);
  return { extensions, protocol };
}

/** Runs a server that prints its port, then `exchange` with it (subprotocol "chat" expected). */
async function exchangeWithServer(cmd, args, env, deflate) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env });
  try {
    const [line] = await once(child.stdout, "data");
    const { extensions, protocol } = await exchange(`ws://127.0.0.1:${String(line).trim()}/`);
    assert.equal(protocol, "chat");
    assert.equal(extensions.startsWith("permessage-deflate"), deflate, extensions);
  } finally {
    child.kill();
  }
}

async function wsServer(perMessageDeflate) {
  const server = new ws.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate, handleProtocols: (p) => [...p][0] ?? false });
  await once(server, "listening");
  server.on("connection", (c) => c.on("message", (d, isBinary) => c.send(d, { binary: isBinary })));
  return { url: `ws://127.0.0.1:${server.address().port}/`, server, close: () => new Promise((r) => server.close(r)) };
}

for (const deflate of [false, true]) {
  test(`WebSocket -> ws server${deflate ? " (permessage-deflate)" : ""}`, { skip: !ws && "ws not installed" }, async () => {
    const srv = await wsServer(deflate);
    const { extensions, protocol } = await exchange(srv.url);
    assert.equal(protocol, "chat");
    assert.equal(extensions.startsWith("permessage-deflate"), deflate, extensions);
    await srv.close();
  });

  test(`WebSocket -> Python websockets server${deflate ? " (permessage-deflate)" : ""}`, { skip: !hasPython && "no .venv" }, async () => {
    const script = `
import asyncio, sys
from websockets.asyncio.server import serve
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with serve(echo, "127.0.0.1", 0, compression=${deflate ? '"deflate"' : "None"}, max_size=None,
                     subprotocols=["chat"]) as s:
        print(s.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
asyncio.run(main())`;
    await exchangeWithServer(python, ["-c", script], process.env, deflate);
  });
}

test("WebSocket <- ws server: 4 MiB in 64 fragments of 64 KiB with pings between arrives byte for byte (reads across large frames taken in pieces)", { skip: !ws && "ws not installed", timeout: 30_000 }, async () => {
  const parts = Array.from({ length: 64 }, (_, i) => new Uint8Array(64 * 1024).map((_, j) => (j * 31 + i) & 0xff));
  const server = new ws.WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await once(server, "listening");
  const pongs = [];
  server.on("connection", (c) => {
    c.on("pong", (p) => pongs.push(p.toString()));
    parts.forEach((part, i) => {
      c.send(part, { binary: true, fin: i === parts.length - 1 });
      if (i % 8 === 7) c.ping(`after ${i}`);
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${server.address().port}/`);
  client.binaryType = "arraybuffer";
  try {
    const closed = once(client, "close").then(([e]) => Promise.reject(new Error(`closed (${e.code}) before the message`)));
    const [event] = await Promise.race([once(client, "message"), closed]);
    const want = createHash("sha256");
    for (const part of parts) want.update(part);
    assert.equal(createHash("sha256").update(new Uint8Array(event.data)).digest("hex"), want.digest("hex"));
    client.close(1000);
    await closed.catch(() => {});
    assert.deepEqual(pongs, Array.from({ length: 8 }, (_, k) => `after ${8 * k + 7}`));
  } finally {
    for (const c of server.clients) c.terminate(); // a failed case leaves none open
    await new Promise((r) => server.close(r));
  }
});

const NATIVE_SERVERS = {
  deno: (deflate) => `
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req, { protocol: "chat" });
      socket.onmessage = (e) => socket.send(e.data);
      return response;
    });`,
  bun: (deflate) => `
    const server = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      fetch(req, srv) { return srv.upgrade(req, { headers: { "Sec-WebSocket-Protocol": "chat" } }) ? undefined : new Response("no", { status: 400 }); },
      websocket: { perMessageDeflate: ${deflate}, maxPayloadLength: 16 << 20, message(ws, m) { ws.send(m); } },
    });
    console.log(server.port);`,
};

for (const [name, make] of Object.entries(NATIVE_SERVERS)) {
  for (const deflate of name === "bun" ? [false, true] : [false]) {
    test(`WebSocket -> ${name}'s native server${deflate ? " (permessage-deflate)" : ""}`, { skip: !RUNTIMES[name] && `no ${name}` }, async () => {
      const script = `${tmpdir}/${name}-server-${deflate}.mjs`;
      fs.writeFileSync(script, make(deflate));
      await exchangeWithServer(RUNTIMES[name], runtimeArgs(name, script), runtimeEnv, deflate);
    });
  }
}

test("WebSocket: deflate: false offers nothing; a ws server closing with 1012 triggers a reconnect", { skip: !ws && "ws not installed" }, async () => {
  const srv = await wsServer(true);
  const { extensions } = await exchange(srv.url, { deflate: false });
  assert.equal(extensions, "");
  let n = 0;
  srv.server.on("connection", (c) => {
    if (n++ === 0) c.close(1012, "restart");
  });
  const client = new WebSocket(srv.url, [], { reconnect: { maxDelay: 100, firstWindow: 100 } });
  const order = [];
  for (const t of ["open", "close", "reconnect"]) client.addEventListener(t, (e) => order.push(`${t}${e.code ? ` ${e.code}` : ""}`));
  while (order.filter((t) => t === "open").length < 2) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, ["open", "close 1012", "reconnect", "open"]);
  client.close();
  await once(client, "close");
  await srv.close();
});

async function ourServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  const events = [];
  wss.on("connection", (c, req) => {
    events.push(["connection", req.url, c.protocol]);
    c.on("message", (d, isBinary) => {
      events.push(["message", isBinary]);
      c.send(d, { binary: isBinary });
    });
    c.on("ping", () => events.push(["ping"]));
    c.on("close", (code, reason) => events.push(["close", code, String(reason)]));
  });
  return { wss, events, port: wss.address().port, close: () => new Promise((r) => wss.close(r)) };
}

test("WebSocketServer <- ws client: events, ping, close code, deflate", { skip: !ws && "ws not installed" }, async () => {
  const srv = await ourServer({ perMessageDeflate: true });
  const c = new ws.WebSocket(`ws://127.0.0.1:${srv.port}/x?y`, ["p1", "p2"], { perMessageDeflate: true });
  await once(c, "open");
  assert.equal(c.protocol, "p1");
  assert.match(c.extensions, /permessage-deflate/);
  c.ping("hi");
  await once(c, "pong");
  c.send("text");
  const [d1, b1] = await once(c, "message");
  assert.deepEqual([String(d1), b1], ["text", false]);
  c.send(Buffer.from([9, 8, 7]));
  const [d2, b2] = await once(c, "message");
  assert.deepEqual([[...d2], b2], [[9, 8, 7], true]);
  c.close(4321, "bye");
  const [code, reason] = await once(c, "close");
  assert.deepEqual([code, String(reason)], [4321, "bye"]);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(srv.events, [
    ["connection", "/x?y", "p1"],
    ["ping"],
    ["message", false],
    ["message", true],
    ["close", 4321, "bye"],
  ]);
  await srv.close();
});

test("WebSocketServer send(), as ws's: a number as text, an array of numbers as its bytes, chunks joined; after close, counted and refused", { skip: !ws && "ws not installed" }, async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const afterClose = new Promise((resolve) => {
    wss.on("connection", (peer) => {
      peer.send(7);
      peer.send([1, 2, 255]);
      peer.send([Buffer.from("ab"), new Uint8Array([99])]);
      peer.close();
      peer.send("four", (err) => resolve([err?.message, peer.bufferedAmount >= 4]));
    });
  });
  const c = new ws.WebSocket(`ws://127.0.0.1:${wss.address().port}/`);
  const got = [];
  c.on("message", (d, isBinary) => got.push([isBinary, [...d]]));
  await once(c, "close");
  assert.deepEqual(got, [
    [false, [0x37]],
    [true, [1, 2, 255]],
    [true, [0x61, 0x62, 99]],
  ]);
  assert.deepEqual(await afterClose, ["WebSocket is not open: readyState 2", true]);
  await new Promise((r) => wss.close(r));
});

/** Random payloads around the by-reference threshold (16 KiB) and the 16/64-bit length forms, and a SHA-256. */
async function largePayloads() {
  const { createHash, randomBytes } = await import("node:crypto");
  const sizes = [16383, 16384, 65535, 65536, (1 << 20) + 1];
  return { sizes, payloads: sizes.map((n) => randomBytes(n)), hash: (b) => createHash("sha256").update(b).digest("hex") };
}

test("WebSocketServer -> ws client: large binary sends go by reference, in order with copied ones, byte for byte", { skip: !ws && "ws not installed" }, async () => {
  const { sizes, payloads, hash } = await largePayloads();
  const srv = await ourServer();
  srv.wss.on("connection", (c) => {
    // Outside a read: nothing batched, so the large ones are written by reference.
    let written = 0;
    for (const p of payloads) {
      c.send("before");
      c.send(p, () => written++);
    }
    c.send("end", () => c.send(`written ${written}`));
  });
  const client = new ws.WebSocket(`ws://127.0.0.1:${srv.port}/`);
  const got = [];
  client.on("message", (d, isBinary) => got.push(isBinary ? hash(d) : String(d)));
  while (!got.includes(`written ${sizes.length}`)) await new Promise((r) => setTimeout(r, 10));
  const expected = payloads.flatMap((p) => ["before", hash(p)]);
  assert.deepEqual(got, [...expected, "end", `written ${sizes.length}`]);
  client.close();
  await once(client, "close");
  await srv.close();
});

test("WebSocketServer -> ws client: answering a message, large binary sends still go by reference, in order, counted in bufferedAmount", { skip: !ws && "ws not installed" }, async () => {
  const { sizes, payloads, hash } = await largePayloads();
  const srv = await ourServer();
  const held = [];
  srv.wss.on("connection", (c) => {
    c.on("message", () => {
      // Inside a read: the answers go out together after it, the large ones by reference.
      let written = 0;
      for (const p of payloads) {
        const before = c.bufferedAmount;
        c.send("before");
        c.send(p, () => written++);
        held.push(c.bufferedAmount - before);
      }
      c.send("end", () => c.send(`written ${written}`));
    });
  });
  const client = new ws.WebSocket(`ws://127.0.0.1:${srv.port}/`);
  await once(client, "open");
  const got = [];
  client.on("message", (d, isBinary) => got.push(isBinary ? hash(d) : String(d)));
  client.send("go");
  while (!got.includes(`written ${sizes.length}`)) await new Promise((r) => setTimeout(r, 10));
  const expected = payloads.flatMap((p) => ["before", hash(p)]);
  // "go" first: ourServer's own echo, answered in the same read.
  assert.deepEqual(got, ["go", ...expected, "end", `written ${sizes.length}`]);
  // Each pair is held until the read is handled: "before" (8 bytes framed) and the message.
  assert.deepEqual(held, sizes.map((n) => 8 + n + (n < 65536 ? 4 : 10)));
  client.close();
  await once(client, "close");
  await srv.close();
});

test("Connection.frameBinaryInto over a raw socket -> ws client: every corpus message, headers from the caller's buffer and payloads by reference, byte for byte", { skip: !ws && "ws not installed", timeout: 60_000 }, async () => {
  const hash = (b) => createHash("sha256").update(b).digest("hex");
  const bytes = (m) => (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data);
  const payloads = [...corpus()].map(bytes);
  const server = net.createServer((socket) => {
    let input = Buffer.alloc(0);
    socket.on("data", function handshake(chunk) {
      input = Buffer.concat([input, chunk]);
      const req = parseRequest(input);
      if (req === null) return;
      socket.off("data", handshake);
      socket.on("data", () => {}); // the client's Pongs: not read here
      socket.write(acceptResponse(req));
      const conn = new Connection({ role: "server" });
      // One buffer for all the headers, never reused while the socket may still hold a view.
      const head = new Uint8Array(64 * 1024);
      let at = 0;
      payloads.forEach((data, i) => {
        if (i % 3 === 1) conn.ping("p"); // queued first: it goes out in front of the header
        const n = conn.frameBinaryInto(data, head, at);
        socket.cork();
        socket.write(head.subarray(at, at + n));
        socket.write(data);
        socket.uncork();
        at += n;
      });
      conn.sendText("end");
      conn.close(1000, "done");
      socket.end(conn.takeOutgoing());
      conn.free();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const client = new ws.WebSocket(`ws://127.0.0.1:${server.address().port}/`);
    const got = [];
    client.on("message", (d, isBinary) => got.push(isBinary ? hash(d) : String(d)));
    const [code] = await once(client, "close");
    assert.deepEqual(got, [...payloads.map(hash), "end"]);
    assert.equal(code, 1000);
  } finally {
    server.close();
  }
});

test("WebSocketServer: verifyClient, handleProtocols, noServer + handleUpgrade, send callback", { skip: !ws && "ws not installed" }, async () => {
  const wss = new WebSocketServer({
    noServer: true,
    verifyClient: ({ origin }, cb) => cb(origin === "https://good.example", 403),
    handleProtocols: (set) => (set.has("v2") ? "v2" : false),
  });
  const server = http.createServer();
  server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (c) => c.send("welcome", {}, (err) => c.send(`sent ${err ?? "ok"}`))));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `ws://127.0.0.1:${server.address().port}/`;
  const bad = new ws.WebSocket(url, { origin: "https://evil.example" });
  bad.on("error", () => {});
  const [, res] = await once(bad, "unexpected-response");
  assert.equal(res.statusCode, 403);
  bad.terminate();
  const good = new ws.WebSocket(url, ["v1", "v2"], { origin: "https://good.example" });
  const msgs = [];
  good.on("message", (d) => msgs.push(String(d)));
  await once(good, "open");
  assert.equal(good.protocol, "v2");
  while (msgs.length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(msgs, ["welcome", "sent ok"]);
  good.close();
  await once(good, "close");
  server.close();
});

test("WebSocketServer <- Node's own WebSocket (--experimental-websocket)", async () => {
  const srv = await ourServer();
  const script = `
    const ws = new WebSocket("ws://127.0.0.1:${srv.port}/", ["chat"]);
    ws.binaryType = "arraybuffer";
    const got = [];
    ws.onopen = () => { ws.send("one"); ws.send(new Uint8Array([1, 2, 3])); };
    ws.onmessage = (e) => { got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]); if (got.length === 2) ws.close(1000, "ok"); };
    ws.onclose = (e) => console.log(JSON.stringify({ got, protocol: ws.protocol, code: e.code, reason: e.reason, clean: e.wasClean }));`;
  const flags = process.versions.node.split(".")[0] < 22 ? ["--experimental-websocket"] : [];
  const child = spawn(process.execPath, [...flags, "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await once(child, "exit");
  assert.deepEqual(JSON.parse(out), { got: ["one", [1, 2, 3]], protocol: "chat", code: 1000, reason: "ok", clean: true });
  await srv.close();
});

const NATIVE_CLIENT = (port) => `
  const ws = new WebSocket("ws://127.0.0.1:${port}/", ["chat"]);
  ws.binaryType = "arraybuffer";
  const got = [];
  ws.onopen = () => { ws.send("one"); ws.send(new Uint8Array([1, 2, 3])); };
  ws.onmessage = (e) => { got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]); if (got.length === 2) ws.close(1000, "ok"); };
  ws.onclose = (e) => console.log(JSON.stringify({ got, protocol: ws.protocol, code: e.code, reason: e.reason, clean: e.wasClean }));`;

for (const name of Object.keys(RUNTIMES)) {
  for (const deflate of [false, true]) {
    test(`WebSocketServer <- ${name}'s own WebSocket${deflate ? " (server accepts permessage-deflate)" : ""}`, { skip: !RUNTIMES[name] && `no ${name}` }, async () => {
      const srv = await ourServer({ perMessageDeflate: deflate });
      const script = `${tmpdir}/${name}-client-${deflate}.mjs`;
      fs.writeFileSync(script, NATIVE_CLIENT(srv.port));
      const child = spawn(RUNTIMES[name], runtimeArgs(name, script), { stdio: ["ignore", "pipe", "inherit"], env: runtimeEnv });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      await once(child, "exit");
      assert.deepEqual(JSON.parse(out), { got: ["one", [1, 2, 3]], protocol: "chat", code: 1000, reason: "ok", clean: true });
      await srv.close();
    });
  }
}

test("WebSocketServer heartbeat: a client that never answers pings is terminated", async () => {
  const srv = await ourServer({ heartbeat: { interval: 100, timeout: 100 } });
  const { bytes } = clientRequest(`ws://127.0.0.1:${srv.port}/`);
  const sock = net.connect(srv.port, "127.0.0.1");
  sock.write(bytes);
  const pings = [];
  sock.on("data", (d) => pings.push(d));
  const t0 = performance.now();
  await once(sock, "close");
  const after = performance.now() - t0;
  assert.ok(after >= 190 && after < 1000, `terminated after ${after} ms`);
  assert.ok(pings.length >= 2, "a 101 and a ping");
  for (let i = 0; i < 50 && srv.events.at(-1)[0] !== "close"; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(srv.events.at(-1), ["close", 1006, ""]);
  await srv.close();
});

test("WebSocketServer backpressure: a client that stops reading raises bufferedAmount, then it drains", async () => {
  const srv = await ourServer();
  let server;
  srv.wss.on("connection", (c) => (server = c));
  const { bytes } = clientRequest(`ws://127.0.0.1:${srv.port}/`);
  const sock = net.connect(srv.port, "127.0.0.1");
  sock.write(bytes);
  await once(srv.wss, "connection");
  sock.pause();
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < 32; i++) server.send(chunk);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(server.bufferedAmount > 1 << 20, `bufferedAmount ${server.bufferedAmount}`);
  sock.resume();
  for (let i = 0; i < 200 && server.bufferedAmount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.bufferedAmount, 0);
  server.terminate();
  sock.destroy();
  await srv.close();
});

test("wss: certificate verification is on by default; SNI carries the host name", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wsframe-tls-"));
  const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
  const made = spawn("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=wsframe.test",
    "-addext", "subjectAltName=DNS:wsframe.test", "-keyout", key, "-out", cert], { stdio: "ignore" });
  const [status] = await once(made, "exit");
  assert.equal(status, 0, "openssl req");
  const https = await import("node:https");
  const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
  const names = [];
  server.on("secureConnection", (s) => names.push(s.servername));
  const wss = new WebSocketServer({ server });
  wss.on("connection", (c) => c.on("message", (d, b) => c.send(d, { binary: b })));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `wss://wsframe.test:${server.address().port}/`;
  // The name resolves to 127.0.0.1 for this test only.
  const lookup = (_host, o, cb) => (o?.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4));

  const refused = new WebSocket(url, [], { tls: { lookup } });
  const errors = [];
  refused.onerror = (e) => errors.push(e.message);
  const [e1] = await once(refused, "close");
  assert.deepEqual([e1.code, e1.wasClean], [1006, false]);
  assert.match(errors[0], /self[- ]signed|certificate/i);

  const trusted = new WebSocket(url, [], { tls: { lookup, ca: fs.readFileSync(cert) } });
  await once(trusted, "open");
  trusted.send("over tls");
  const [m] = await once(trusted, "message");
  assert.equal(m.data, "over tls");
  trusted.close();
  const [e2] = await once(trusted, "close");
  assert.equal(e2.wasClean, true);
  assert.ok(names.includes("wsframe.test"), `SNI: ${names}`);
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
