#!/usr/bin/env node
// Interop matrix client driver on Node `ws` (tests/interop/matrix/README.md):
//
//   node ws-client.mjs --url ws://127.0.0.1:P/ [--deflate]
//
// ws can send fragments (send(data, { fin: false })) and pings. With --deflate it offers
// permessage-deflate (perMessageDeflate: true), without it offers nothing.
// One JSON object per line on stdout; exit 0 when the suite ran, 1 when it could not.
import { createRequire } from "node:module";
import process from "node:process";
import { CASE_MS, CLOSE_REASON, FRAGMENTS, PROTOCOLS, SIZES, echoDifference, matrixInbox, matrixPayload } from "./cases.mjs";

const require = createRequire(new URL("../../node/package.json", import.meta.url));
const WebSocket = require("ws");

const args = process.argv.slice(2);
const usage = "usage: node ws-client.mjs --url ws://127.0.0.1:P/ [--deflate]";
const opts = { url: null, deflate: false };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--url") opts.url = args[++i];
  else if (args[i] === "--deflate") opts.deflate = true;
  else {
    console.error(`unknown argument ${args[i]}\n${usage}`);
    process.exit(2);
  }
}
if (!opts.url) {
  console.error(usage);
  process.exit(2);
}
const emit = (obj) => console.log(JSON.stringify(obj));
const watchdog = setTimeout(() => {
  console.error("ws-client: gave up after 12 minutes");
  process.exit(1);
}, 12 * 60_000);

const ws = new WebSocket(opts.url, PROTOCOLS, { perMessageDeflate: opts.deflate, maxPayload: 16 << 20 });

// ws's `extensions` lists only the names; report the server's header, with the parameters.
let extensionsHeader = null;
ws.on("upgrade", (res) => {
  extensionsHeader = res.headers["sec-websocket-extensions"] ?? "";
});

const inbox = matrixInbox();
let closeInfo = null;
let pongWaiter = null;
ws.on("message", (data, isBinary) => {
  inbox.push({ data: Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]), isBinary });
});
ws.on("pong", (data) => pongWaiter?.(data));
const closed = new Promise((resolve) => {
  ws.on("close", (code, reason) => {
    closeInfo = {
      code,
      reason: reason.toString("utf8"),
      // ws has no wasClean; these are its record of the closing handshake.
      closeFrameReceived: ws._closeFrameReceived === true,
      closeFrameSent: ws._closeFrameSent === true,
    };
    resolve(closeInfo);
    inbox.close();
  });
});
// An error is always followed by "close", which ends the inbox; the listener keeps ws from
// throwing it.
ws.on("error", () => {});

try {
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
    closed.then((c) => reject(new Error(`closed before open: ${c.code} ${c.reason}`)));
  });
} catch (err) {
  console.error(`ws-client: connect failed: ${err.message}`);
  process.exit(1);
}
emit({ open: true, protocol: ws.protocol, extensions: extensionsHeader ?? ws.extensions });

const next = (deadline) => inbox.next(deadline);
function checkEcho(reply, text, bytes) {
  if (reply === null) return closeInfo ? `connection closed (${closeInfo.code})` : "timed out";
  if (reply.isBinary === text) return `echo is ${reply.isBinary ? "binary" : "text"}, sent ${text ? "text" : "binary"}`;
  return echoDifference(reply.data, bytes);
}
function usable(name) {
  if (ws.readyState !== WebSocket.OPEN) {
    emit({ case: name, ok: false, detail: `connection not open (readyState ${ws.readyState})` });
    return false;
  }
  return true;
}
const result = (name, detail, okDetail) =>
  emit(detail === null ? (okDetail ? { case: name, ok: true, detail: okDetail } : { case: name, ok: true }) : { case: name, ok: false, detail });

// 1. subprotocol
result("subprotocol", ws.protocol === "matrix.v1" ? null : `selected ${JSON.stringify(ws.protocol)}`);

// 2. sizes
for (const kind of ["text-ascii", "text-utf8", "binary"]) {
  for (const n of SIZES) {
    const name = `${kind}-${n}`;
    if (!usable(name)) continue;
    const p = matrixPayload(kind, n);
    ws.send(p.data, { binary: kind === "binary" });
    result(name, checkEcho(await next(Date.now() + CASE_MS), kind !== "binary", p.bytes));
  }
}

// 3. fragmented: three fragments from the client.
if (usable("fragmented")) {
  FRAGMENTS.forEach((f, i) => ws.send(f, { binary: false, fin: i === FRAGMENTS.length - 1 }));
  const text = FRAGMENTS.join("");
  result("fragmented", checkEcho(await next(Date.now() + CASE_MS), true, new TextEncoder().encode(text)), "client sent 3 fragments");
}

// 4. pipelined-1000
if (usable("pipelined-1000")) {
  for (let i = 0; i < 1000; i++) ws.send(`pipelined-${i}`);
  const deadline = Date.now() + CASE_MS;
  let detail = null;
  for (let i = 0; i < 1000; i++) {
    const r = await next(deadline);
    if (r === null) {
      detail = `${closeInfo ? "connection closed" : "timed out"} after ${i} echoes`;
      if (!closeInfo) inbox.skip(999 - i);
      break;
    }
    if (r.isBinary || r.data.toString("utf8") !== `pipelined-${i}`) {
      detail = `echo ${i} is ${r.isBinary ? "binary" : JSON.stringify(r.data.toString("utf8").slice(0, 40))}`;
      inbox.skip(999 - i); // the rest of this case's echoes
      break;
    }
  }
  result("pipelined-1000", detail);
}

// 5. ping: the client pings with "matrix-ping" and expects the same payload in a Pong.
if (usable("ping")) {
  const got = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), CASE_MS);
    pongWaiter = (data) => {
      clearTimeout(t);
      resolve(data);
    };
    closed.then(() => {
      clearTimeout(t);
      resolve(null);
    });
    ws.ping("matrix-ping");
  });
  pongWaiter = null;
  if (got === null) result("ping", closeInfo ? "connection closed" : "no pong in 30 s");
  else result("ping", got.toString("utf8") === "matrix-ping" ? null : `pong payload ${JSON.stringify(got.toString("utf8"))}`, "client pinged");
}

// 6. close-4001
if (closeInfo) {
  result("close-4001", `connection already closed: ${JSON.stringify(closeInfo)}`);
} else {
  ws.close(4001, CLOSE_REASON);
  const c = await Promise.race([closed, new Promise((r) => setTimeout(() => r(null), CASE_MS))]);
  if (c === null) result("close-4001", `no close in ${CASE_MS / 1000} s`);
  else if (c.code === 4001 && c.reason === CLOSE_REASON && c.closeFrameReceived) result("close-4001", null);
  else result("close-4001", `close ${JSON.stringify(c)}`);
}
clearTimeout(watchdog);
process.exit(0);
