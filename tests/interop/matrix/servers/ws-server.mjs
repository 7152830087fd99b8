#!/usr/bin/env node
// Interop matrix server on Node `ws` (tests/interop/matrix/README.md, "The contract every
// server follows"):
//
//   node ws-server.mjs --port P [--deflate]
//
// Echoes text and binary whole with the same type, selects the first offered subprotocol,
// allows 16 MiB messages, answers pings (ws does), echoes the client's close code and reason
// (ws does: receiverOnConclude calls close(code, reason)), echoes a text starting with
// `matrix-fragmented` in three fragments, answers `matrix-ping-me` by pinging with
// `matrix-server-ping` and sending `matrix-pong-ok` / `matrix-pong-missing` (10 s bound), and
// prints {"server_close": {"code", "reason"}} when a connection closes. --deflate enables
// permessage-deflate. Runs until SIGTERM.
import { createRequire } from "node:module";
import process from "node:process";

const require = createRequire(new URL("../../node/package.json", import.meta.url));
const { WebSocketServer } = require("ws");

const args = process.argv.slice(2);
const usage = "usage: node ws-server.mjs --port P [--deflate]";
const opts = { port: undefined, deflate: false };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") opts.port = Number(args[++i]);
  else if (args[i] === "--deflate") opts.deflate = true;
  else opts.port = NaN;
}
if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
  console.error(usage);
  process.exit(2);
}

const wss = new WebSocketServer({
  host: "127.0.0.1",
  port: opts.port,
  perMessageDeflate: opts.deflate,
  maxPayload: 16 << 20,
  handleProtocols: (protocols) => {
    for (const p of protocols) return p; // the first offered (a Set keeps the order)
    return false;
  },
});

/** Splits a string into `parts` pieces at code point boundaries (at least two when possible). */
function split(text, parts) {
  const cps = [...text];
  const out = [];
  const size = Math.ceil(cps.length / parts);
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(""));
  return out;
}

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    if (!isBinary) {
      const text = data.toString("utf8");
      if (text === "matrix-ping-me") {
        let done = false;
        const finish = (ok) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          ws.off("pong", onPong);
          if (ws.readyState === ws.OPEN) ws.send(ok ? "matrix-pong-ok" : "matrix-pong-missing");
        };
        const onPong = (payload) => {
          if (payload.toString("utf8") === "matrix-server-ping") finish(true);
        };
        const timer = setTimeout(() => finish(false), 10_000);
        ws.on("pong", onPong);
        ws.ping("matrix-server-ping");
        return;
      }
      if (text.startsWith("matrix-fragmented")) {
        const pieces = split(text, 3);
        pieces.forEach((p, i) => ws.send(p, { binary: false, fin: i === pieces.length - 1 }));
        return;
      }
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on("close", (code, reason) => {
    process.stdout.write(`${JSON.stringify({ server_close: { code, reason: reason.toString("utf8") } })}\n`);
  });
  ws.on("error", (err) => process.stderr.write(`ws-server: connection error: ${err.message}\n`));
});
wss.on("listening", () => process.stdout.write(`listening on 127.0.0.1:${wss.address().port}\n`));
wss.on("error", (err) => {
  process.stderr.write(`ws-server: ${err.message}\n`);
  process.exit(1);
});
process.on("SIGTERM", () => process.exit(0));
