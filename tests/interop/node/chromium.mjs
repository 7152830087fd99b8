#!/usr/bin/env node
// Interop: headless Chromium (Debian's /usr/bin/chromium, driven by the pinned playwright-core)
// as a client of an echo server (default: examples/node/echo-server.mjs). A page served on
// 127.0.0.1 opens WebSockets and sends text, binary, large and fragmented messages (Chromium
// splits large messages into continuation frames itself; a frame-counting server built on the
// wsframe package checks that). With --deflate the echo server gets --deflate and every
// exchange must have negotiated permessage-deflate (RFC 7692; `socket.extensions` on the page).
// Last line: `N passed, N failed`.
//
//   node tests/interop/node/chromium.mjs [--deflate] [--server-cmd "cmd --port {port}"] [--only NAME]
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import { chromium } from "playwright-core";
import { Connection, acceptResponse, decodeFrame, parseRequest } from "../../../pkg/src/node.js";
import { CHROMIUM_LAUNCH, ROOT, check, parseArgs, runCases, startServer } from "./harness.mjs";

const opts = parseArgs(process.argv.slice(2));

const PAGE = `<!doctype html><meta charset="utf-8"><title>wsframe interop</title>
<script>
// The extension every exchange must negotiate (set with --deflate), unless told otherwise.
window.requiredExtension = null;
// Opens a socket, sends each message, collects as many replies, closes with 1000.
window.exchange = (url, messages, { binaryType = "arraybuffer", extension = window.requiredExtension } = {}) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = binaryType;
  const replies = [];
  const timer = setTimeout(() => reject(new Error("timed out; " + replies.length + " replies")), 50000);
  ws.onerror = () => reject(new Error("WebSocket error"));
  ws.onopen = () => {
    if (extension && !ws.extensions.split(/[,;]/).some((e) => e.trim() === extension)) {
      clearTimeout(timer);
      ws.close(1000);
      reject(new Error("not negotiated: socket.extensions is " + JSON.stringify(ws.extensions)));
      return;
    }
    for (const m of messages) ws.send(m);
  };
  ws.onmessage = (e) => {
    replies.push(e.data);
    if (replies.length === messages.length) ws.close(1000, "done");
  };
  ws.onclose = (e) => { clearTimeout(timer); resolve({ replies, code: e.code, reason: e.reason, wasClean: e.wasClean, extensions: ws.extensions }); };
});
window.pattern = (n, seed) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255; return b; };
window.sameBytes = (a, b) => a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);
</script>`;

