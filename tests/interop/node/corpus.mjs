// The data-integrity corpus (issue 9), shared by pkg/test/integrity.test.mjs and the `ws`
// interop scripts: deterministic (seeded PRNG), so a failure names a message that can be
// regenerated. Also an independent frame encoder/decoder (RFC 6455 §5.2) that shares no
// code with wsframe, and SHA-256, by which every check compares bytes.
//
// Kinds: highly compressible text (English, JSON-like records), multilingual text (1- to
// 4-byte UTF-8, U+FEFF at start, middle and end, U+0000, noncharacters, every boundary
// code point between sequence lengths), image-like bytes (slices of an uncompressed 8-bit
// greyscale BMP, gradient plus noise like a photograph), random bytes and a zlib-compressed
// blob. Text kinds are strings of exactly `size` UTF-8 bytes; the others are Uint8Arrays.
import crypto from "node:crypto";
import zlib from "node:zlib";

const utf8 = new TextEncoder();

/** 0, 1, 125-127 (7-bit length limits), 2^k-1..2^k+1 for k = 7..20, 31745/31746 (issue 9), 64 KiB +-1, 1 MiB. */
export const SIZES = (() => {
  const s = new Set([0, 1, 125, 126, 127, 31745, 31746, 65535, 65536, 65537, 1 << 20]);
  for (let k = 7; k <= 20; k++) for (const d of [-1, 0, 1]) s.add(2 ** k + d);
  return [...s].sort((a, b) => a - b);
})();

export const TEXT_KINDS = ["english", "json", "multilingual"];
export const BINARY_KINDS = ["image", "random", "zlib"];
export const KINDS = [...TEXT_KINDS, ...BINARY_KINDS];

/** Texts whose U+FEFF a BOM-stripping decoder would lose (a WebSocket text message has no BOM). */
export const BOM_TEXTS = ["\ufeffabc", "\ufeff", "a\ufeffb", "abc\ufeff"];

