// Deterministic inputs, the same bytes benches/src/inputs.rs builds: its xorshift64*
// generator, its frame encoder and its seeds, so the Node rows decode exactly the bytes
// the Rust rows decode (mask keys included).

const OP_CONT = 0x0;
const OP_BINARY = 0x2;
export { OP_BINARY };

/** 32x32 -> 64-bit product as [hi, lo] (unsigned 32-bit halves). */
function mul32(a, b) {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const hi = p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 0x10000);
  return [hi >>> 0, lo >>> 0];
}

const M_HI = 0x2545f491;
const M_LO = 0x4f6cdd1d;

/** xorshift64* (benches/src/inputs.rs `Rng`), on two 32-bit halves. */
export class Rng {
  constructor(seed) {
    const s = BigInt(seed) || 1n; // seed.max(1)
    this.hi = Number(s >> 32n) >>> 0;
    this.lo = Number(s & 0xffffffffn) >>> 0;
  }

  /** The next output as [hi, lo]. */
  next() {
    let { hi, lo } = this;
    // x ^= x >> 12
    lo = (lo ^ ((lo >>> 12) | (hi << 20))) >>> 0;
    hi = (hi ^ (hi >>> 12)) >>> 0;
    // x ^= x << 25
    hi = (hi ^ ((hi << 25) | (lo >>> 7))) >>> 0;
    lo = (lo ^ (lo << 25)) >>> 0;
    // x ^= x >> 27
    lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
    hi = (hi ^ (hi >>> 27)) >>> 0;
    this.hi = hi;
    this.lo = lo;
    // x * M mod 2^64
    const [ph, pl] = mul32(lo, M_LO);
    const rh = (ph + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
    return [rh, pl];
  }

  /** Fills `buf` 8 bytes at a time, little endian (as `Rng::fill`). */
  fill(buf) {
    const full = buf.length & ~7;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < full; i += 8) {
      const [h, l] = this.next();
      dv.setUint32(i, l, true);
      dv.setUint32(i + 4, h, true);
    }
    if (full < buf.length) {
      const [h, l] = this.next();
      const tmp = new Uint8Array(8);
      const tv = new DataView(tmp.buffer);
      tv.setUint32(0, l, true);
      tv.setUint32(4, h, true);
      buf.set(tmp.subarray(0, buf.length - full), full);
    }
  }

  /** A masking key: the low 32 bits, little endian (as `inputs::key`). */
  key() {
    const [, l] = this.next();
    return Uint8Array.of(l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24);
  }
}

export function randomBytes(len, seed) {
  const v = Buffer.alloc(len);
  new Rng(seed).fill(v);
  return v;
}

function headerLen(len, masked) {
  return (len < 126 ? 2 : len <= 0xffff ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes one frame (RFC 6455 §5.2) at `out[at]`, masked with `key` if given; returns the end. */
function putFrame(out, at, fin, opcode, key, payload) {
  out[at++] = (fin ? 0x80 : 0) | opcode;
  const maskBit = key ? 0x80 : 0;
  const len = payload.length;
  if (len < 126) {
    out[at++] = maskBit | len;
  } else if (len <= 0xffff) {
    out[at++] = maskBit | 126;
    out[at++] = len >>> 8;
    out[at++] = len & 0xff;
  } else {
    out[at++] = maskBit | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), at);
    out.writeUInt32BE(len >>> 0, at + 4);
    at += 8;
  }
  if (!key) {
    out.set(payload, at);
    return at + len;
  }
  out.set(key, at);
  at += 4;
  for (let i = 0; i < len; i++) out[at + i] = payload[i] ^ key[i & 3];
  return at + len;
}

/** `count` masked single-frame messages of `payload` (as `inputs::small_frames`). */
export function smallFrames(count, opcode, payload, seed) {
  const rng = new Rng(seed);
  const out = Buffer.alloc(count * (headerLen(payload.length, true) + payload.length));
  let at = 0;
  for (let i = 0; i < count; i++) at = putFrame(out, at, true, opcode, rng.key(), payload);
  return out;
}

/** One masked binary message of `payload` in `fragments` frames (as `inputs::fragmented`). */
export function fragmented(payload, fragments, seed) {
  const rng = new Rng(seed);
  const per = Math.ceil(payload.length / fragments);
  const out = Buffer.alloc(payload.length + fragments * headerLen(per, true));
  let at = 0;
  for (let i = 0, off = 0; off < payload.length; i++, off += per) {
    const chunk = payload.subarray(off, off + per);
    const fin = (i + 1) * per >= payload.length;
    at = putFrame(out, at, fin, i === 0 ? OP_BINARY : OP_CONT, rng.key(), chunk);
  }
  return out.subarray(0, at);
}

/** Reads of at most `cap` bytes, each a fresh Buffer, as a Node socket hands them out. */
export function reads(input, cap = 64 * 1024) {
  const out = [];
  for (let at = 0; at < input.length; at += cap) {
    out.push(Buffer.from(input.subarray(at, at + cap)));
  }
  return out;
}
