#!/usr/bin/env node
// Interop matrix client driver on the WHATWG WebSocket API (tests/interop/matrix/README.md),
// for Node, Deno and Bun:
//
//   node --experimental-websocket whatwg-client.mjs --impl native|wsframe --url U [--deflate]
//   deno run --no-prompt --allow-net=127.0.0.1 --allow-read --allow-env whatwg-client.mjs --impl ... --url U [--deflate]
//   bun whatwg-client.mjs --impl ... --url U [--deflate]
//
// `--impl native` uses the runtime's global WebSocket, which offers what it offers (--deflate
// cannot change that); `--impl wsframe` uses the wsframe package's WebSocket from this repo's
// pkg/ (the runtime's entry), which offers permessage-deflate only with --deflate.
// One JSON object per line on stdout; exit 0 when the suite ran, 1 when it could not.
import process from "node:process";
import { whatwgSuite } from "./cases.mjs";

const runtime = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const args = runtime === "deno" ? Deno.args : process.argv.slice(2);
const usage = "usage: whatwg-client.mjs --impl native|wsframe --url ws://127.0.0.1:P/ [--deflate]";
const opts = { impl: null, url: null, deflate: false };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--impl") opts.impl = args[++i];
  else if (args[i] === "--url") opts.url = args[++i];
  else if (args[i] === "--deflate") opts.deflate = true;
  else {
    console.error(`unknown argument ${args[i]}\n${usage}`);
    process.exit(2);
  }
}
if (!opts.url || (opts.impl !== "native" && opts.impl !== "wsframe")) {
  console.error(usage);
  process.exit(2);
}

const emit = (obj) => console.log(JSON.stringify(obj));

let WebSocketClass;
let options;
if (opts.impl === "native") {
  WebSocketClass = globalThis.WebSocket;
  if (typeof WebSocketClass !== "function") {
    console.error(`no global WebSocket in ${runtime}${runtime === "node" ? " (Node 20 needs --experimental-websocket)" : ""}`);
    process.exit(1);
  }
} else {
  // The package's entry for this runtime (pkg/package.json "exports" conditions).
  const entry = { deno: "../../../../pkg/src/deno.js", bun: "../../../../pkg/src/bun.js", node: "../../../../pkg/src/node.js" }[runtime];
  ({ WebSocket: WebSocketClass } = await import(new URL(entry, import.meta.url).href));
  options = { deflate: opts.deflate, maxPayload: 16 << 20 };
}

// A hard bound on the whole run: 20 cases of at most 30 s each, plus connect and close.
const watchdog = setTimeout(() => {
  console.error("whatwg-client: gave up after 12 minutes");
  process.exit(1);
}, 12 * 60_000);

try {
  await whatwgSuite(WebSocketClass, opts.url, { options, emit, caseMs: 30_000 });
} catch (err) {
  console.error(`whatwg-client (${runtime}, ${opts.impl}): ${err && err.stack ? err.stack : err}`);
  process.exit(1);
}
clearTimeout(watchdog);
process.exit(0);
