// Order of events and failure (issue 10, RFC 6455 §7.1.7): a server built on the package
// receives, in one read, a valid masked text message, then a frame that violates the
// protocol, then a Ping. The message before the violation is delivered and its echo goes
// out; then comes the failure and the Close with its code; nothing after the violation is
// read, so the Ping gets no Pong. The frames are built and the output decoded by the
// independent frame code of tests/interop/node/corpus.mjs. The same is checked through real
// sockets against examples/node/echo-server.mjs, and from the client side with the Node
// examples' client (examples/node/ws-client.mjs, which autobahn-client.mjs runs on).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import zlib from "node:zlib";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Connection, acceptResponse, parseRequest } from "wsframe";
import { connect } from "../../examples/node/ws-client.mjs";
import { decodeFrames, encodeFrame } from "../../tests/interop/node/corpus.mjs";

const utf8 = new TextEncoder();
const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** A client's frame (masked) and a server's (unmasked), built independently of wsframe. */
const masked = (opcode, payload) => encodeFrame({ opcode, payload: utf8.encode(payload), mask: MASK });
const unmasked = (opcode, payload) => encodeFrame({ opcode, payload: utf8.encode(payload) });

/** RSV2 set (RFC 6455 §5.2: no extension defines it). */
function withRsv2(frame) {
  frame[0] |= 0x20;
  return frame;
}

const VIOLATIONS = [
  ["RSV2 set", (frame) => withRsv2(frame(0x1, "x")), "RESERVED_BITS"],
  ["a reserved opcode (0x3)", (frame) => frame(0x3, ""), "RESERVED_OPCODE"],
  ["a continuation after a final frame", (frame) => frame(0x0, "x"), "UNEXPECTED_CONTINUATION"],
];

/** Text "Hello", the violation, a Ping "ping": one read. */
function oneRead(bad, frame = masked) {
  return new Uint8Array([...frame(0x1, "Hello"), ...bad(frame), ...frame(0x9, "ping")]);
}

/** An echo server's handling of one read: what it saw, what it wrote, how it failed. */
function serveOneRead(conn, bytes) {
  const seen = [];
  let failure = null;
  try {
    for (const ev of conn.receive(bytes)) {
      seen.push(ev.type);
      if (ev.type === "text") conn.sendText(ev.data);
      else if (ev.type === "binary") conn.sendBinary(ev.data);
    }
  } catch (err) {
    if (err?.name !== "ProtocolError") throw err;
    failure = err;
  }
  return { seen, failure, written: conn.takeOutgoing() };
}

/** A frame's payload as text, inflated by Node's zlib when RSV1 marks it compressed (RFC 7692 §7.2.2). */
function payloadText(f) {
  const bytes = f.rsv === 4 ? zlib.inflateRawSync(Buffer.concat([f.payload, Buffer.of(0, 0, 0xff, 0xff)]), { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : Buffer.from(f.payload);
  return bytes.toString("latin1");
}

function assertEchoThenClose(written, what) {
  const frames = decodeFrames(written).map((f) => [f.opcode, payloadText(f)]);
  assert.deepEqual(frames, [[0x1, "Hello"], [0x8, "\x03\xea"]], `${what}: the echo, then Close 1002, and no Pong`);
}

for (const [name, bad, code] of VIOLATIONS) {
  for (const messages of [true, false]) {
    for (const deflate of [false, true]) {
      test(`valid text, then ${name}, then a ping in one read: echo, then Close 1002, no pong (messages ${messages}, deflate ${deflate})`, () => {
        const conn = new Connection({ role: "server", messages, deflate });
        const { seen, failure, written } = serveOneRead(conn, oneRead(bad));
        assert.deepEqual(seen, ["text"], "the message before the violation is delivered, nothing after it");
        assert.equal(failure?.code, code);
        assert.equal(failure.closeCode, 1002);
        assertEchoThenClose(written, name);
        assert.equal(conn.state, "closed", "failed, and the Close is queued: close TCP");
        assert.throws(() => conn.sendText("late"), { name: "WsframeError", code: "CLOSED" });
        assert.deepEqual([...conn.receive(masked(0x9, "more"))], [], "input after the failure is discarded");
        assert.equal(conn.takeOutgoing().length, 0);
        conn.free();
      });
    }
  }
}

test("the same, one byte at a time: the echo still precedes the Close", () => {
  for (const [name, bad] of VIOLATIONS) {
    const conn = new Connection({ role: "server", messages: true });
    const bytes = oneRead(bad);
    let written = new Uint8Array(0);
    for (let i = 0; i < bytes.length; i++) {
      const r = serveOneRead(conn, bytes.subarray(i, i + 1));
      written = new Uint8Array([...written, ...r.written]);
    }
    assertEchoThenClose(written, name);
  }
});

test("without autoClose the application sends the Close after its echo", () => {
  const conn = new Connection({ role: "server", messages: true, autoClose: false });
  const { failure, written } = serveOneRead(conn, oneRead(VIOLATIONS[0][1]));
  assert.equal(conn.state, "failed");
  assert.deepEqual(decodeFrames(written).map((f) => f.opcode), [0x1]);
  conn.close(failure.closeCode);
  assertEchoThenClose(new Uint8Array([...written, ...conn.takeOutgoing()]), "manual close");
});

/** Starts examples/node/echo-server.mjs on a free port; resolves to { port, stop }. */
function startEchoServer() {
  const script = fileURLToPath(new URL("../../examples/node/echo-server.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
  });
}

/** Upgrades a raw socket, writes `bytes` in one write, returns every frame byte until the server closes. */
function rawSession(port, bytes) {
  return new Promise((resolve, reject) => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const sock = net.connect({ host: "127.0.0.1", port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("server did not close"));
    }, 10_000);
    sock.on("connect", () =>
      sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    let upgraded = false;
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        assert.match(buf.subarray(0, end).toString("latin1"), /^HTTP\/1\.1 101 /);
        buf = buf.subarray(end + 4);
        upgraded = true;
        sock.write(bytes);
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(new Uint8Array(buf));
    });
  });
}

