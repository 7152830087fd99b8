#!/usr/bin/env node
// The `ws` peer of the echo round trips (echo.mjs): a ws WebSocketServer that echoes every
// message with its type, as the wsframe echo servers do (DESIGN.md §5). ws loads bufferutil
// when it is installed (benches/node/package.json pins it), as most ws deployments run.
//
//   node benches/node/ws-echo-server.mjs --port P
// Prints `listening on 127.0.0.1:P` (`--port 0` picks a free port); runs until SIGTERM/SIGINT.
import process from "node:process";
import { parseArgs } from "node:util";
import { WebSocketServer } from "ws";
import { wsMode } from "./ws.mjs";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const mode = wsMode();
const wss = new WebSocketServer({ port: Number(values.port), host: "127.0.0.1", perMessageDeflate: false, maxPayload: 16 << 20 });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
});
wss.on("listening", () => {
  process.stderr.write(`ws-echo-server: ws ${mode.version}, bufferutil ${mode.viaBufferutil ? "in use" : "not in use"}\n`);
  process.stdout.write(`listening on 127.0.0.1:${wss.address().port}\n`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
