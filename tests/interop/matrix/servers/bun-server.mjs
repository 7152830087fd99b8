// Interop matrix server on Bun's native server, Bun.serve (tests/interop/matrix/README.md,
// "The contract every server follows"):
//
//   bun bun-server.mjs --port P [--deflate]
//
// Echoes text and binary whole with the same type, selects the first offered subprotocol
// (through the upgrade's response headers), allows 16 MiB messages, answers pings and echoes
// the client's close code and reason (uWebSockets does both), answers `matrix-ping-me` by
// pinging with `matrix-server-ping` and sending `matrix-pong-ok` / `matrix-pong-missing`
// (10 s bound), and prints {"server_close": {"code", "reason"}} when a connection closes.
// --deflate enables permessage-deflate. Bun's ServerWebSocket cannot send fragments, so
// `matrix-fragmented` texts are echoed whole. Runs until SIGTERM.
import process from "node:process";

const args = process.argv.slice(2);
const usage = "usage: bun bun-server.mjs --port P [--deflate]";
let port = undefined;
let deflate = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") port = Number(args[++i]);
  else if (args[i] === "--deflate") deflate = true;
  else port = NaN;
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(usage);
  process.exit(2);
}

const out = (line) => process.stdout.write(line + "\n");

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(req, server) {
    const offered = (req.headers.get("sec-websocket-protocol") ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const headers = offered.length > 0 ? { "Sec-WebSocket-Protocol": offered[0] } : {};
    if (server.upgrade(req, { headers, data: { pingTimer: null } })) return undefined;
    return new Response("a WebSocket echo server\n", { status: 426 });
  },
  websocket: {
    perMessageDeflate: deflate,
    maxPayloadLength: 16 << 20,
    // Queue rather than drop or close when a 4 MiB echo backs up.
    backpressureLimit: 64 << 20,
    closeOnBackpressureLimit: false,
    idleTimeout: 0,
    sendPings: false,
    message(ws, message) {
      if (message === "matrix-ping-me") {
        clearTimeout(ws.data.pingTimer);
        ws.data.pingTimer = setTimeout(() => {
          ws.data.pingTimer = null;
          ws.send("matrix-pong-missing");
        }, 10_000);
        ws.ping("matrix-server-ping");
        return;
      }
      // send() returns the bytes sent, -1 when queued for backpressure, 0 when dropped (and
      // also 0 for an empty message).
      const size = typeof message === "string" ? message.length : message.byteLength;
      if (ws.send(message) === 0 && size > 0) console.error("bun-server: an echo was dropped");
    },
    pong(ws, data) {
      if (ws.data.pingTimer !== null && new TextDecoder().decode(data) === "matrix-server-ping") {
        clearTimeout(ws.data.pingTimer);
        ws.data.pingTimer = null;
        ws.send("matrix-pong-ok");
      }
    },
    close(ws, code, reason) {
      clearTimeout(ws.data.pingTimer);
      out(JSON.stringify({ server_close: { code, reason } }));
    },
  },
});
out(`listening on 127.0.0.1:${server.port}`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
