// The wsframe (wasm) side of the Node codec rows: the npm package's `Connection` (pkg/,
// built by `make wasm-build`). Each function is one whole repetition of a workload and
// returns the figure the harness checks (see workloads.mjs). Swap these functions when the
// package's API changes; keep the returned figures and the notes truthful.
import { Connection } from "../../pkg/src/node.js";

export const NAME = "wsframe (wasm)";

export const DECODE_NOTE =
  "Connection({ messages: true }).receiveViews(read) per read: copies each read into wasm memory " +
  "(the one copy; payload of a reassembled message straight into it: a read inside one frame's payload, and, " +
  "with frames of 64 KiB or more, a read across frames in pieces, each header alone), whole messages out " +
  "as views into wasm memory, valid until the next call (receive() would copy each out)";

/**
 * Server side: feeds `reads` (Buffers of at most 64 KiB) to a fresh Connection and returns
 * payload bytes + messages delivered.
 */
export function wsframeDecode(reads) {
  const conn = new Connection({ role: "server", messages: true });
  let n = 0;
  for (const read of reads) {
    for (const event of conn.receiveViews(read)) {
      if (event.type !== "binary") throw new Error(`unexpected ${event.type} event`);
      n += event.data.length + 1;
    }
  }
  conn.free();
  return n;
}

export function encodeNote(client) {
  return client
    ? "sendBinaryInto(payload, buffer, offset): copies the payload once, straight into the outgoing queue in wasm memory, " +
        "where the frame is built around it and masked in place with a Web Crypto key from the binding's pool, then copies " +
        "the frame into one preallocated 1 MiB buffer, reused (one call into wasm after the staging call; no allocation per frame)"
    : "frameBinaryInto(payload, buffer, offset): the header written into one preallocated 64 KiB buffer, reused (one call into " +
        "wasm, which returns a header of up to 4 bytes in its result), the caller's payload by reference (no payload copy, as ws; " +
        "no allocation per frame)";
}

/**
 * `count` binary messages of `payload`, one frame each, from a fresh server (unmasked) or
 * client (masked) Connection; the frame's bytes (a server's header; a client's whole frame)
 * are taken after each send into one preallocated buffer, as a sender writing from its own
 * buffer does. Returns the frame bytes produced (a server's payload counted by reference).
 * One function per role: a loop V8 optimised for one role's calls is not deoptimised by
 * the other's (a worker runs both workloads).
 */
export function wsframeEncode(payload, count, client) {
  return client ? encodeClient(payload, count) : encodeServer(payload, count);
}

function encodeServer(payload, count) {
  const conn = new Connection({ role: "server" });
  const head = new Uint8Array(1 << 16);
  let n = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const h = conn.frameBinaryInto(payload, head, at);
    n += h + payload.length;
    at = at + h > head.length - 14 ? 0 : at + h;
  }
  conn.free();
  return n;
}

function encodeClient(payload, count) {
  const conn = new Connection({ role: "client" });
  const out = new Uint8Array(1 << 20);
  const room = out.length - payload.length - 14;
  let n = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const w = conn.sendBinaryInto(payload, out, at);
    n += w;
    at = at + w > room ? 0 : at + w;
  }
  conn.free();
  return n;
}
