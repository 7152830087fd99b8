// The WHATWG WebSocket (pkg/src/websocket.js over node:net) and the liveness pieces it runs
// on: readyState, exceptions, event order, close codes and wasClean, binaryType,
// bufferedAmount, heartbeat against a silent server, reconnect delays (injected clock and
// random source, and one real-time run). Servers: the package's WebSocketServer and raw
// node:net servers that misbehave on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { Backoff, CloseCode, Keepalive, WebSocket, WebSocketServer, acceptKey, encodeFrame, shouldReconnect } from "wsframe";

async function echoServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await once(wss, "listening");
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  return { wss, url: `ws://127.0.0.1:${wss.address().port}/`, close: () => new Promise((r) => wss.close(r)) };
}

/** A raw server: completes the handshake, then hands the socket to `then(socket)`. */
async function rawServer(then) {
  const server = net.createServer((socket) => {
    let head = Buffer.alloc(0);
    socket.on("data", function onData(chunk) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head.toString("latin1"))[1];
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
      then(socket);
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `ws://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

function events(ws, types = ["open", "message", "error", "close"]) {
  const log = [];
  for (const t of types) ws.addEventListener(t, (e) => log.push(e));
  return log;
}

test("close codes and the reconnect policy come from the core", () => {
  assert.equal(CloseCode.NORMAL, 1000);
  assert.equal(CloseCode.ABNORMAL_CLOSURE, 1006);
  assert.equal(CloseCode.SERVICE_RESTART, 1012);
  assert.ok(Object.isFrozen(CloseCode));
  for (const code of [1006, 1011, 1012, 1013]) assert.equal(shouldReconnect(code), true, `${code}`);
  for (const code of [1000, 1001, 1002, 1008, 4000, -1, 1.5]) assert.equal(shouldReconnect(code), false, `${code}`);
});

test("Keepalive and Backoff: the core's timers, clock and randomness from the caller", () => {
  const k = new Keepalive(1000, 500, 0);
  assert.equal(k.poll(999), "idle");
  assert.equal(k.nextDeadline, 1000);
  assert.equal(k.poll(1000), "ping");
  assert.equal(k.awaitingReply, true);
  assert.equal(k.poll(1499), "idle");
  assert.equal(k.poll(1500), "dead");
  k.onReceive(1600);
  assert.equal(k.poll(1600), "idle");
  k.free();

  const zeros = (bytes) => bytes.fill(0);
  const b = new Backoff(8000);
  // Attempt 1 in [0, 5000]; attempt n in [w/2, w], w = min(5000 * 2^(n-2), 8000).
  assert.deepEqual([0, 1, 2, 3, 4].map(() => b.nextDelay(zeros)), [0, 2500, 4000, 4000, 4000]);
  assert.equal(b.attempts, 5);
  b.reset();
  assert.equal(b.attempts, 0);
  for (let i = 0; i < 50; i++) assert.ok(b.nextDelay() <= (i === 0 ? 5000 : 8000)); // Web Crypto
  b.free();
});

test("readyState, event order and a clean close with the server's code", async () => {
  const srv = await echoServer();
  const ws = new WebSocket(srv.url, ["chat", "superchat"], { deflate: false });
  const log = events(ws);
  assert.equal(ws.readyState, WebSocket.CONNECTING);
  assert.equal(ws.url, srv.url);
  assert.equal(ws.binaryType, "blob");
  await once(ws, "open");
  assert.equal(ws.readyState, WebSocket.OPEN);
  assert.equal(ws.protocol, "chat", "the server picks the first offer");
  assert.equal(ws.extensions, "");
  ws.send("hello");
  const [msg] = await once(ws, "message");
  assert.equal(msg.data, "hello");
  ws.close(1000, "bye");
  assert.equal(ws.readyState, WebSocket.CLOSING);
  ws.close(); // a second close is a no-op
  const [ev] = await once(ws, "close");
  assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.deepEqual([ev.code, ev.reason, ev.wasClean], [1000, "bye", true]);
  assert.deepEqual(log.map((e) => e.type), ["open", "message", "close"]);
  await srv.close();
});

test("the WHATWG exceptions, as DOMException", async () => {
  assert.throws(() => new WebSocket("ftp://127.0.0.1/"), { name: "SyntaxError" });
  assert.throws(() => new WebSocket("ws://127.0.0.1/#x"), { name: "SyntaxError" });
  assert.throws(() => new WebSocket("ws://127.0.0.1/", ["a", "a"]), { name: "SyntaxError" });
  const srv = await echoServer();
  const ws = new WebSocket(srv.url);
  assert.throws(() => ws.send("too early"), (e) => e instanceof DOMException && e.name === "InvalidStateError");
  await once(ws, "open");
  // The code is converted as WebIDL's [Clamp] unsigned short first: 2999.4 is 2999, NaN and
  // null are 0, 66536 is 65535, "1000x" is NaN.
  for (const code of [999, 1001, 1005, 2999, 5000, 2999.4, NaN, null, -1, 66536, "1000x"]) {
    assert.throws(() => ws.close(code), (e) => e instanceof DOMException && e.name === "InvalidAccessError", `${code}`);
  }
  assert.throws(() => ws.close(1000, "é".repeat(62)), (e) => e instanceof DOMException && e.name === "SyntaxError");
  assert.equal(ws.readyState, WebSocket.OPEN, "a refused close changes nothing");
  assert.equal(Object.prototype.toString.call(ws), "[object WebSocket]");
  ws.close("3999.5", "x".repeat(123)); // "3999.5" is 4000: halves round to the even integer
  const [ev] = await once(ws, "close");
  assert.deepEqual([ev.code, ev.wasClean], [4000, true]);
  const before = ws.bufferedAmount;
  ws.send("after close"); // counted, not sent (WHATWG)
  assert.equal(ws.bufferedAmount, before + 11);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ws.bufferedAmount, before + 11, "never sent, so never taken off");
  await srv.close();
});

test("binaryType: Blob by default, ArrayBuffer on request; on* handlers; close() without a code", async () => {
  const srv = await echoServer();
  const ws = new WebSocket(srv.url);
  const seen = [];
  ws.onopen = () => ws.send(new Uint8Array([1, 2, 3]));
  ws.onmessage = async (e) => {
    seen.push(e.data);
    if (seen.length === 1) {
      ws.binaryType = "arraybuffer";
      ws.send(new Blob([new Uint8Array([4, 5])]));
    } else ws.close();
  };
  assert.equal(typeof ws.onopen, "function");
  const closed = await new Promise((r) => (ws.onclose = r));
  assert.deepEqual([closed.code, closed.wasClean], [1005, true], "close() sends no code; the echo has none");
  assert.ok(seen[0] instanceof Blob);
  assert.deepEqual([...new Uint8Array(await seen[0].arrayBuffer())], [1, 2, 3]);
  assert.ok(seen[1] instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(seen[1])], [4, 5]);
  await srv.close();
});

test("close codes: 1005 for a Close without a code, 1006 when TCP drops, error and 1006 for a violation", async () => {
  const noCode = await rawServer((s) => {
    s.write(Buffer.from([0x88, 0x00]));
    s.on("data", () => s.end());
  });
  const a = new WebSocket(noCode.url);
  const [ea] = await once(a, "close");
  assert.deepEqual([ea.code, ea.reason, ea.wasClean], [1005, "", true]);

  // TCP closing without a closing handshake is not a failure: no error event (WHATWG; as
  // Chromium does).
  const drop = await rawServer((s) => setTimeout(() => s.destroy(), 20));
  const b = new WebSocket(drop.url);
  const log = events(b);
  const [eb] = await once(b, "close");
  assert.deepEqual([eb.code, eb.wasClean], [1006, false]);
  assert.deepEqual(log.map((e) => e.type), ["open", "close"]);

  // A violation (a reserved opcode): the client sends the core's Close 1002, then reports 1006.
  let got = null;
  const bad = await rawServer((s) => {
    s.write(Buffer.from([0x83, 0x00]));
    s.on("data", (d) => (got ??= d));
  });
  const c = new WebSocket(bad.url);
  const [ec] = await once(c, "close");
  assert.deepEqual([ec.code, ec.wasClean], [1006, false]);
  for (let i = 0; i < 50 && got === null; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(got[0], 0x88, "a Close went out");
  assert.equal((got[2] ^ got[6]) * 256 + (got[3] ^ got[7]), 1002, "with the core's code (masked)");
  await Promise.all([noCode.close(), drop.close(), bad.close()]);
});

test("close() while connecting fails the connection: CLOSING at once, then error and close 1006, never open", async () => {
  const srv = await echoServer();
  // A server that takes the TCP connection and the request, and never answers it.
  let seen = 0;
  const mute = net.createServer((socket) => {
    seen++;
    socket.on("data", () => {});
    socket.on("error", () => {});
  });
  mute.listen(0, "127.0.0.1");
  await once(mute, "listening");
  const cases = [
    ["right after the constructor", srv.url, async () => {}],
    ["during the opening handshake", `ws://127.0.0.1:${mute.address().port}/`, async () => {
      for (let i = 0; i < 100 && seen === 0; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
    }],
  ];
  for (const [when, url, wait] of cases) {
    const ws = new WebSocket(url);
    const log = events(ws);
    await wait();
    assert.equal(ws.readyState, WebSocket.CONNECTING, when);
    ws.close();
    assert.equal(ws.readyState, WebSocket.CLOSING, `readyState right after close(), ${when}`);
    assert.deepEqual(log, [], `no event inside close(), ${when}`);
    const [ev] = await once(ws, "close");
    assert.deepEqual([ev.code, ev.wasClean, ws.readyState], [1006, false, WebSocket.CLOSED], when);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log.map((e) => e.type), ["error", "close"], `events, ${when}`);
  }
  const t = new WebSocket(srv.url);
  const log = events(t);
  t.terminate();
  await once(t, "close");
  assert.deepEqual(log.map((e) => e.type), ["error", "close"], "terminate() while connecting");
  mute.close();
  await srv.close();
});