const MIME = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** A page server on a free 127.0.0.1 port; it also serves pkg/ under /pkg/ (the browser entry). */
function servePage() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      if (url.pathname.startsWith("/pkg/")) {
        const file = path.join(ROOT, path.normalize(url.pathname).replace(/^\/+/, ""));
        if (!file.startsWith(path.join(ROOT, "pkg")) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
          res.writeHead(404);
          res.end();
          return;
        }
        res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" });
        fs.createReadStream(file).pipe(res);
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

/**
 * A probe on the wsframe package that counts the frames of each message exactly: it decodes
 * frame by frame with decodeFrame, and answers each complete message with a text
 * `{"frames":N,"bytes":M}` (encoded by a server Connection).
 */
function frameCountingServer() {
  return new Promise((resolve) => {
    const srv = net.createServer((socket) => {
      const conn = new Connection({ role: "server" });
      let buf = Buffer.alloc(0);
      let upgraded = false;
      let frames = 0;
      let bytes = 0;
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (!upgraded) {
          const req = parseRequest(buf);
          if (req === null) return;
          socket.write(acceptResponse(req));
          upgraded = true;
          buf = buf.subarray(req.consumed);
        }
        for (let f = decodeFrame(buf); f !== null; f = decodeFrame(buf)) {
          buf = buf.subarray(f.consumed);
          if (f.opcode <= 2) {
            frames++;
            bytes += f.payload.length;
            if (f.fin) {
              conn.sendText(JSON.stringify({ frames, bytes }));
              socket.write(conn.takeOutgoing());
              frames = 0;
              bytes = 0;
            }
          } else if (f.opcode === 8) {
            conn.close(1000);
            socket.end(conn.takeOutgoing());
          } else if (f.opcode === 9) {
            conn.pong(f.payload);
            socket.write(conn.takeOutgoing());
          }
        }
      });
      socket.on("error", () => {});
      socket.on("close", () => conn.free());
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

let browser;
let page;
let echo;
let pageServer;

async function exchange(messages, options) {
  return page.evaluate(([url, m, o]) => window.exchange(url, m, o), [echo.url + "/", messages, options]);
}

const cases = [
  ["text (ASCII and non-ASCII)", async () => {
    const r = await exchange(["hello", "héllo wörld ✓ 😀", ""]);
    check(r.code === 1000 && r.wasClean, `close ${r.code} clean=${r.wasClean}`);
    check(JSON.stringify(r.replies) === JSON.stringify(["hello", "héllo wörld ✓ 😀", ""]), `replies ${JSON.stringify(r.replies)}`);
  }],
  ["binary (ArrayBuffer, 0..65536 bytes)", async () => {
    const ok = await page.evaluate(async (url) => {
      const sizes = [0, 1, 125, 126, 65535, 65536];
      const sent = sizes.map((n, i) => window.pattern(n, i));
      const r = await window.exchange(url, sent.map((b) => b.buffer));
      return r.code === 1000 && r.replies.every((a, i) => a instanceof ArrayBuffer && window.sameBytes(a, sent[i]));
    }, echo.url + "/");
    check(ok, "binary echoes differ");
  }],
  ["large: 16 MiB binary and 4 MiB text", async () => {
    const ok = await page.evaluate(async (url) => {
      const big = window.pattern(16 << 20, 3);
      const text = "ab€".repeat((4 << 20) / 5);
      const r = await window.exchange(url, [big.buffer, text]);
      return [r.code, window.sameBytes(r.replies[0], big), r.replies[1] === text];
    }, echo.url + "/");
    check(ok[0] === 1000 && ok[1] && ok[2], `close ${ok[0]}, binary same ${ok[1]}, text same ${ok[2]}`);
  }],
  ["Blob messages", async () => {
    const ok = await page.evaluate(async (url) => {
      const r = await window.exchange(url, [new Blob(["blob ", "data"])], { binaryType: "blob" });
      return r.code === 1000 && (await r.replies[0].text()) === "blob data";
    }, echo.url + "/");
    check(ok, "blob echo differs");
  }],
  ["many messages on one socket, in order", async () => {
    const ok = await page.evaluate(async (url) => {
      const sent = Array.from({ length: 500 }, (_, i) => (i % 2 ? `message ${i}` : window.pattern(i * 10, i).buffer));
      const r = await window.exchange(url, sent);
      return r.code === 1000 && r.replies.every((x, i) => (typeof x === "string" ? x === sent[i] : window.sameBytes(x, new Uint8Array(sent[i]))));
    }, echo.url + "/");
    check(ok, "echoes differ or out of order");
  }],
  ["close code and reason from the page are echoed", async () => {
    const r = await page.evaluate((url) => new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => ws.close(4000, "page says bye");
      ws.onclose = (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    }), echo.url + "/");
    check(r.code === 4000 && r.reason === "page says bye" && r.wasClean, JSON.stringify(r));
  }],
];

cases.push(["the package's browser entry in Chromium: frames, handshake, a Connection round trip", async () => {
  const r = await page.evaluate(async (echoUrl) => {
    const m = await import("/pkg/src/browser.js");
    const out = {};
    const frame = m.encodeFrame({ opcode: "text", payload: "Hello", mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) });
    out.rfcFrame = Array.from(frame).join(",");
    out.accept = m.acceptKey("dGhlIHNhbXBsZSBub25jZQ==");
    const req = m.clientRequest(echoUrl, { protocols: ["x"] });
    out.parsedPath = m.parseRequest(req.bytes).path;
    out.handshake = req.handshake.checkResponse(m.acceptResponse(m.parseRequest(req.bytes), { protocol: "x" })).protocol;
    const client = new m.Connection({ role: "client" });
    const server = new m.Connection({ role: "server", messages: true });
    client.sendText("from the page");
    out.roundTrip = [...server.receive(client.takeOutgoing())][0].data;
    // permessage-deflate in the page: the RFC 7692 §7.2.3.1 frame, and a negotiated pair.
    const hello = new m.Connection({ role: "client", deflate: true, messages: true });
    out.rfcDeflate = [...hello.receive(new Uint8Array([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))][0].data;
    const offer = m.clientRequest(echoUrl, { deflate: true });
    const parsed = m.parseRequest(offer.bytes);
    const agreed = m.negotiateDeflate(parsed);
    const answer = offer.handshake.checkResponse(m.acceptResponse(parsed, { extensions: agreed.response }));
    const dc = new m.Connection({ role: "client", deflate: answer.deflate });
    const ds = new m.Connection({ role: "server", deflate: agreed.params, messages: true });
    dc.sendText("compressed ".repeat(100));
    const deflated = dc.takeOutgoing();
    out.deflateRoundTrip = [...ds.receive(deflated)][0].data === "compressed ".repeat(100) && deflated[0] === 0xc1 && deflated.length < 100;
    return out;
  }, echo.url + "/");
  check(r.rfcFrame === "129,133,55,250,33,61,127,159,77,81,88", `RFC 6455 §5.7 frame ${r.rfcFrame}`);
  check(r.accept === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", `accept key ${r.accept}`);
  check(r.parsedPath === "/" && r.handshake === "x", `handshake ${JSON.stringify(r)}`);
  check(r.roundTrip === "from the page", `round trip ${r.roundTrip}`);
  check(r.rfcDeflate === "Hello", `RFC 7692 §7.2.3.1 frame inflated to ${JSON.stringify(r.rfcDeflate)}`);
  check(r.deflateRoundTrip, "compressed round trip in the page failed");
}]);

if (opts.deflate) {
  cases.unshift(["permessage-deflate negotiated: socket.extensions, compressible and incompressible messages", async () => {
    const r = await page.evaluate(async (url) => {
      const random = new Uint8Array(1 << 20);
      for (let o = 0; o < random.length; o += 65536) crypto.getRandomValues(random.subarray(o, o + 65536));
      const zeros = new Uint8Array(4 << 20);
      const text = "permessage-deflate ".repeat(10000);
      const x = await window.exchange(url, [random.buffer, zeros.buffer, text, ""]);
      return {
        extensions: x.extensions,
        code: x.code,
        same: window.sameBytes(x.replies[0], random) && window.sameBytes(x.replies[1], zeros) && x.replies[2] === text && x.replies[3] === "",
      };
    }, echo.url + "/");
    check(/^permessage-deflate\b/.test(r.extensions), `socket.extensions ${JSON.stringify(r.extensions)}`);
    process.stdout.write(`   (socket.extensions: ${r.extensions})\n`);
    check(r.code === 1000 && r.same, `close ${r.code}, echoes same ${r.same}`);
  }]);
}

let probe;
cases.push(["fragmented: Chromium's own continuation frames reassembled (counted by a wsframe probe)", async () => {
  // Chromium splits large messages into frames as they stream from the renderer; the probe
  // reports how many frames each message took, and the echo server must reassemble them.
  const r = await page.evaluate(async ([probeUrl, echoUrl]) => {
    const big = window.pattern(8 << 20, 9);
    const counted = await window.exchange(probeUrl, [big.buffer], { extension: null });
    const echoed = await window.exchange(echoUrl, [big.buffer]);
    return { info: counted.replies[0], same: window.sameBytes(echoed.replies[0], big) };
  }, [`ws://127.0.0.1:${probe.address().port}/`, echo.url + "/"]);
  const info = JSON.parse(r.info);
  process.stdout.write(`   (Chromium sent 8 MiB in ${info.frames} frames)\n`);
  check(info.bytes === 8 << 20, `probe saw ${info.bytes} bytes`);
  check(info.frames > 1, "Chromium sent the message in one frame: nothing fragmented to test");
  check(r.same, "echo of the fragmented message differs");
}]);

let result = { passed: 0, failed: 1 };
try {
  echo = await startServer(opts.serverCmd);
  pageServer = await servePage();
  probe = await frameCountingServer();
  browser = await chromium.launch(CHROMIUM_LAUNCH);
  process.stdout.write(`chromium ${browser.version()}${opts.deflate ? " (permessage-deflate)" : ""} -> ${opts.serverCmd.replace("{port}", echo.port)}\n`);
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  if (opts.deflate) await page.evaluate(() => (window.requiredExtension = "permessage-deflate"));
  result = await runCases(cases, { only: opts.only, timeoutMs: 90_000 });
} catch (err) {
  process.stdout.write(`FAIL setup: ${err.message}\n`);
} finally {
  await browser?.close().catch(() => {});
  pageServer?.close();
  probe?.close();
  echo?.stop();
}
process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
process.exit(result.failed === 0 ? 0 : 1);
