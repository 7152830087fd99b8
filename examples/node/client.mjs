#!/usr/bin/env node
// A line client on the `wsframe` package's WebSocket (DESIGN.md §5): stdin lines go out as
// text, messages come back as `< text`; the end of stdin closes with 1000 and exits 0.
//
//   node examples/node/client.mjs --url URL [--heartbeat SECS] [--reconnect] [--reconnect-max SECS]
//
// --heartbeat: ping after SECS of silence, the peer is dead SECS after that ping.
// --reconnect: after an abnormal closure (or 1011/1012/1013) reconnect with the core's
// back-off (first attempt uniform in 0-5 s, then doubling windows up to --reconnect-max, 30 s).
// At the end of stdin it waits up to 5 s for as many messages as it sent, then closes.
// One line per event: `connected: URL`, `reconnect: attempt N in D ms`, `closed: CODE "REASON"`
// or `closed: abnormal (WHY)`, `heartbeat: ping`, `heartbeat: peer dead after D ms`, `< text`.
import process from "node:process";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { WebSocket } from "../../pkg/src/node.js";

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      url: { type: "string" },
      heartbeat: { type: "string" },
      reconnect: { type: "boolean" },
      "reconnect-max": { type: "string" },
    },
  }));
  if (!flags.url) throw new Error("--url is required");
} catch (err) {
  process.stderr.write(`client: ${err.message}\nusage: node examples/node/client.mjs --url URL [--heartbeat SECS] [--reconnect] [--reconnect-max SECS]\n`);
  process.exit(2);
}
const say = (line) => process.stdout.write(`${line}\n`);
const secs = (v) => Math.round(Number(v) * 1000);

const ws = new WebSocket(flags.url, [], {
  heartbeat: flags.heartbeat ? { interval: secs(flags.heartbeat), timeout: secs(flags.heartbeat) } : undefined,
  reconnect: flags.reconnect ? { maxDelay: secs(flags["reconnect-max"] ?? 30) } : undefined,
});
const pending = []; // lines read before the connection opened
let stdinEnded = false;
// At the end of stdin: wait up to REPLY_WAIT_MS for as many messages as were sent on this
// connection (the echoes), then close with 1000. A message that arrives after close() is
// not delivered (WHATWG), so closing at once would lose the echoes still on their way.
const REPLY_WAIT_MS = 5000;
let sent = 0;
let received = 0;
let closeTimer = null;
const closeWhenAnswered = () => {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (received >= sent) {
    clearTimeout(closeTimer);
    ws.close(1000);
    return;
  }
  closeTimer ??= setTimeout(() => {
    process.stderr.write(`client: ${received} of ${sent} replies after ${REPLY_WAIT_MS} ms; closing\n`);
    ws.close(1000);
  }, REPLY_WAIT_MS);
};
const send = (line) => {
  ws.send(line);
  sent++;
};
let calledOff = false; // the end of stdin ended a connect or reconnect wait

ws.addEventListener("open", () => {
  say(`connected: ${ws.url}`);
  sent = received = 0;
  for (const line of pending.splice(0)) send(line);
  if (stdinEnded) closeWhenAnswered();
});
ws.addEventListener("message", async (e) => {
  received++;
  say(`< ${typeof e.data === "string" ? e.data : `[binary ${(await e.data.arrayBuffer()).byteLength} bytes]`}`);
  if (stdinEnded) closeWhenAnswered();
});
ws.addEventListener("heartbeat", (e) => say(e.action === "ping" ? "heartbeat: ping" : `heartbeat: peer dead after ${e.silence} ms`));
ws.addEventListener("reconnect", (e) => say(`reconnect: attempt ${e.attempt} in ${e.delay} ms`));
ws.addEventListener("close", (e) => {
  say(e.wasClean ? `closed: ${e.code} ${JSON.stringify(e.reason)}` : `closed: abnormal (${e.lastError?.message ?? "no closing handshake"})`);
  // 0 for a completed closing handshake, or when the end of stdin called off a connect or
  // a reconnect wait; an abnormal end of an open connection is 1 even after stdin ended.
  if (ws.readyState === WebSocket.CLOSED) process.exit(e.wasClean || calledOff ? 0 : 1);
});

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (ws.readyState === WebSocket.OPEN) send(line);
  else pending.push(line);
}).on("close", () => {
  stdinEnded = true;
  if (ws.readyState === WebSocket.OPEN) closeWhenAnswered();
  else if (ws.readyState === WebSocket.CONNECTING && flags.reconnect && pending.length === 0) {
    calledOff = true;
    ws.close();
  }
});