test("a message that arrives after close() was called is not delivered (WHATWG: only while OPEN)", async () => {
  const srv = await echoServer();
  const ws = new WebSocket(srv.url);
  await once(ws, "open");
  const log = events(ws);
  ws.send("echoed after our close()"); // the echo can only arrive in a later task
  ws.close();
  const [ev] = await once(ws, "close");
  assert.deepEqual([ev.code, ev.wasClean], [1005, true]);
  assert.deepEqual(log.map((e) => e.type), ["close"]);
  await srv.close();
});

test("bufferedAmount right after send() counts the message even if the OS took it at once", async () => {
  const srv = await echoServer();
  const ws = new WebSocket(srv.url, [], { deflate: false });
  await once(ws, "open");
  ws.send("x".repeat(1000));
  assert.equal(ws.bufferedAmount, 1000, "in the task of the send");
  await Promise.resolve();
  assert.equal(ws.bufferedAmount, 1000, "after a microtask: still the same task");
  ws.send(new Uint8Array(24));
  assert.equal(ws.bufferedAmount, 1024);
  for (let i = 0; i < 50 && ws.bufferedAmount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ws.bufferedAmount, 0, "taken by a later task");
  ws.close();
  await once(ws, "close");
  await srv.close();
});

test("bufferedAmount counts sent bytes until the socket takes them, then drains to 0", async () => {
  let peer;
  const srv = await rawServer((s) => {
    peer = s;
    s.pause(); // read nothing for now
  });
  const ws = new WebSocket(srv.url, [], { deflate: false });
  await once(ws, "open");
  const big = new Uint8Array(8 << 20);
  ws.send(big);
  ws.send("tail");
  assert.equal(ws.bufferedAmount, big.length + 4, "nothing is taken synchronously");
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(ws.bufferedAmount > 0, "a peer that does not read leaves bytes buffered");
  peer.resume();
  peer.on("data", () => {});
  for (let i = 0; i < 100 && ws.bufferedAmount > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ws.bufferedAmount, 0);
  ws.terminate();
  peer.destroy();
  await srv.close();
});

