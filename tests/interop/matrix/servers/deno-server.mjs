// Interop matrix server on Deno's native server, Deno.serve + Deno.upgradeWebSocket
// (tests/interop/matrix/README.md, "The contract every server follows"):
//
//   deno run --no-prompt --allow-net=127.0.0.1 deno-server.mjs --port P [--deflate]
//
// Echoes text and binary whole with the same type, selects the first offered subprotocol,
// answers pings and completes the closing handshake (Deno does both itself), and prints
// {"server_close": {"code", "reason"}} when a connection closes.
// Limits of Deno's server WebSocket (a WHATWG WebSocket object), by design here:
// - no permessage-deflate: Deno's server never negotiates it; --deflate is accepted and ignored;
// - it cannot send fragments (no API), so `matrix-fragmented` texts are echoed whole;
// - it cannot send a ping on demand, nor choose a ping's payload. What it has is the
//   `idleTimeout` keepalive: after idleTimeout/2 s without an incoming frame it sends a Ping
//   (empty payload), and if no frame (the Pong) comes within another idleTimeout/2 s it closes
//   with 1001 "No response from ping frame."; any incoming frame re-arms it. So on
//   `matrix-ping-me` (after which the client sends nothing until it gets a reply) this server
//   waits PING_WAIT s, long enough for Deno's ping and its deadline, and sends `matrix-pong-ok`
//   if the connection is still open, which means the client answered the ping; without a
//   Pong, Deno closes the connection and the client's ping case fails.
// Runs until SIGTERM.
const args = Deno.args;
const usage = "usage: deno run --allow-net=127.0.0.1 deno-server.mjs --port P [--deflate]";
let port = undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") port = Number(args[++i]);
  else if (args[i] === "--deflate") {
    // Accepted and ignored: Deno's server has no permessage-deflate.
  } else port = NaN;
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(usage);
  Deno.exit(2);
}

// Deno pings after IDLE_TIMEOUT/2 s of silence and closes IDLE_TIMEOUT/2 s later without a
// Pong (so a client stalled for 3 s mid-suite would see a ping, which it must answer anyway).
const IDLE_TIMEOUT = 6;
const PING_WAIT = IDLE_TIMEOUT + 1.5;

const encoder = new TextEncoder();
const out = (line) => Deno.stdout.writeSync(encoder.encode(line + "\n"));

Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

Deno.serve(
  {
    hostname: "127.0.0.1",
    port,
    onListen: ({ hostname, port }) => out(`listening on ${hostname}:${port}`),
  },
  (req) => {
    if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return new Response("a WebSocket echo server\n", { status: 426 });
    }
    const offered = (req.headers.get("sec-websocket-protocol") ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
    // Deno checks `protocol` against the offer split on ", " exactly, so an offer written
    // "a,b" (as Node's ws writes it) throws. Workaround: upgrade without `protocol` and put the
    // header on the upgrade response ourselves (its headers are mutable).
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: IDLE_TIMEOUT });
    if (offered.length > 0) response.headers.set("sec-websocket-protocol", offered[0]);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (e) => {
      if (e.data === "matrix-ping-me") {
        setTimeout(() => {
          if (socket.readyState === WebSocket.OPEN) socket.send("matrix-pong-ok");
        }, PING_WAIT * 1000);
        return;
      }
      socket.send(e.data);
    };
    socket.onclose = (e) => out(JSON.stringify({ server_close: { code: e.code, reason: e.reason } }));
    socket.onerror = (e) => console.error(`deno-server: ${e.message ?? "error event"}`);
    return response;
  },
);
