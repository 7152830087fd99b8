#!/usr/bin/env node
// Interop: the `ws` package (pinned in package.json) as a client of an echo server
// (default: examples/node/echo-server.mjs). Sizes 0..16 MiB, fragmentation, ping, close
// codes, protocol errors with their close codes, handshake refusals, many connections,
// backpressure; data integrity (the corpus of corpus.mjs compared by SHA-256, U+FEFF in text).
// Last line: `N passed, N failed`.
//
//   node tests/interop/node/ws.mjs [--server-cmd "cmd --port {port}"] [--only NAME]
import net from "node:net";
import process from "node:process";
import WebSocket from "ws";
import {
  check, closeNormally, describe, echoOnce, fragmentCases, integrityCases, maskedFrame, parseArgs, pattern, queueMessages,
  runCases, startServer,
} from "./harness.mjs";

const MIB = 1 << 20;
const SIZES = [0, 125, 126, 65535, 65536, 16 * MIB];
const opts = parseArgs(process.argv.slice(2));
let URL_;

/** A ws client with a message queue. */
function open(path = "/") {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(URL_ + path, { perMessageDeflate: false, maxPayload: 64 * MIB });
    queueMessages(ws);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Raw TCP: writes `bytes`, returns everything the server sent until it closed (bounded). */
function rawExchange(bytes, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port: Number(new URL(URL_).port) });
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("server did not close the connection"));
    }, timeoutMs);
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", () => {}); // a reset after the response is fine
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Sends raw frame bytes after the handshake and expects a Close with `code`. */
async function expectFailure(rawFrame, code) {
  const ws = await open();
  ws._socket.write(rawFrame);
  const closed = await ws.closed;
  check(closed.code === code, `close code ${closed.code}, expected ${code}`);
}