test("heartbeat: a server that answers no ping is declared dead after interval + timeout", async () => {
  const srv = await rawServer((s) => s.on("data", () => {}));
  const t0 = performance.now();
  const ws = new WebSocket(srv.url, [], { heartbeat: { interval: 200, timeout: 150 } });
  const beats = [];
  ws.addEventListener("heartbeat", (e) => beats.push([e.action, performance.now() - t0]));
  await once(ws, "open");
  const opened = performance.now() - t0;
  const [ev] = await once(ws, "close");
  assert.deepEqual(beats.map((b) => b[0]), ["ping", "dead"]);
  assert.ok(beats[0][1] - opened >= 190 && beats[0][1] - opened < 500, `ping at ${beats[0][1] - opened}`);
  assert.ok(beats[1][1] - opened >= 340 && beats[1][1] - opened < 800, `dead at ${beats[1][1] - opened}`);
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  await srv.close();
});

test("heartbeat: an answering server is never declared dead", async () => {
  const srv = await echoServer();
  const ws = new WebSocket(srv.url, [], { heartbeat: { interval: 50, timeout: 50 } });
  const beats = [];
  ws.addEventListener("heartbeat", (e) => beats.push(e.action));
  await once(ws, "open");
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(beats.length >= 3 && beats.every((a) => a === "ping"), beats.join());
  assert.equal(ws.readyState, WebSocket.OPEN);
  ws.close();
  await once(ws, "close");
  await srv.close();
});

/** Timers under the test's control. */
function fakeTimers() {
  let now = 0;
  let pending = [];
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { fn, at: now + ms };
      pending.push(t);
      return t;
    },
    clearTimeout(t) {
      pending = pending.filter((p) => p !== t);
    },
    /** Moves the clock to the next timer and runs it. */
    next() {
      pending.sort((a, b) => a.at - b.at);
      const t = pending.shift();
      now = Math.max(now, t.at);
      t.fn();
    },
    get pending() {
      return pending.length;
    },
  };
}

