// The wsframe (wasm) side of the Node codec rows: the npm package's `Connection` (pkg/,
// built by `make wasm-build`). Each function is one whole repetition of a workload and
// returns the figure the harness checks (see workloads.mjs). Swap these functions when the
// package's API changes; keep the returned figures and the notes truthful.
import { Connection } from "../../pkg/src/node.js";

export const NAME = "wsframe (wasm)";

export const DECODE_NOTE =
  "Connection({ messages: true }).receive(read) per read: copies each read into wasm memory, " +
  "whole messages out, each a Uint8Array copied out of wasm memory";

/**
 * Server side: feeds `reads` (Buffers of at most 64 KiB) to a fresh Connection and returns
 * payload bytes + messages delivered.
 */
export function wsframeDecode(reads) {
  const conn = new Connection({ role: "server", messages: true });
  let n = 0;
  for (const read of reads) {
    for (const event of conn.receive(read)) {
      if (event.type !== "binary") throw new Error(`unexpected ${event.type} event`);
      n += event.data.length + 1;
    }
  }
  conn.free();
  return n;
}

export function encodeNote(client) {
  return client
    ? "sendBinary (copies the payload into wasm, masks with a Web Crypto key from the binding's pool) + takeOutgoing() after each frame (a new Uint8Array of the frame)"
    : "sendBinary (copies the payload into wasm) + takeOutgoing() after each frame (a new Uint8Array of the frame)";
}

/**
 * `count` binary messages of `payload`, one frame each, from a fresh server (unmasked) or
 * client (masked) Connection; the frame's bytes are taken after each send, as a server
 * writing each message to its socket does. Returns the bytes taken.
 */
export function wsframeEncode(payload, count, client) {
  const conn = new Connection({ role: client ? "client" : "server" });
  let n = 0;
  for (let i = 0; i < count; i++) {
    conn.sendBinary(payload);
    n += conn.takeOutgoing().length;
  }
  conn.free();
  return n;
}
