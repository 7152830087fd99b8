// The Node codec workloads. Ids equal to the Rust harness's (benches/src/workloads.rs) join
// its tables and must do the same work at the same size, on the same bytes (inputs.mjs);
// the others are Node-only tables and carry their own title and sizes.
import { OP_BINARY, fragmented, randomBytes, smallFrames } from "./inputs.mjs";

const FRAMES = 100_000;
const BIG = 16 << 20;

function decodeSmall(size) {
  return {
    id: `decode-${size}b-binary`,
    kind: "decode",
    title: `Decode ${FRAMES / 1000}k masked binary frames of ${size} B`,
    bytes: FRAMES * (size + 6),
    ops: FRAMES,
    ops_name: "frames",
    bytes_basis: "wire bytes in",
    expected: FRAMES * size + FRAMES,
    // benches/src/workloads.rs: random_bytes(size, 3), small_frames(.., 11)
    input: () => smallFrames(FRAMES, OP_BINARY, randomBytes(size, 3), 11),
  };
}

function decodeBig(fragments) {
  const per = BIG / fragments;
  const header = per < 126 ? 6 : per <= 0xffff ? 8 : 14;
  return {
    id: `decode-big-${fragments}`,
    kind: "decode",
    title:
      fragments === 1
        ? "Decode one masked 16 MiB binary message in 1 frame"
        : `Decode one masked 16 MiB binary message in ${fragments} fragments of ${per >> 10} KiB`,
    bytes: BIG + fragments * header,
    ops: fragments,
    ops_name: "frames",
    bytes_basis: "wire bytes in",
    expected: BIG + 1,
    gc: true, // a full gc() before each repetition (bench-worker.mjs)
    // benches/src/workloads.rs: random_bytes(big, 5), fragmented(.., 13)
    input: () => fragmented(randomBytes(BIG, 5), fragments, 13),
  };
}

function encode(size, client, count = FRAMES) {
  const header = (size < 126 ? 2 : size <= 0xffff ? 4 : 10) + (client ? 4 : 0);
  const label = size >= 1024 ? `${size >> 10}kib` : `${size}b`;
  const human = size >= 1024 ? `${size >> 10} KiB` : `${size} B`;
  return {
    id: `encode-${label}-${client ? "client" : "server"}`,
    kind: "encode",
    client,
    count,
    title: `Encode ${count / 1000}k binary frames of ${human} (${client ? "client, masked" : "server, unmasked"})`,
    bytes: count * size,
    ops: count,
    ops_name: "frames",
    bytes_basis: "payload bytes",
    expected: count * (size + header),
    // benches/src/workloads.rs: random_bytes(size, 17)
    input: () => randomBytes(size, 17),
  };
}

/** Every codec workload, in run order. */
export const WORKLOADS = [
  decodeSmall(16),
  decodeBig(1),
  decodeBig(1024),
  encode(16, false),
  encode(16, true),
  // Node only (no Rust table of this size): issue 12's "encode 1 KiB server frames" lane.
  encode(1024, false),
];
