#!/usr/bin/env node
// Interop, permessage-deflate (RFC 7692): the `ws` package (pinned in package.json) with
// perMessageDeflate on (threshold 0: every message compressed) as a client of an echo server
// with --deflate (default: examples/node/echo-server.mjs --deflate). Sizes 0..16 MiB,
// fragmented messages, negotiated parameters, per-message uncompressed sends, a raw-socket
// decompression bomb that must fail with 1009 while another connection keeps working; data
// integrity (issue 9): the corpus of corpus.mjs, 1,000 consecutive 64 KiB slices of a noisy
// greyscale image with context takeover, U+FEFF in text, every echo compared by SHA-256.
// Last line: `N passed, N failed`.
//
//   node tests/interop/node/ws-deflate.mjs [--server-cmd "cmd --port {port} --deflate"] [--only NAME]
import crypto from "node:crypto";
import net from "node:net";
import process from "node:process";
import zlib from "node:zlib";
import WebSocket from "ws";
import { imageSlices } from "./corpus.mjs";
import {
  check, closeNormally, describe, echoAll, echoOnce, fragmentCases, integrityCases, maskedFrame, parseArgs, pattern,
  queueMessages, runCases, startServer,
} from "./harness.mjs";

const MIB = 1 << 20;
const SIZES = [0, 1024, MIB, 16 * MIB];
const opts = parseArgs(process.argv.slice(2), { deflate: true });
let URL_;

/** A ws client offering permessage-deflate (`deflate` options merged), with a message queue. */
function open(deflate = {}) {
  return new Promise((resolve, reject) => {
    const perMessageDeflate = deflate === false ? false : { threshold: 0, ...deflate };
    const ws = new WebSocket(`${URL_}/`, { perMessageDeflate, maxPayload: 64 * MIB });
    queueMessages(ws);
    // ws.extensions names the extensions only; the parameters are in the response header.
    ws.once("upgrade", (res) => (ws.agreed = res.headers["sec-websocket-extensions"] ?? ""));
    ws.once("open", () => {
      if (deflate !== false && !/^permessage-deflate\b/.test(ws.agreed)) {
        ws.terminate();
        reject(new Error(`Sec-WebSocket-Extensions ${JSON.stringify(ws.agreed)}: permessage-deflate not negotiated`));
      } else resolve(ws);
    });
    ws.once("error", reject);
  });
}

function text(n) {
  return "é".repeat(Math.floor(n / 2)) + "x".repeat(n % 2);
}

/** Deflated as RFC 7692 §7.2.1 says: raw deflate, sync flush, the 00 00 ff ff tail removed. */
function deflated(data) {
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

/**
 * A raw TCP client that offers permessage-deflate: resolves `{ socket, response, frames() }`
 * after the 101, where `frames()` resolves to the unmasked frames received until the server
 * closed TCP (bounded).
 */
function rawDeflateClient() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(new URL(URL_).port) });
    let buf = Buffer.alloc(0);
    let response = null;
    let closed;
    const done = new Promise((r) => (closed = r));
    socket.on("connect", () =>
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
      ),
    );
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (response === null) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        response = buf.subarray(0, end).toString("latin1");
        buf = buf.subarray(end + 4);
        resolve({ socket, response, frames });
      }
    });
    socket.on("error", () => {}); // a reset after the close is fine
    socket.on("close", () => {
      if (response === null) reject(new Error("closed before the handshake response"));
      closed();
    });
    async function frames(timeoutMs = 15_000) {
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      await done;
      clearTimeout(timer);
      const out = [];
      let b = buf;
      while (b.length >= 2) {
        let len = b[1] & 0x7f;
        let off = 2;
        if (len === 126) [len, off] = [b.readUInt16BE(2), 4];
        else if (len === 127) [len, off] = [Number(b.readBigUInt64BE(2)), 10];
        if (b.length < off + len) break;
        out.push({ first: b[0], payload: b.subarray(off, off + len) });
        b = b.subarray(off + len);
      }
      return out;
    }
  });
}

