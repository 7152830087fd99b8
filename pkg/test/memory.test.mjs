// Memory bound (issue 10): one read carrying many compressed messages must not make the
// module hold them all inflated. Events are pulled one at a time, so at most one message
// limit of inflated data is alive at once, and what one message needed is reused by the
// next. wasm memory never shrinks, so its growth over the whole read is the peak. Each
// case runs in a fresh process (a child of this test), so no earlier allocation hides or
// adds to its growth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import zlib from "node:zlib";

const MIB = 1 << 20;
const MESSAGES = 64;

/** The child: one connection, one read, every event pulled; prints the memory figures as JSON. */
async function child(maxMessageSize, messages) {
  const { Connection } = await import("wsframe");
  const { wasmMemory } = await import("../dist/node/wsframe_wasm.js");
  const { encodeFrame } = await import("../../tests/interop/node/corpus.mjs");
  // Zeros compressed by Node's zlib (RFC 7692 §7.2.1: raw deflate, sync flush, tail removed),
  // each message one masked frame with RSV1.
  const zeros = zlib.deflateRawSync(new Uint8Array(maxMessageSize), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const frame = encodeFrame({ opcode: 0x2, rsv1: true, payload: zeros.subarray(0, -4), mask: Uint8Array.of(1, 2, 3, 4) });
  const read = new Uint8Array(frame.length * MESSAGES);
  for (let i = 0; i < MESSAGES; i++) read.set(frame, i * frame.length);
  const memory = wasmMemory();
  const before = memory.buffer.byteLength;
  const conn = new Connection({ role: "server", deflate: true, messages, maxMessageSize });
  const created = memory.buffer.byteLength;
  let count = 0;
  let afterFirst = 0;
  for (const ev of conn.receive(read)) {
    if (ev.type !== "binary" || ev.data.length !== maxMessageSize) throw new Error(`unexpected ${ev.type} of ${ev.data.length}`);
    if (++count === 1) afterFirst = memory.buffer.byteLength;
  }
  const after = memory.buffer.byteLength;
  process.stdout.write(JSON.stringify({ read: read.length, count, before, created, afterFirst, after }));
}

if (process.env.WSFRAME_MEMORY_CHILD) {
  const [size, messages] = process.env.WSFRAME_MEMORY_CHILD.split(",");
  await child(Number(size), messages === "true");
} else {
  for (const [maxMessageSize, messages] of [
    [MIB, true],
    [MIB, false],
    [16 * MIB, true],
  ]) {
    const name = `${MESSAGES} compressed messages of ${maxMessageSize / MIB} MiB of zeros in one read (messages ${messages})`;
    let figures;
    const measure = () => {
      figures ??= JSON.parse(
        execFileSync(process.execPath, [new URL(import.meta.url).pathname], {
          env: { ...process.env, WSFRAME_MEMORY_CHILD: `${maxMessageSize},${messages}` },
          encoding: "utf8",
        }),
      );
      return figures;
    };

    test(`${name}: memory does not grow with the number of messages`, () => {
      const f = measure();
      const mib = (n) => `${(n / MIB).toFixed(2)} MiB`;
      process.stdout.write(
        `# ${name}: a ${(f.read / 1024).toFixed(1)} KiB read; wasm memory grew ${mib(f.after - f.before)} ` +
          `(${((f.after - f.before) / maxMessageSize).toFixed(2)} x maxMessageSize; the connection itself ${mib(f.created - f.before)}), ` +
          `all of it by the first message\n`,
      );
      assert.equal(f.count, MESSAGES);
      assert.equal(f.after, f.afterFirst, "messages after the first reuse its memory");
      // Before the Session, every message of a read was held at once: 64 x maxMessageSize.
      assert.ok(f.after - f.before < 3 * maxMessageSize, `grew ${f.after - f.before} bytes`);
    });

    // wasm's allocator cannot grow a block in place, so every growth step of the core's
    // inflate buffer takes fresh memory; the core grows it fourfold to keep that in bounds.
    test(`${name}: peak growth at most 2 x maxMessageSize`, () => {
      const f = measure();
      assert.ok(f.after - f.before <= 2 * maxMessageSize, `grew ${f.after - f.before} bytes, over 2 x ${maxMessageSize}`);
    });
  }
}
