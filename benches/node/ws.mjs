// The `ws` side of the Node codec rows: ws's own Receiver and Sender classes, the code a ws
// WebSocket runs for every read and every send. Whether ws masks and unmasks with
// bufferutil is decided when ws loads (env WS_NO_BUFFER_UTIL); `wsMode()` reports what
// really happened in this process.
import { createRequire } from "node:module";
import path from "node:path";
import { Receiver, Sender } from "ws";

const require = createRequire(import.meta.url);

/** What this process runs: ws's version, whether its mask/unmask go to bufferutil's native code. */
export function wsMode() {
  const dir = path.dirname(require.resolve("ws/package.json"));
  const version = require("ws/package.json").version;
  // The module ws itself loaded (same file, so the same module instance).
  const bu = require(path.join(dir, "lib/buffer-util.js"));
  const viaBufferutil = /bufferUtil\./.test(bu.unmask.toString()) && /bufferUtil\./.test(bu.mask.toString());
  let bufferutil = null;
  try {
    const b = require("bufferutil");
    bufferutil = {
      version: require("bufferutil/package.json").version,
      native: /\[native code\]/.test(Function.prototype.toString.call(b.mask)),
    };
  } catch {
    // not installed
  }
  const nodeMask = typeof require("node:http").websocketMask === "function";
  return { version, viaBufferutil, bufferutil, nodeMask };
}

export const DECODE_NOTE =
  "Receiver({ isServer: true }).write(read) per read: unmasks in place, whole messages as Buffers " +
  "(views into the read when a frame fits in one; a frame spanning reads is copied into one Buffer first)";

/** Server side: feeds `reads` to a fresh Receiver; returns payload bytes + messages delivered. */
export function wsDecode(reads) {
  const receiver = new Receiver({ isServer: true, maxPayload: 100 * 1024 * 1024, binaryType: "nodebuffer" });
  let n = 0;
  let error = null;
  receiver.on("message", (data, isBinary) => {
    if (!isBinary) error = new Error("unexpected text message");
    n += data.length + 1;
  });
  receiver.on("error", (err) => (error = err));
  for (const read of reads) receiver.write(read);
  if (error) throw error;
  return n;
}

export function encodeNote(client) {
  return client
    ? "Sender.frame(payload, { mask: true, readOnly: true }) as WebSocket#send calls it: one new Buffer of header + payload masked into it (keys from an 8 KiB crypto.randomFillSync pool)"
    : "Sender.frame(payload, { mask: false }) as WebSocket#send calls it: a new header Buffer plus the caller's payload by reference (ws writes the two with a corked writev; no payload copy)";
}

/** `count` binary frames of `payload`; returns the frame bytes produced (header + payload buffers). */
export function wsEncode(payload, count, client) {
  const options = { fin: true, opcode: 0x02, mask: client, readOnly: true, rsv1: false };
  let n = 0;
  for (let i = 0; i < count; i++) {
    const list = Sender.frame(payload, options);
    for (let j = 0; j < list.length; j++) n += list[j].length;
  }
  return n;
}