test("examples/node/echo-server.mjs over TCP: the echo, then Close 1002, no pong, then the server closes", async () => {
  const server = await startEchoServer();
  try {
    for (const [name, bad] of VIOLATIONS) assertEchoThenClose(await rawSession(server.port, oneRead(bad)), name);
  } finally {
    server.stop();
  }
});

test("examples/node/echo-server.mjs over TCP: answers to one read, a large echo among them, go out in order", async () => {
  // A Ping, 64 KiB of random bytes (echoed by reference, at the size the server stops
  // copying), text, then a Close, in one write: the Pong, the two echoes and the Close come
  // back in that order, byte for byte (SHA-256 of the large one).
  const big = crypto.getRandomValues(new Uint8Array(64 * 1024));
  const bytes = [
    encodeFrame({ opcode: 0x9, payload: utf8.encode("p"), mask: MASK }),
    encodeFrame({ opcode: 0x2, payload: big, mask: MASK }),
    masked(0x1, "after"),
    encodeFrame({ opcode: 0x8, payload: Uint8Array.of(0x03, 0xe8), mask: MASK }),
  ];
  const sha = (b) => createHash("sha256").update(b).digest("hex");
  const server = await startEchoServer();
  try {
    const frames = decodeFrames(await rawSession(server.port, Buffer.concat(bytes)));
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.masked, f.opcode === 0x2 ? sha(f.payload) : payloadText(f)]),
      [[0xa, false, "p"], [0x2, false, sha(big)], [0x1, false, "after"], [0x8, false, "\x03\xe8"]],
    );
  } finally {
    server.stop();
  }
});

test("examples/node/ws-client.mjs as the client: its echo goes out, then Close 1002, no pong", async () => {
  for (const [name, bad] of VIOLATIONS) {
    let sent;
    const clientWrote = new Promise((resolve) => (sent = resolve));
    const accepted = [];
    const server = net.createServer((sock) => {
      accepted.push(sock);
      let buf = Buffer.alloc(0);
      let upgraded = false;
      sock.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        if (upgraded) return;
        const req = parseRequest(buf);
        if (req === null) return;
        sock.write(acceptResponse(req));
        sock.write(oneRead(bad, unmasked));
        upgraded = true;
        buf = buf.subarray(req.consumed);
      });
      // The client ends TCP after its Close: everything it wrote is in.
      sock.on("end", () => {
        sent(decodeFrames(buf));
        sock.end();
      });
      sock.on("error", () => {});
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    let ws;
    try {
      ws = await connect(`ws://127.0.0.1:${server.address().port}/`);
      // The Autobahn client's loop: echo every message until the end.
      for (let ev = await ws.next(); ev !== null; ev = await ws.next()) {
        if (ev.type === "text") ws.sendText(ev.data);
      }
      assert.equal(ws.error?.closeCode, 1002, name);
      const frames = (await clientWrote).map((f) => [f.opcode, f.masked, Buffer.from(f.payload).toString("latin1")]);
      assert.deepEqual(frames, [[0x1, true, "Hello"], [0x8, true, "\x03\xea"]], `${name}: the echo, then Close 1002, and no Pong`);
    } finally {
      // A failed case must not leave sockets that keep the test process alive.
      ws?.destroy();
      for (const sock of accepted) sock.destroy();
      server.close();
    }
  }
});
