#!/usr/bin/env node
// The Autobahn|Testsuite fuzzingserver client protocol on the `wsframe` package's WebSocket
// (DESIGN.md §5). Offers permessage-deflate, as browsers do (the 12.x/13.x cases need it).
//
//   node examples/node/autobahn-client.mjs --url ws://127.0.0.1:9001 --agent NAME
//
// GET /getCaseCount, then for each case GET /runCase?case=N&agent=NAME echoing every message
// (same type) until the close, then GET /updateReports?agent=NAME. A case that fails, or that
// the server fails, is only logged: the run goes on. Exits 0 when done.
import process from "node:process";
import { parseArgs } from "node:util";
import { WebSocket } from "../../pkg/src/node.js";

let flags;
try {
  ({ values: flags } = parseArgs({ options: { url: { type: "string" }, agent: { type: "string" } } }));
  if (!flags.url || !flags.agent) throw new Error("--url and --agent are required");
} catch (err) {
  process.stderr.write(`autobahn-client: ${err.message}\nusage: node examples/node/autobahn-client.mjs --url ws://127.0.0.1:P --agent NAME\n`);
  process.exit(2);
}
const base = flags.url.replace(/\/+$/, "");
const agent = encodeURIComponent(flags.agent);

/** Opens `path`, calls `onMessage(ws, data)` for each message, resolves with the CloseEvent. */
function session(path, onMessage) {
  return new Promise((resolve) => {
    // client_no_context_takeover too: the suite's servers for 13.2, 13.5 and 13.6 accept only
    // an offer that allows them to ask for it.
    const ws = new WebSocket(`${base}${path}`, [], { maxPayload: 16 << 20, deflate: { clientNoContextTakeover: true } });
    ws.binaryType = "arraybuffer";
    // A case that never ends is cut off; the fuzzingserver records the outcome itself. Not
    // before the suite's own limit: its longest cases (12.x/13.x, 1,000 messages of 128 KiB)
    // allow 480 s, and a loaded machine needs more than a minute for them.
    const timer = setTimeout(() => ws.terminate(), 600_000);
    ws.onmessage = (e) => onMessage(ws, e.data);
    ws.onerror = (e) => process.stderr.write(`${path}: ${e.message}\n`);
    ws.onclose = (e) => {
      clearTimeout(timer);
      resolve(e);
    };
  });
}

let count = NaN;
await session("/getCaseCount", (_ws, data) => {
  count = Number.parseInt(data, 10);
});
if (!Number.isInteger(count)) {
  process.stderr.write("autobahn-client: no case count received\n");
  process.exit(1);
}
process.stdout.write(`autobahn-client: ${count} cases\n`);
for (let n = 1; n <= count; n++) {
  await session(`/runCase?case=${n}&agent=${agent}`, (ws, data) => ws.send(data));
  if (n % 50 === 0 || n === count) process.stdout.write(`autobahn-client: ran ${n}/${count}\n`);
}
await session(`/updateReports?agent=${agent}`, () => {});
process.stdout.write("autobahn-client: reports updated\n");
process.exit(0);
