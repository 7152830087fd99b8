#!/usr/bin/env node
// Interop: the package's WebSocket (WHATWG API, in Node) against headless Chromium's own
// (Debian's /usr/bin/chromium via the pinned playwright-core), scenario by scenario. Each
// scenario runs in the page with the browser's WebSocket and in this process with the
// package's, against the same `ws` server (an implementation nobody here wrote), and both
// must report the same thing: exceptions, event order, readyState, bufferedAmount, close
// codes, what a message looks like. Scenarios where Chromium departs from the spec are left
// out and named below. Last line: `N passed, N failed`.
//
//   node tests/interop/node/whatwg-parity.mjs [--only NAME]
//
// Left out, where Chromium departs from the spec: `close(undefined, "r")` (Blink's close()
// overloads turn `undefined` into 0 and throw; the spec closes with 1000), and fractional
// codes above x.5 (Blink truncates `3000.7` to 3000; WebIDL [Clamp] rounds to 3001, and to
// the even integer at halves). A relative URL too: a page resolves it, Node has no base URL.
import http from "node:http";
import process from "node:process";
import { chromium } from "playwright-core";
import { WebSocketServer } from "ws";
import { WebSocket } from "../../../pkg/src/node.js";
import { CHROMIUM_LAUNCH, check, runCases } from "./harness.mjs";

const only = process.argv[2] === "--only" ? process.argv[3] : null;

// Each scenario is the source of an async function of (W, base, tick): W the WebSocket
// class under test, base the server's ws:// URL, tick(ms) a timer. It returns a string.
// `probe(f)` runs f and names the exception it throws, if any.
const HELPERS = `
const probe = (f) => { try { const r = f(); return r === undefined ? "ok" : String(r); } catch (e) { return "throws " + e.name + (e instanceof DOMException ? " (DOMException)" : ""); } };
const opened = (W, url) => new Promise((resolve, reject) => { const ws = new W(url); ws.onopen = () => resolve(ws); ws.onerror = () => reject(new Error("did not open")); });
const record = (ws, log) => { for (const t of ["open", "message", "error", "close"]) ws.addEventListener(t, (e) => log.push(t === "close" ? "close " + e.code + " " + e.wasClean + " " + JSON.stringify(e.reason) : t === "message" ? "message " + (typeof e.data === "string" ? JSON.stringify(e.data) : e.data.constructor.name + " " + (e.data.byteLength ?? e.data.size)) : t)); };
`;