test("reconnect: the core's back-off with an injected clock and random source", async () => {
  // A port with nothing listening: every attempt fails at once.
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const url = `ws://127.0.0.1:${probe.address().port}/`;
  await new Promise((r) => probe.close(r));

  const timers = fakeTimers();
  const zeros = (bytes) => bytes.fill(0);
  const ws = new WebSocket(url, [], { reconnect: { maxDelay: 20000, maxAttempts: 5 }, timers, random: zeros });
  const seen = [];
  ws.addEventListener("reconnect", (e) => seen.push([e.attempt, e.delay, ws.readyState]));
  const closes = [];
  ws.addEventListener("close", (e) => closes.push([e.code, e.wasClean, ws.readyState]));
  for (let i = 0; i < 6; i++) {
    while (closes.length <= i) await new Promise((r) => setTimeout(r, 5));
    if (i < 5) {
      assert.equal(ws.readyState, WebSocket.CONNECTING, "waiting to reconnect is CONNECTING");
      assert.throws(() => ws.send("x"), { name: "InvalidStateError" });
      while (timers.pending > 1) timers.next(); // any handshake timer first
      const before = timers.now();
      timers.next(); // the reconnect delay
      assert.equal(timers.now() - before, seen[i][1]);
    }
  }
  assert.deepEqual(seen.map(([a, d]) => [a, d]), [[1, 0], [2, 2500], [3, 5000], [4, 10000], [5, 10000]]);
  assert.equal(closes.length, 6);
  assert.ok(closes.every(([code, clean]) => code === 1006 && !clean));
  assert.equal(ws.readyState, WebSocket.CLOSED, "maxAttempts reached");
});

test("reconnect: a clean 1000 does not reconnect, 1012 does, shouldReconnect overrides", async () => {
  let code = 1000;
  const srv = await rawServer((s) => {
    s.write(encodeFrame({ opcode: "close", payload: Uint8Array.of(code >> 8, code & 0xff) }));
    s.on("data", () => s.end());
  });
  const a = new WebSocket(srv.url, [], { reconnect: true });
  const reconnects = [];
  a.addEventListener("reconnect", (e) => reconnects.push(e));
  const [ea] = await once(a, "close");
  assert.deepEqual([ea.code, ea.wasClean, a.readyState], [1000, true, WebSocket.CLOSED]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(reconnects.length, 0);

  code = 1012;
  const b = new WebSocket(srv.url, [], { reconnect: { maxDelay: 50 } });
  const [rb] = await once(b, "reconnect");
  assert.equal(rb.attempt, 1);
  assert.ok(rb.delay <= 50);
  b.close();
  assert.equal(b.readyState, WebSocket.CLOSED, "close() while waiting ends it");

  const c = new WebSocket(srv.url, [], { reconnect: { shouldReconnect: (e) => e.code === 1012 && false } });
  await once(c, "close");
  assert.equal(c.readyState, WebSocket.CLOSED);
  await srv.close();
});

test("reconnect in real time: the server dies, comes back on the same port, the client returns", async () => {
  const srv = await echoServer();
  const port = srv.wss.address().port;
  const ws = new WebSocket(srv.url, [], { reconnect: { maxDelay: 400, firstWindow: 300, base: 200 } });
  await once(ws, "open");
  const delays = [];
  ws.addEventListener("reconnect", (e) => delays.push([e.attempt, e.delay, performance.now()]));
  for (const c of srv.wss.clients) c.terminate();
  await srv.close();
  await once(ws, "close");
  await new Promise((r) => setTimeout(r, 700)); // down long enough for a failed attempt or two
  const again = new WebSocketServer({ port, host: "127.0.0.1" });
  again.on("connection", (c) => c.on("message", (d, b) => c.send(d, { binary: b })));
  await once(ws, "open");
  const reopened = performance.now();
  assert.ok(delays.length >= 2, `${delays.length} attempts`);
  delays.forEach(([attempt, delay], i) => {
    assert.equal(attempt, i + 1);
    const [lo, hi] = attempt === 1 ? [0, 300] : [Math.min(200 * 2 ** (attempt - 2), 400) / 2, Math.min(200 * 2 ** (attempt - 2), 400)];
    assert.ok(delay >= lo && delay <= hi, `attempt ${attempt}: ${delay} ms outside [${lo}, ${hi}]`);
  });
  const last = delays.at(-1);
  assert.ok(reopened - last[2] >= last[1] - 20, "waited the delay it announced");
  ws.send("back");
  const [m] = await once(ws, "message");
  assert.equal(m.data, "back");
  console.log(`  real-time delays: ${delays.map(([a, d]) => `attempt ${a} ${d} ms`).join(", ")}`);
  ws.close();
  await once(ws, "close");
  await new Promise((r) => again.close(r));
});