const cases = [];
for (const n of SIZES) {
  cases.push([`binary ${n} bytes`, async () => {
    const ws = await open();
    await echoOnce(ws, pattern(n));
    await closeNormally(ws);
  }]);
  cases.push([`text ${n} bytes`, async () => {
    const ws = await open();
    await echoOnce(ws, text(n));
    await closeNormally(ws);
  }]);
}
cases.push(
  ["incompressible 1 MiB binary (random bytes)", async () => {
    const ws = await open();
    await echoOnce(ws, crypto.randomBytes(MIB));
    await closeNormally(ws);
  }],
  ["many messages on one connection: context takeover both ways", async () => {
    const ws = await open();
    for (let i = 0; i < 200; i++) await echoOnce(ws, i % 2 ? `message ${i} `.repeat(i) : pattern(i * 37, i));
    await closeNormally(ws);
  }],
  ...fragmentCases(open, { size: 100_000, textName: "fragmented text (3 compressed fragments, RFC 7692 §6.1)" }),
  ["1 MiB binary in 1,024 compressed fragments", async () => {
    const ws = await open();
    const data = pattern(MIB);
    for (let o = 0; o < data.length; o += 1024) ws.send(data.subarray(o, o + 1024), { binary: true, fin: o + 1024 >= data.length });
    const m = await ws.next();
    check(m.isBinary && Buffer.compare(m.data, data) === 0, `got ${describe(m.data)}`);
    await closeNormally(ws);
  }],
  ["256 KiB binary in 4,096 compressed 64-byte fragments", async () => {
    const ws = await open();
    const data = pattern(256 * 1024, 5);
    for (let o = 0; o < data.length; o += 64) ws.send(data.subarray(o, o + 64), { binary: true, fin: o + 64 >= data.length });
    const m = await ws.next();
    check(m.isBinary && Buffer.compare(m.data, data) === 0, `got ${describe(m.data)}`);
    await closeNormally(ws);
  }],
  ["uncompressed messages on a deflate connection (compress: false, RFC 7692 §6)", async () => {
    const ws = await open();
    for (let i = 0; i < 4; i++) {
      await echoOnce(ws, `plain ${i}`, { compress: false });
      await echoOnce(ws, `compressed ${i}`);
      await echoOnce(ws, pattern(5000, i), { compress: i % 2 === 0 });
    }
    await closeNormally(ws);
  }],
);
cases.push(
  ...integrityCases(open),
  // Small windows and no context takeover: the server must keep to what it agreed.
  ...integrityCases(async () => {
    const ws = await open({ serverMaxWindowBits: 9, clientMaxWindowBits: 9, serverNoContextTakeover: true });
    check(/server_no_context_takeover/.test(ws.agreed) && ws.agreed.includes("server_max_window_bits=9"), ws.agreed);
    return ws;
  }, {
    kinds: ["multilingual", "image"],
    sizes: [0, 1, 125, 126, 127, 255, 256, 257, 511, 512, 513, 31745, 31746, 32768, 32769, 65535, 65536, 65537],
    suffix: " (server_max_window_bits=9, client_max_window_bits=9, server_no_context_takeover)",
  }),
  ["1,000 consecutive 64 KiB slices of a noisy greyscale BMP, context takeover on, SHA-256 of each echo", async () => {
    const ws = await open();
    check(!/no_context_takeover/.test(ws.agreed), `context takeover is off: ${ws.agreed}`);
    const slices = imageSlices(1000);
    await echoAll(ws, slices, { window: 16, name: (i) => `slice ${i}` });
    await closeNormally(ws);
  }],
);
for (const params of [
  { serverNoContextTakeover: true, clientNoContextTakeover: true },
  { serverMaxWindowBits: 10, clientMaxWindowBits: 10 },
  { serverMaxWindowBits: 9, clientMaxWindowBits: 9, clientNoContextTakeover: true },
]) {
  cases.push([`negotiated ${JSON.stringify(params)}`, async () => {
    const ws = await open(params);
    if (params.serverNoContextTakeover) check(/server_no_context_takeover/.test(ws.agreed), ws.agreed);
    if (params.serverMaxWindowBits) check(ws.agreed.includes(`server_max_window_bits=${params.serverMaxWindowBits}`), ws.agreed);
    if (params.clientMaxWindowBits) check(ws.agreed.includes(`client_max_window_bits=${params.clientMaxWindowBits}`), ws.agreed);
    for (let i = 0; i < 5; i++) await echoOnce(ws, i % 2 ? text(70_000 + i) : pattern(70_000, i));
    await closeNormally(ws);
  }]);
}
cases.push(
  ["a client that does not offer deflate gets plain echoes", async () => {
    const ws = await open(false);
    check(ws.extensions === "", `extensions ${JSON.stringify(ws.extensions)}`);
    await echoOnce(ws, "plain");
    await echoOnce(ws, pattern(70_000));
    await closeNormally(ws);
  }],
  ["the server's echo is compressed (RSV1) and inflates to the message (raw socket)", async () => {
    const raw = await rawDeflateClient();
    check(raw.response.startsWith("HTTP/1.1 101 "), raw.response.split("\r\n")[0]);
    check(/\r\nSec-WebSocket-Extensions: permessage-deflate/i.test(raw.response), "no permessage-deflate in the response");
    const message = Buffer.from("Hello, Hello, Hello, Hello");
    raw.socket.write(maskedFrame(0xc1, deflated(message)));
    raw.socket.write(maskedFrame(0x88, [0x03, 0xe8]));
    const frames = await raw.frames();
    check(frames.length === 2, `${frames.length} frames`);
    check(frames[0].first === 0xc1, `first byte ${frames[0].first.toString(16)}, expected c1 (FIN, RSV1, text)`);
    const inflated = zlib.inflateRawSync(Buffer.concat([frames[0].payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    check(inflated.equals(message), `inflated ${JSON.stringify(inflated.toString())}`);
    check(frames[1].first === 0x88 && frames[1].payload.readUInt16BE(0) === 1000, "no close 1000");
  }],
  ["decompression bomb: 64 MiB of zeros fails with 1009, another connection keeps working", async () => {
    const other = await open();
    await echoOnce(other, "before the bomb");
    const raw = await rawDeflateClient();
    check(/\r\nSec-WebSocket-Extensions: permessage-deflate/i.test(raw.response), "no permessage-deflate in the response");
    const bomb = deflated(Buffer.alloc(64 * MIB));
    check(bomb.length < 128 * 1024, `bomb is ${bomb.length} bytes`);
    raw.socket.write(maskedFrame(0xc2, bomb));
    const frames = await raw.frames();
    const close = frames.find((f) => (f.first & 0x0f) === 8);
    check(close !== undefined, `no Close frame (${frames.length} frames)`);
    check(close.payload.readUInt16BE(0) === 1009, `close code ${close.payload.readUInt16BE(0)}, expected 1009`);
    check(frames.every((f) => (f.first & 0x0f) === 8), "the bomb was echoed");
    await echoOnce(other, "after the bomb");
    await echoOnce(other, pattern(MIB));
    await closeNormally(other);
  }],
  ["20 concurrent deflate connections", async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => open()));
    await Promise.all(clients.map((ws, i) => echoOnce(ws, i % 2 ? `client ${i} `.repeat(100) : pattern(10_000 + i, i))));
    await Promise.all(clients.map((ws) => closeNormally(ws)));
  }],
);

let server;
let result = { passed: 0, failed: 1 };
try {
  server = await startServer(opts.serverCmd);
  URL_ = server.url;
  process.stdout.write(`ws client (permessage-deflate) -> ${opts.serverCmd.replace("{port}", server.port)}\n`);
  result = await runCases(cases, { only: opts.only });
} catch (err) {
  process.stdout.write(`FAIL setup: ${err.message}\n`);
} finally {
  server?.stop();
}
process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
process.exit(result.failed === 0 ? 0 : 1);
