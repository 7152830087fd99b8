#!/usr/bin/env node
// A WebSocket echo server on the `wsframe` npm package over node:net (DESIGN.md §5).
//
//   node examples/node/echo-server.mjs --port P [--deflate] [--quiet]
//
// Prints `listening on 127.0.0.1:P` when ready (`--port 0` picks a free port). Echoes every
// text and binary message whole with the same type, answers pings, completes closing
// handshakes (echoing the code), fails protocol violations with the close code the core
// reports (after echoing what came before them), selects the first subprotocol offered,
// refuses bad handshakes with an HTTP error, drops clients that take too long to finish
// their handshake, and stops reading from a client while its socket is backed up.
// Messages up to 16 MiB in any number of fragments; handshakes up to 8 KiB. With --deflate it
// accepts permessage-deflate offers (RFC 7692) under the core's default policy, inflates what
// arrives compressed (inflated size bounded by the same 16 MiB) and compresses every echo.
import net from "node:net";
import process from "node:process";
import { Connection, acceptResponse, negotiateDeflate, parseRequest, rejectResponse } from "../../pkg/src/node.js";

const MAX_MESSAGE = 16 << 20;
const MAX_HANDSHAKE = 8 << 10;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** After our Close (or a rejection), how long the peer has to close TCP before we destroy it. */
const LINGER_MS = 2_000;

function usage(code) {
  (code ? process.stderr : process.stdout).write(
    "usage: node examples/node/echo-server.mjs --port PORT [--deflate] [--quiet]\n",
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { port: undefined, quiet: false, deflate: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 65535) {
        process.stderr.write(`echo-server: bad port ${argv[i]}\n`);
        usage(2);
      }
      opts.port = v;
    } else if (a === "--deflate") {
      opts.deflate = true;
    } else if (a === "--quiet" || a === "-q") {
      opts.quiet = true;
    } else if (a === "--help" || a === "-h") {
      usage(0);
    } else {
      process.stderr.write(`echo-server: unknown argument ${JSON.stringify(a)}\n`);
      usage(2);
    }
  }
  if (opts.port === undefined) usage(2);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
let nextId = 1;

function log(id, socket, what) {
  if (!opts.quiet) process.stderr.write(`conn ${id} (${socket.remoteAddress}:${socket.remotePort}): ${what}\n`);
}

/** Writes, pausing reads until 'drain' when the socket's buffer is full (backpressure). */
function send(socket, bytes) {
  if (bytes.length === 0 || socket.destroyed || socket.writableEnded) return;
  if (!socket.write(bytes) && !socket.isPaused()) {
    socket.pause();
    socket.once("drain", () => {
      if (!socket.destroyed) socket.resume();
    });
  }
}

/** Ends our side after the last write, and destroys the socket if the peer lingers. */
function finish(socket) {
  if (!socket.writableEnded) socket.end();
  socket.resume(); // read (and discard) until the peer's FIN, so that our data is not reset
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

function serve(socket) {
  const id = nextId++;
  socket.setNoDelay(true);
  let conn = null;
  let handshake = Buffer.alloc(0);
  let done = false;
  const timer = setTimeout(() => {
    log(id, socket, "handshake timed out");
    socket.destroy();
  }, HANDSHAKE_TIMEOUT_MS);
  timer.unref();

  function end(how) {
    if (done) return;
    done = true;
    log(id, socket, how);
    finish(socket);
  }

  /**
   * Decodes what arrived one event at a time, echoing each message before the next is
   * decoded; pings are answered and the peer's Close echoed by the package (autoPong,
   * autoClose). On a violation the package queues the Close with its code after the echoes
   * of everything before it (RFC 6455 §7.1.7); nothing after the violation is read.
   */
  function onFrames(bytes) {
    let how = null;
    try {
      for (const ev of conn.receive(bytes)) {
        if (ev.type === "text") conn.sendText(ev.data);
        else if (ev.type === "binary") conn.sendBinary(ev.data);
        else if (ev.type === "close") how = ev.code === undefined ? "closed by peer without a code" : `closed by peer with ${ev.code}`;
      }
    } catch (err) {
      if (err?.name !== "ProtocolError") throw err;
      how = `failed: ${err.message} (${err.closeCode})`;
    }
    send(socket, conn.takeOutgoing());
    // The server closes TCP first once the closing handshake is done (RFC 6455 §7.1.1).
    if (how !== null || conn.state === "closed") end(how ?? "closed");
  }

  function onHandshake(chunk) {
    handshake = handshake.length === 0 ? chunk : Buffer.concat([handshake, chunk]);
    let request;
    try {
      request = parseRequest(handshake, { maxSize: MAX_HANDSHAKE });
    } catch (err) {
      if (err?.name !== "HandshakeError") throw err;
      clearTimeout(timer);
      send(socket, rejectResponse(err));
      end(`handshake refused: ${err.message} (${err.status})`);
      return;
    }
    if (request === null) return; // incomplete: wait for more
    clearTimeout(timer);
    // The first subprotocol offered is selected (browsers fail a handshake whose offer gets
    // no answer); permessage-deflate if allowed and offered.
    const agreed = opts.deflate ? negotiateDeflate(request) : null;
    send(socket, acceptResponse(request, { protocol: request.protocols[0], extensions: agreed?.response }));
    conn = new Connection({ role: "server", messages: true, maxMessageSize: MAX_MESSAGE, deflate: agreed?.params });
    if (agreed) log(id, socket, `permessage-deflate: ${agreed.response}`);
    const rest = handshake.subarray(request.consumed);
    handshake = null;
    if (rest.length > 0) onFrames(rest);
  }

  socket.on("data", (chunk) => {
    if (done) return; // draining after our Close or a rejection
    try {
      if (conn === null) onHandshake(chunk);
      else onFrames(chunk);
    } catch (err) {
      log(id, socket, `internal error: ${err?.stack ?? err}`);
      done = true;
      socket.destroy();
    }
  });
  socket.on("end", () => {
    if (!done) end(conn ? "peer closed TCP without a Close frame" : "peer closed TCP during the handshake");
  });
  socket.on("error", (err) => {
    if (!done) log(id, socket, `i/o error: ${err.message}`);
    done = true;
  });
  socket.on("close", () => {
    clearTimeout(timer);
    conn?.free();
    conn = null;
  });
}

const server = net.createServer({ noDelay: true }, serve);
server.on("error", (err) => {
  process.stderr.write(`echo-server: cannot listen on 127.0.0.1:${opts.port}: ${err.message}\n`);
  process.exit(1);
});
server.listen(opts.port, "127.0.0.1", () => {
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
