#!/usr/bin/env node
// A WebSocket echo server on the `wsframe` package's WebSocketServer (DESIGN.md §5).
//
//   node examples/node/echo-server.mjs --port P [--deflate] [--quiet]
//
// Prints `listening on 127.0.0.1:P` when ready (`--port 0` picks a free port). Echoes every
// text and binary message whole with the same type; the package answers pings, completes
// closing handshakes, fails protocol violations with the core's close code then closes TCP,
// selects the first subprotocol offered, refuses bad handshakes, and stops reading from a
// client while its socket is backed up. Messages up to 16 MiB; with --deflate it accepts
// permessage-deflate offers (RFC 7692) and compresses every echo.
import process from "node:process";
import { WebSocketServer } from "../../pkg/src/node.js";

const args = process.argv.slice(2);
const usage = "usage: node examples/node/echo-server.mjs --port PORT [--deflate] [--quiet]\n";
const opts = { port: undefined, deflate: false, quiet: false };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") opts.port = Number(args[++i]);
  else if (args[i] === "--deflate") opts.deflate = true;
  else if (args[i] === "--quiet" || args[i] === "-q") opts.quiet = true;
  else if (args[i] === "--help" || args[i] === "-h") process.exit(process.stdout.write(usage) && 0);
  else opts.port = NaN;
}
if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
  process.stderr.write(usage);
  process.exit(2);
}
const log = opts.quiet ? () => {} : (what) => process.stderr.write(`${what}\n`);

const wss = new WebSocketServer({
  port: opts.port,
  host: "127.0.0.1",
  perMessageDeflate: opts.deflate,
  maxPayload: 16 << 20,
});
let nextId = 1;
wss.on("connection", (ws, req) => {
  const id = `conn ${nextId++} (${req.socket.remoteAddress}:${req.socket.remotePort})`;
  if (ws.extensions) log(`${id}: ${ws.extensions}`);
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", (err) => log(`${id}: failed: ${err.message} (${err.closeCode ?? err.code})`));
  ws.on("close", (code) => log(`${id}: closed with ${code}`));
});
wss.on("error", (err) => {
  process.stderr.write(`echo-server: cannot listen on 127.0.0.1:${opts.port}: ${err.message}\n`);
  process.exit(1);
});
wss.on("listening", () => process.stdout.write(`listening on 127.0.0.1:${wss.address().port}\n`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
