#!/usr/bin/env node
// The Autobahn|Testsuite fuzzingserver client protocol on the `wsframe` npm package (DESIGN.md §5).
//
//   node examples/node/autobahn-client.mjs --url ws://127.0.0.1:9001 --agent NAME [--deflate]
//
// With --deflate every case connection offers permessage-deflate (RFC 7692), which the
// fuzzingserver's 12.x/13.x cases need.
// GET /getCaseCount, then for each case GET /runCase?case=N&agent=NAME echoing every message
// (same type) until the close, then GET /updateReports?agent=NAME. Exits 0 when done.
import process from "node:process";
import { connect, parseFlags } from "./ws-client.mjs";

let flags;
const args = process.argv.slice(2);
const deflate = args.includes("--deflate");
try {
  flags = parseFlags(args.filter((a) => a !== "--deflate"), ["url", "agent"]);
  if (!flags.url || !flags.agent) throw new Error("--url and --agent are required");
} catch (err) {
  process.stderr.write(`autobahn-client: ${err.message}\nusage: node examples/node/autobahn-client.mjs --url ws://127.0.0.1:P --agent NAME [--deflate]\n`);
  process.exit(2);
}
const base = flags.url.replace(/\/+$/, "");
const agent = encodeURIComponent(flags.agent);

async function getCaseCount() {
  const ws = await connect(`${base}/getCaseCount`);
  let count = null;
  for (let ev = await ws.next(); ev !== null; ev = await ws.next()) {
    if (ev.type === "text") count = Number.parseInt(ev.data, 10);
  }
  if (!Number.isInteger(count)) throw new Error("no case count received");
  return count;
}

async function runCase(n) {
  let ws;
  try {
    ws = await connect(`${base}/runCase?case=${n}&agent=${agent}`, { deflate });
  } catch (err) {
    // Some cases make the server refuse or drop the connection; that is the case's business.
    process.stderr.write(`case ${n}: ${err.message}\n`);
    return;
  }
  // A case that never ends is cut off; the fuzzingserver records the outcome itself.
  const timer = setTimeout(() => ws.destroy(), 60_000);
  for (let ev = await ws.next(); ev !== null; ev = await ws.next()) {
    if (ev.type === "text") ws.sendText(ev.data);
    else if (ev.type === "binary") ws.sendBinary(ev.data);
  }
  clearTimeout(timer);
}

async function updateReports() {
  const ws = await connect(`${base}/updateReports?agent=${agent}`);
  while ((await ws.next()) !== null) {
    // the server closes when the reports are written
  }
}

try {
  const count = await getCaseCount();
  process.stdout.write(`autobahn-client: ${count} cases\n`);
  for (let n = 1; n <= count; n++) {
    await runCase(n);
    if (n % 50 === 0 || n === count) process.stdout.write(`autobahn-client: ran ${n}/${count}\n`);
  }
  await updateReports();
  process.stdout.write("autobahn-client: reports updated\n");
  process.exit(0);
} catch (err) {
  process.stderr.write(`autobahn-client: ${err.stack ?? err}\n`);
  process.exit(1);
}