const REQUEST = (lines) => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join("\r\n")}\r\n\r\n`);
const UPGRADE = ["Upgrade: websocket", "Connection: Upgrade"];

const cases = [];
for (const n of SIZES) {
  cases.push([`binary ${n} bytes`, async () => {
    const ws = await open();
    await echoOnce(ws, pattern(n));
    await closeNormally(ws);
  }]);
  cases.push([`text ${n} bytes`, async () => {
    const ws = await open();
    await echoOnce(ws, "é".repeat(Math.floor(n / 2)) + "x".repeat(n % 2));
    await closeNormally(ws);
  }]);
}
cases.push(
  ...integrityCases(open),
  ...fragmentCases(open, { size: 1000, textName: "fragmented text (3 fragments, RFC 6455 §5.4)" }),
  ["4 MiB binary in 64 fragments of 64 KiB, a ping after every 8th (RFC 6455 §5.4, §5.5.2)", async () => {
    // Large frames: the npm package's server takes reads across them in pieces, each
    // payload byte copied once (Session::input_room); the echo must come back whole.
    const ws = await open();
    const pongs = [];
    ws.on("pong", (p) => pongs.push(p.toString()));
    const parts = Array.from({ length: 64 }, (_, i) => pattern(64 * 1024, i + 3));
    parts.forEach((part, i) => {
      ws.send(part, { binary: true, fin: i === parts.length - 1 });
      if (i % 8 === 7) ws.ping(Buffer.from(`after ${i}`));
    });
    const m = await ws.next();
    check(m.isBinary && Buffer.compare(m.data, Buffer.concat(parts)) === 0, `got ${describe(m.data)}`);
    await closeNormally(ws);
    check(pongs.length === 8 && pongs.every((p, k) => p === `after ${8 * k + 7}`), `pongs ${JSON.stringify(pongs)}`);
  }],
  ["4 MiB binary in 64-byte fragments (65,536 fragments, DESIGN §5)", async () => {
    const ws = await open();
    const data = pattern(4 * MIB);
    for (let o = 0; o < data.length; o += 64) ws.send(data.subarray(o, o + 64), { binary: true, fin: o + 64 >= data.length });
    const m = await ws.next();
    check(m.isBinary && Buffer.compare(m.data, data) === 0, `got ${describe(m.data)}`);
    await closeNormally(ws);
  }],
  ["ping answered with the same payload (RFC 6455 §5.5.2)", async () => {
    const ws = await open();
    for (const payload of [Buffer.alloc(0), Buffer.from("hello"), pattern(125)]) {
      const pong = new Promise((r) => ws.once("pong", r));
      ws.ping(payload);
      const got = await pong;
      check(Buffer.compare(got, payload) === 0, `pong payload of ${payload.length} bytes differs`);
    }
    await closeNormally(ws);
  }],
);
for (const [code, reason] of [[1000, "bye"], [1001, ""], [3000, "app"], [4999, "x".repeat(123)]]) {
  cases.push([`close ${code} echoed (RFC 6455 §5.5.1)`, async () => {
    const ws = await open();
    await echoOnce(ws, "before close");
    ws.close(code, reason);
    const closed = await ws.closed;
    check(closed.code === code, `close code ${closed.code}, expected ${code}`);
    check(closed.reason === reason, `close reason ${JSON.stringify(closed.reason.slice(0, 20))}`);
  }]);
}
cases.push(
  ["close without a code: 1005 (RFC 6455 §7.1.5)", async () => {
    const ws = await open();
    ws.close();
    const closed = await ws.closed;
    check(closed.code === 1005, `close code ${closed.code}, expected 1005`);
  }],
  ["unmasked client frame fails with 1002 (RFC 6455 §5.1)", () => expectFailure(Buffer.from([0x81, 0x02, 0x68, 0x69]), 1002)],
  ["reserved opcode fails with 1002 (RFC 6455 §5.2)", () => expectFailure(maskedFrame(0x83, "x"), 1002)],
  ["RSV1 without an extension fails with 1002 (RFC 6455 §5.2)", () => expectFailure(maskedFrame(0xc1, "x"), 1002)],
  ["invalid UTF-8 text fails with 1007 (RFC 6455 §8.1)", () => expectFailure(maskedFrame(0x81, [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80]), 1007)],
  ["continuation without a message fails with 1002 (RFC 6455 §5.4)", () => expectFailure(maskedFrame(0x80, "x"), 1002)],
  ["ping over 125 bytes fails with 1002 (RFC 6455 §5.5)", () => {
    const key = [1, 2, 3, 4];
    return expectFailure(Buffer.from([0x89, 0x80 | 126, 0, 126, ...key, ...new Uint8Array(126)]), 1002);
  }],
  ["message over 16 MiB fails with 1009", () => {
    // Only the header: the server must refuse the declared length without waiting for data.
    const len = 16 * MIB + 1;
    return expectFailure(Buffer.from([0x82, 0xff, 0, 0, 0, 0, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 1, 2, 3, 4]), 1009);
  }],
  ["handshake without Sec-WebSocket-Key: 400", async () => {
    const res = (await rawExchange(REQUEST([...UPGRADE, "Sec-WebSocket-Version: 13"]))).toString("latin1");
    check(res.startsWith("HTTP/1.1 400 "), `response ${JSON.stringify(res.slice(0, 40))}`);
  }],
  ["handshake with version 8: 426 naming version 13 (RFC 6455 §4.4)", async () => {
    const res = (await rawExchange(REQUEST([...UPGRADE, "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]))).toString("latin1");
    check(res.startsWith("HTTP/1.1 426 "), `response ${JSON.stringify(res.slice(0, 40))}`);
    check(/\r\nSec-WebSocket-Version: 13\r\n/i.test(res), "no Sec-WebSocket-Version: 13");
  }],
  ["handshake over 8 KiB: refused (431)", async () => {
    const res = (await rawExchange(REQUEST([...UPGRADE, `X-Padding: ${"a".repeat(9000)}`]))).toString("latin1");
    check(/^HTTP\/1\.1 4\d\d /.test(res), `response ${JSON.stringify(res.slice(0, 40))}`);
  }],
  ["plain HTTP request (no Upgrade): 4xx", async () => {
    const res = (await rawExchange(REQUEST([]))).toString("latin1");
    check(/^HTTP\/1\.1 4\d\d /.test(res), `response ${JSON.stringify(res.slice(0, 40))}`);
  }],
  ["frames in the same packet as the handshake", async () => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const req = REQUEST([...UPGRADE, "Sec-WebSocket-Version: 13", `Sec-WebSocket-Key: ${key}`]);
    const out = await rawExchange(Buffer.concat([req, maskedFrame(0x81, "early"), maskedFrame(0x88, [0x03, 0xe8])]));
    const text = out.toString("latin1");
    check(text.startsWith("HTTP/1.1 101 "), "no 101");
    check(text.includes("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "wrong accept key");
    const frames = out.subarray(text.indexOf("\r\n\r\n") + 4);
    check(Buffer.compare(frames, Buffer.from([0x81, 5, ...Buffer.from("early"), 0x88, 2, 0x03, 0xe8])) === 0, `frames ${frames.toString("hex")}`);
  }],
  ["50 concurrent connections", async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => open()));
    await Promise.all(clients.map((ws, i) => echoOnce(ws, i % 2 ? `client ${i}` : pattern(1000 + i, i))));
    await Promise.all(clients.map((ws) => closeNormally(ws)));
  }],
  ["backpressure: a client that stops reading gets every echo after resuming", async () => {
    const ws = await open();
    ws._socket.pause();
    const n = 48;
    for (let i = 0; i < n; i++) ws.send(pattern(MIB, i), { binary: true });
    await new Promise((r) => setTimeout(r, 1000));
    ws._socket.resume();
    for (let i = 0; i < n; i++) {
      const m = await ws.next();
      check(m.isBinary && Buffer.compare(m.data, pattern(MIB, i)) === 0, `echo ${i} differs`);
    }
    await closeNormally(ws);
  }],
);

let server;
let result = { passed: 0, failed: 1 };
try {
  server = await startServer(opts.serverCmd);
  URL_ = server.url;
  process.stdout.write(`ws client -> ${opts.serverCmd.replace("{port}", server.port)}\n`);
  result = await runCases(cases, { only: opts.only });
} catch (err) {
  process.stdout.write(`FAIL setup: ${err.message}\n`);
} finally {
  server?.stop();
}
process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
process.exit(result.failed === 0 ? 0 : 1);