/** xorshift32: a small, fast, seeded PRNG; returns uint32s. */
export function prng(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

export function randomBytes(n, seed) {
  const next = prng(seed);
  const out = new Uint8Array(n);
  const words = n >>> 2;
  const w = new Uint32Array(out.buffer, 0, words);
  for (let i = 0; i < words; i++) w[i] = next();
  for (let i = words * 4; i < n; i++) out[i] = next() & 0xff;
  return out;
}

export function sha256(data) {
  return crypto.createHash("sha256").update(typeof data === "string" ? utf8.encode(data) : data).digest("hex");
}

/** The byte arrays in `parts`, end to end, as one Uint8Array. */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function utf8Length(s) {
  return Buffer.byteLength(s, "utf8");
}

const ENGLISH =
  "It was the best of times, it was the worst of times, it was the age of wisdom, it was the " +
  "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the " +
  "season of Light, it was the season of Darkness, it was the spring of hope, it was the winter " +
  "of despair. ";

/** Repeated English prose, `n` ASCII bytes. */
export function english(n) {
  return ENGLISH.repeat(Math.ceil(n / ENGLISH.length)).slice(0, n);
}

/** JSON-like records, one per line, `n` ASCII bytes (the last record cut off). */
export function jsonRecords(n, seed = 1) {
  const next = prng(seed);
  const parts = [];
  let len = 0;
  for (let id = 1; len < n; id++) {
    const r = next();
    const tags = JSON.stringify(["alpha", "beta", "gamma"].slice(r % 3));
    const line =
      `{"id":${id},"name":"user-${r % 1000}","email":"user${r % 1000}@example.com",` +
      `"active":${(r & 1) === 1},"score":${(r % 10000) / 100},"tags":${tags}}\n`;
    parts.push(line);
    len += line.length;
  }
  return parts.join("").slice(0, n);
}

/**
 * Every code point at a UTF-8 sequence-length boundary (U+007F/U+0080, U+07FF/U+0800,
 * U+FFFF/U+10000, U+10FFFF), the edges of the surrogate gap (U+D7FF, U+E000; surrogates
 * themselves are not text), U+0000, the noncharacters U+FFFE, U+FFFF, U+10FFFF, and U+FEFF.
 */
export const SPECIAL_CODE_POINTS = [
  0x0000, 0x007f, 0x0080, 0x07ff, 0x0800, 0xd7ff, 0xe000, 0xfeff, 0xfffe, 0xffff, 0x10000, 0x10ffff,
];
const SPECIAL = SPECIAL_CODE_POINTS.map((c) => String.fromCodePoint(c)).join("");
const WORDS = [
  "naïve café ", "Größe ", "Привет, мир! ", "Съешь же ещё этих мягких французских булок. ",
  "漢字仮名交じり文 ", "你好，世界。", "한국어 ", "Γειά σου κόσμε ", "😀🎉👍🏽 ", "𝄞𝕏 ",
  "\ufeff", "\u0000", "\ufffe\uffff", "\u{10ffff}", SPECIAL,
];

/**
 * Multilingual text of exactly `n` UTF-8 bytes: U+FEFF first and last (when `n` >= 6),
 * the special code points next, then random words of 1- to 4-byte characters (U+FEFF
 * among them), padded with ASCII.
 */
export function multilingual(n, seed = 2) {
  const next = prng(seed);
  const edges = n >= 6 ? 3 : 0;
  const parts = [];
  let len = 0;
  const add = (s) => {
    const l = utf8Length(s);
    if (len + l > n - edges) return false;
    parts.push(s);
    len += l;
    return true;
  };
  if (edges) add("\ufeff");
  add(SPECIAL);
  for (let misses = 0; misses < 8; ) {
    if (!add(WORDS[next() % WORDS.length])) misses++;
  }
  parts.push("x".repeat(n - edges - len));
  if (edges) parts.push("\ufeff");
  return parts.join("");
}

/**
 * An uncompressed 8-bit greyscale BMP (BITMAPINFOHEADER, 256-entry grey palette, bottom-up
 * rows): a diagonal gradient, soft large-scale shapes and per-pixel sensor noise, so it
 * compresses about as badly as a photograph does. `exposure` > 1 clips the highlights to
 * white, as in an overexposed photograph, which mixes runs into the noise.
 */
export function greyscaleBmp(width, height, seed = 3, { noise = 1, exposure = 1 } = {}) {
  const rowSize = (width + 3) & ~3;
  const offset = 14 + 40 + 256 * 4;
  const size = offset + rowSize * height;
  const bmp = Buffer.alloc(size);
  bmp.write("BM", 0, "latin1");
  bmp.writeUInt32LE(size, 2);
  bmp.writeUInt32LE(offset, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(height, 22);
  bmp.writeUInt16LE(1, 26); // planes
  bmp.writeUInt16LE(8, 28); // bits per pixel
  bmp.writeUInt32LE(0, 30); // BI_RGB: uncompressed
  bmp.writeUInt32LE(rowSize * height, 34);
  bmp.writeInt32LE(2835, 38); // 72 dpi
  bmp.writeInt32LE(2835, 42);
  bmp.writeUInt32LE(256, 46);
  for (let i = 0; i < 256; i++) bmp.writeUInt32LE(i * 0x010101, 54 + i * 4);
  const next = prng(seed);
  for (let y = 0; y < height; y++) {
    const row = offset + y * rowSize;
    for (let x = 0; x < width; x++) {
      const gradient = (96 * (x + y)) / (width + height);
      const shapes = 40 * Math.sin(x / 53 + Math.cos(y / 71)) * Math.cos(y / 37 - x / 97);
      const r = next();
      const grain = (noise * ((r & 0xff) + ((r >>> 8) & 0xff) + ((r >>> 16) & 0xff) - 382.5)) / 8; // sd about 9
      bmp[row + x] = Math.max(0, Math.min(255, Math.round((64 + gradient + shapes) * exposure + grain)));
    }
  }
  return new Uint8Array(bmp.buffer, bmp.byteOffset, bmp.length);
}

let image512;
let blob;

/** `n` bytes read circularly from `source` starting at `start`. */
export function cycle(source, n, start = 0) {
  const out = new Uint8Array(n);
  let o = 0;
  let i = start % source.length;
  while (o < n) {
    const take = Math.min(n - o, source.length - i);
    out.set(source.subarray(i, i + take), o);
    o += take;
    i = 0;
  }
  return out;
}

/** Image bytes: the 512x512 BMP from its header on, cycled (its 263,222 bytes are one period). */
export function imageBytes(n, start = 0) {
  image512 ??= greyscaleBmp(512, 512);
  return cycle(image512, n, start);
}

/** A zlib stream of mixed content (already compressed, so nearly incompressible), cycled. */
export function zlibBytes(n, start = 0) {
  blob ??= new Uint8Array(zlib.deflateSync(Buffer.concat([utf8.encode(multilingual(300_000, 9)), imageBytes(300_000)]), { level: 9 }));
  return cycle(blob, n, start);
}

/** One corpus message: a string for text kinds (exactly `size` UTF-8 bytes), else bytes. */
export function make(kind, size, seed = size) {
  switch (kind) {
    case "english": return english(size);
    case "json": return jsonRecords(size, seed + 1);
    case "multilingual": return multilingual(size, seed + 2);
    case "image": return imageBytes(size, seed * 1031);
    case "random": return randomBytes(size, seed + 4);
    case "zlib": return zlibBytes(size, seed * 2053);
    default: throw new Error(`unknown corpus kind ${kind}`);
  }
}

/** Yields `{ name, kind, size, text, data }` for every kind and size (defaults: all). */
export function* corpus({ kinds = KINDS, sizes = SIZES } = {}) {
  for (const kind of kinds) {
    for (const size of sizes) {
      yield { name: `${kind} ${size} bytes`, kind, size, text: TEXT_KINDS.includes(kind), data: make(kind, size) };
    }
  }
}

/**
 * Consecutive `sliceSize` slices of a larger noisy greyscale BMP (1920x1080, overexposed),
 * cycling through it: slice `i` starts at byte `i * sliceSize` modulo the image's length.
 * That length (2,074,678) is no multiple of 64 KiB, so every cycle cuts different slices.
 * The pre-fix compressor (issue 9) lost data in 38 of the first 1,000, first at slice 55.
 */
export function imageSlices(count, sliceSize = 64 * 1024, { width = 1920, height = 1080, seed = 5, exposure = 1.7 } = {}) {
  const image = greyscaleBmp(width, height, seed, { exposure });
  return Array.from({ length: count }, (_, i) => cycle(image, sliceSize, i * sliceSize));
}

// An independent frame codec (RFC 6455 §5.2), sharing no code with wsframe: it checks
// what wsframe writes and builds what wsframe must read.

/**
 * One frame: `opcode` 0-15, `fin` (default true), `rsv1` (permessage-deflate's "compressed"
 * bit, RFC 7692 §6), `payload` bytes, `mask` a 4-byte key (client to server) or absent.
 */
export function encodeFrame({ opcode, fin = true, rsv1 = false, payload, mask }) {
  const n = payload.length;
  const lenBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = 2 + lenBytes + (mask ? 4 : 0);
  const out = new Uint8Array(head + n);
  out[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  out[1] = (mask ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(2, n);
  else if (lenBytes === 8) view.setBigUint64(2, BigInt(n));
  if (mask) {
    out.set(mask, 2 + lenBytes);
    for (let i = 0; i < n; i++) out[head + i] = payload[i] ^ mask[i & 3];
  } else out.set(payload, head);
  return out;
}

/**
 * Every whole frame in `bytes`: `{ fin, rsv, opcode, masked, payload }` (payload unmasked,
 * a copy). Throws if bytes are left over: callers pass what one send call wrote.
 */
export function decodeFrames(bytes) {
  const frames = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  while (o < bytes.length) {
    if (bytes.length - o < 2) throw new Error(`${bytes.length - o} stray bytes after ${frames.length} frames`);
    const b0 = bytes[o];
    const b1 = bytes[o + 1];
    let len = b1 & 0x7f;
    let p = o + 2;
    if (len === 126) {
      len = view.getUint16(p);
      p += 2;
    } else if (len === 127) {
      len = Number(view.getBigUint64(p));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(p, p + 4) : null;
    if (masked) p += 4;
    if (p + len > bytes.length) throw new Error(`frame ${frames.length} truncated: ${len} bytes declared, ${bytes.length - p} present`);
    const payload = bytes.slice(p, p + len);
    if (key) for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload });
    o = p + len;
  }
  return frames;
}