const SCENARIOS = {
  "constructor: URLs and subprotocols that are refused": `
    // (A relative URL is left out: a page resolves it against its own URL, Node has none.)
    const urls = [base + "/#frag", "ftp://127.0.0.1/", "ws://[::1", "wss://"];
    const out = urls.map((u) => probe(() => new W(u).close()));
    for (const p of [["a", "a"], ["a b"], [""], ["é"]]) out.push(probe(() => new W(base, p).close()));
    return out.join("; ");`,
  "constructor: url normalised, http becomes ws, protocols as a string": `
    const a = new W(base.toUpperCase() + "/p?q");
    const b = new W(base.replace("ws:", "http:") + "/x");
    const c = new W(base, "chat");
    const r = [a.url.replace(/:\\d+\\//, ":P/"), b.url.replace(/:\\d+\\//, ":P/"), c.readyState, c.protocol, c.extensions, c.bufferedAmount, c.binaryType].join(" | ");
    for (const w of [a, b, c]) w.close();
    return r;`,
  "constants, toString tag, binaryType ignores bad values": `
    const w = new W(base);
    w.binaryType = "nope";
    const r = [W.CONNECTING, W.OPEN, W.CLOSING, W.CLOSED, w.OPEN, Object.prototype.toString.call(w), w.binaryType].join(" ");
    w.close();
    return r;`,
  "send() while connecting throws InvalidStateError": `
    const w = new W(base);
    const r = probe(() => w.send("x"));
    w.close();
    return r;`,
  "close(code): [Clamp] unsigned short, then 1000 or 3000-4999": `
    const w = new W(base);
    const codes = [999, 1001, 1005, 2999, 5000, 2999.4, NaN, null, -1, 70000, "1000x", "abc"];
    const r = codes.map((c) => String(c) + ": " + probe(() => w.close(c))).join("; ") + "; reason of 124 bytes: " + probe(() => w.close(1000, "x".repeat(124)));
    w.close();
    return r;`,
  "close(3000.25) closes with 3000, close('4000') with 4000": `
    const out = [];
    for (const code of [3000.25, "4000"]) {
      const w = await opened(W, base + "/echo");
      const log = [];
      record(w, log);
      w.close(code, "r");
      await tick(300);
      out.push(log.join(", "));
    }
    return out.join(" / ");`,
  "close() right after the constructor: CLOSING, then error and close 1006, never open": `
    const w = new W(base);
    const log = [];
    record(w, log);
    w.close();
    log.push("readyState " + w.readyState);
    await tick(1000);
    log.push("readyState " + w.readyState);
    return log.join(", ");`,
  "refused connection: error, close 1006, CLOSED": `
    const w = new W("ws://127.0.0.1:1/");
    const log = [];
    record(w, log);
    await tick(1000);
    return log.join(", ") + ", readyState " + w.readyState;`,
  "server closes TCP without a Close: close 1006 and no error event": `
    const w = await opened(W, base + "/drop");
    const log = [];
    record(w, log);
    w.send("now");
    await tick(500);
    return log.join(", ");`,
  "server Close 4001 with a reason, and a Close without a code (1005)": `
    const out = [];
    for (const path of ["/close-4001", "/close-nocode"]) {
      const w = await opened(W, base + path);
      const log = [];
      record(w, log);
      w.send("now");
      await tick(300);
      out.push(log.join(", ") + ", readyState " + w.readyState);
    }
    return out.join(" / ");`,
  "bufferedAmount: counts a send at once, drains in a later task, counts sends after close()": `
    const w = await opened(W, base + "/echo");
    w.send("x".repeat(1000));
    const a = w.bufferedAmount;
    await Promise.resolve();
    const b = w.bufferedAmount;
    await tick(200);
    const c = w.bufferedAmount;
    w.close();
    w.send("abc");
    const d = w.bufferedAmount;
    await tick(200);
    return [a, b, c, d, w.bufferedAmount].join(" ");`,
  "a message that arrives after close() is not delivered": `
    const w = await opened(W, base + "/echo");
    const log = [];
    record(w, log);
    w.send("echoed after close()");
    w.close();
    await tick(300);
    return log.join(", ");`,
  "close() twice: the first code wins; readyState CLOSING then CLOSED": `
    const w = await opened(W, base + "/echo");
    const log = [];
    record(w, log);
    w.close(3001, "a");
    log.push("readyState " + w.readyState);
    w.close(3002, "b");
    await tick(300);
    log.push("readyState " + w.readyState);
    return log.join(", ");`,
  "what a message looks like: text, each binary kind, Blob and ArrayBuffer binaryType": `
    const w = await opened(W, base + "/echo");
    const log = [];
    record(w, log);
    const bytes = new Uint8Array([9, 1, 2, 3, 9]);
    w.send("héllo \\ud83d\\ude00");
    w.send("lone \\ud800 surrogate");
    w.send(bytes.subarray(1, 4));
    w.send(bytes.buffer);
    w.send(new DataView(bytes.buffer, 2, 2));
    w.send(new Blob(["abcdef"]));
    w.send(42);
    await tick(300);
    w.binaryType = "arraybuffer";
    w.send(new Uint8Array(7));
    await tick(300);
    w.close();
    return log.join(", ");`,
  "a Blob message: type empty, bytes intact": `
    const w = await opened(W, base + "/echo");
    const got = await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.send(new Uint8Array([0, 255, 128, 7])); });
    const bytes = new Uint8Array(await got.arrayBuffer());
    w.close();
    return [got.constructor.name, JSON.stringify(got.type), got.size, bytes.join(",")].join(" ");`,
  "event handler attributes: a function or null": `
    const w = new W(base);
    const f = () => {};
    w.onmessage = f;
    const a = w.onmessage === f;
    w.onmessage = "not a function";
    const r = [a, w.onmessage, w.onopen].join(" ");
    w.close();
    return r;`,
};

/** The `ws` server every scenario talks to; the path says how it behaves. */
function startWsServer() {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
    wss.on("connection", (ws, req) => {
      const path = req.url;
      ws.on("message", (data, isBinary) => {
        if (path === "/drop") ws.terminate();
        else if (path === "/close-4001") ws.close(4001, "going");
        else if (path === "/close-nocode") ws.close();
        else ws.send(data, { binary: isBinary });
      });
      ws.on("error", () => {});
    });
    wss.on("listening", () => resolve(wss));
  });
}

function servePage() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><meta charset=utf-8><title>wsframe WHATWG parity</title>");
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

const scenario = (body) => `async (W, base, tick) => { ${HELPERS} ${body} }`;
const tick = (ms) => new Promise((r) => setTimeout(r, ms));

const wss = await startWsServer();
const pageServer = await servePage();
const browser = await chromium.launch(CHROMIUM_LAUNCH);
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
const base = `ws://127.0.0.1:${wss.address().port}`;

const cases = Object.entries(SCENARIOS).map(([name, body]) => [
  name,
  async () => {
    const source = scenario(body);
    const browserSays = await page.evaluate(
      ([src, url]) => (0, eval)(`(${src})`)(WebSocket, url, (ms) => new Promise((r) => setTimeout(r, ms))),
      [source, base],
    );
    const oursSays = await (0, eval)(`(${source})`)(WebSocket, base, tick);
    check(oursSays === browserSays, `\n  Chromium: ${browserSays}\n  wsframe:  ${oursSays}`);
    process.stdout.write(`   ${browserSays}\n`);
  },
]);

const { passed, failed } = await runCases(cases, { only, timeoutMs: 30_000 });
await browser.close();
wss.close();
pageServer.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
