// Data integrity (issue 9): messages through the package's Connection come out as they went
// in, byte for byte (compared by SHA-256), checked against independent implementations rather
// than only wsframe against itself:
//   (a) what wsframe sends is decoded by a hand-written frame decoder (tests/interop/node/
//       corpus.mjs) and, when compressed, inflated by Node's zlib with the negotiated window;
//   (b) frames built by hand around zlib's deflate output (RFC 7692 §7.2.1: raw deflate, sync
//       flush, tail removed), fragmented at random, are read by wsframe;
// and wsframe's own frames are read back by a wsframe peer. Several messages per connection,
// so the compression context carried between messages (context takeover) is exercised.
//
// Deflate off and on; every parameter combination of the JS API at small sizes (no context
// takeover each way x window bits 8..15 each way x levels 0..9); medium sizes around the 32 KiB
// window at fewer combinations; the whole corpus (0 B to 1 MiB + 1) at the default parameters.
import { test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { Connection, acceptResponse, clientRequest, negotiateDeflate, parseRequest } from "wsframe";
import { SIZES, concat, corpus, decodeFrames, encodeFrame, imageBytes, imageSlices, make, prng, sha256 } from "../../tests/interop/node/corpus.mjs";

const Z = zlib.constants;
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const utf8 = new TextEncoder();
const PARAM_KEYS = ["serverNoContextTakeover", "clientNoContextTakeover", "serverMaxWindowBits", "clientMaxWindowBits"];

/**
 * Node's zlib as one end of one direction of a permessage-deflate connection. With context
 * takeover the LZ77 window carries over from message to message (RFC 7692 §7.2.1); zlib's
 * preset dictionary is exactly that window, so each message is one zlib call given the last
 * 2^bits bytes of the messages before it. Without takeover every message starts empty.
 */
class ZlibEnd {
  #history = Buffer.alloc(0);

  constructor({ bits, takeover, level = Z.Z_DEFAULT_COMPRESSION }) {
    this.bits = bits;
    this.takeover = takeover;
    this.level = level;
  }

  #dictionary() {
    return this.takeover && this.#history.length > 0 ? this.#history : undefined;
  }

  #remember(bytes) {
    if (!this.takeover) return;
    const all = Buffer.concat([this.#history, bytes]);
    this.#history = Buffer.from(all.subarray(Math.max(0, all.length - (1 << this.bits))));
  }

  /** A compressed message payload (tail removed) as zlib inflates it. */
  inflate(payload) {
    const out = zlib.inflateRawSync(Buffer.concat([payload, TAIL]), {
      windowBits: this.bits,
      dictionary: this.#dictionary(),
      finishFlush: Z.Z_SYNC_FLUSH,
      // zlib checks distances against its window only for what is no longer in the output
      // buffer; a 64-byte buffer makes it check (nearly) every one against 2^bits.
      chunkSize: this.bits < 15 ? 64 : 64 * 1024,
    });
    this.#remember(out);
    return out;
  }

  /** A message payload as zlib compresses it for the wire (RFC 7692 §7.2.1). */
  deflate(bytes) {
    const out = zlib.deflateRawSync(bytes, {
      // zlib cannot deflate with a 256-byte window (it takes 512); Z_RLE keeps every distance
      // at 1, valid under any window.
      windowBits: Math.max(this.bits, 9),
      strategy: this.bits === 8 ? Z.Z_RLE : Z.Z_DEFAULT_STRATEGY,
      level: this.level,
      dictionary: this.#dictionary(),
      finishFlush: Z.Z_SYNC_FLUSH,
    });
    assert.deepEqual(out.subarray(-4), TAIL, "a sync flush ends with 00 00 ff ff");
    this.#remember(bytes);
    return out.subarray(0, out.length - 4);
  }
}

/**
 * Negotiates `config` through the handshake helpers; the agreed params must be those asked
 * for. Returns the Connection `deflate` options of both ends.
 */
function negotiate(config) {
  const req = clientRequest("ws://127.0.0.1/", { deflate: config });
  const parsed = parseRequest(req.bytes);
  const agreed = negotiateDeflate(parsed, { level: config.level });
  assert.ok(agreed, `no agreement on ${JSON.stringify(config)}`);
  const answer = req.handshake.checkResponse(acceptResponse(parsed, { extensions: agreed.response }));
  for (const key of PARAM_KEYS) {
    assert.equal(agreed.params[key], config[key], `server's ${key} for ${agreed.response}`);
    assert.equal(answer.deflate[key], config[key], `client's ${key} for ${agreed.response}`);
  }
  return { client: answer.deflate, server: agreed.params };
}

/**
 * Both directions of one connection: in each, a wsframe sender, its wsframe receiver, a zlib
 * end checking what the sender compressed, a zlib end compressing for a second wsframe
 * receiver (its own: two compressors cannot share one receiver's context).
 */
function endpoints(config, { messages = [true, false] } = {}) {
  const params = config ? negotiate(config) : { client: null, server: null };
  const direction = (from, to, i) => {
    const fromParams = from === "client" ? params.client : params.server;
    const bitsKey = from === "client" ? "clientMaxWindowBits" : "serverMaxWindowBits";
    const nctKey = from === "client" ? "clientNoContextTakeover" : "serverNoContextTakeover";
    const zlibOptions = config && { bits: config[bitsKey], takeover: !config[nctKey], level: config.level };
    return {
      name: `${from} to ${to}`,
      masked: from === "client",
      sender: new Connection({ role: from, deflate: fromParams }),
      receiver: new Connection({ role: to, deflate: to === "client" ? params.client : params.server, messages: messages[i] }),
      handReceiver: new Connection({ role: to, deflate: to === "client" ? params.client : params.server, messages: !messages[i] }),
      zlibIn: config && new ZlibEnd(zlibOptions),
      zlibOut: config && new ZlibEnd(zlibOptions),
    };
  };
  const dirs = [direction("client", "server", 0), direction("server", "client", 1)];
  dirs.free = () => {
    for (const d of dirs) for (const c of [d.sender, d.receiver, d.handReceiver]) c.free();
  };
  return dirs;
}

/** Up to `max` cut points in 0..n, sorted (duplicates give empty pieces, which are valid). */
function cuts(n, rand, max) {
  const k = rand() % (max + 1);
  return Array.from({ length: k }, () => rand() % (n + 1)).sort((a, b) => a - b);
}

function pieces(bytes, points) {
  const out = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** Feeds `wire` to `conn` in random pieces; the one message it carries, as bytes. */
function receiveOne(conn, wire, type, rand, where) {
  const events = [];
  for (const piece of pieces(wire, cuts(wire.length, rand, 3))) events.push(...conn.receive(piece));
  assert.ok(events.length > 0, `${where}: no event`);
  for (const [i, ev] of events.entries()) {
    assert.equal(ev.type, type, `${where}: event ${i}`);
    assert.equal(ev.last, i === events.length - 1, `${where}: event ${i} of ${events.length} last`);
  }
  return type === "text" ? utf8.encode(events.map((e) => e.data).join("")) : concat(events.map((e) => e.data));
}

/** `fn()`, with a zlib error (e.g. a distance beyond the window) naming the message. */
function zlibCall(fn, where) {
  try {
    return fn();
  } catch (err) {
    if (typeof err?.code !== "string" || !err.code.startsWith("Z_")) throw err;
    throw new assert.AssertionError({ message: `${where}: ${err.message} (${err.code})` });
  }
}

/**
 * One message through one direction, every way; `label` names it in failures. `compress:
 * false` sends it uncompressed on a deflate connection (RFC 7692 §6: the sender's choice per
 * message), which must leave the compression context as it was.
 */
function check(dir, data, rand, label, { compress = true, into } = {}) {
  const text = typeof data === "string";
  const type = text ? "text" : "binary";
  const bytes = text ? utf8.encode(data) : data;
  const want = sha256(bytes);
  const where = `${label}, ${dir.name}`;
  const deflate = dir.zlibIn !== null && compress;
  const options = dir.zlibIn !== null ? { compress } : undefined;

  // (a) wsframe's frame, decoded and inflated independently, then read by wsframe. With
  // `into` (binary only), sent by sendBinaryInto into that reused buffer at a varying offset.
  let wire;
  if (into) {
    const at = rand() % 8;
    wire = into.subarray(at, at + dir.sender.sendBinaryInto(data, into, at, options));
  } else {
    if (text) dir.sender.sendText(data, options);
    else dir.sender.sendBinary(data, options);
    wire = dir.sender.takeOutgoing();
  }
  const frames = decodeFrames(wire);
  assert.equal(frames.length, 1, `${where}: one frame per message`);
  const [f] = frames;
  assert.equal(f.fin, true, `${where}: FIN`);
  assert.equal(f.opcode, text ? 1 : 2, `${where}: opcode`);
  assert.equal(f.masked, dir.masked, `${where}: masked iff client to server (RFC 6455 §5.1)`);
  assert.equal(f.rsv, deflate ? 4 : 0, `${where}: RSV1 iff compressed (RFC 7692 §6)`);
  const plain = deflate ? zlibCall(() => dir.zlibIn.inflate(f.payload), `${where}: zlib inflating wsframe's frame`) : f.payload;
  assert.equal(plain.length, bytes.length, `${where}: ${deflate ? "zlib inflated" : "payload is"} ${plain.length} bytes of ${bytes.length}`);
  assert.equal(sha256(plain), want, `${where}: wsframe's frame ${deflate ? "inflated by zlib" : "payload"} differs`);
  assert.equal(sha256(receiveOne(dir.receiver, wire, type, rand, `${where} (wsframe to wsframe)`)), want, `${where}: wsframe to wsframe differs`);

  // (b) zlib's deflate (or the plain bytes) in hand-made frames, fragmented, read by wsframe.
  const payload = deflate ? zlibCall(() => dir.zlibOut.deflate(bytes), `${where}: zlib deflating`) : bytes;
  const mask = () => (dir.masked ? Uint8Array.of(rand(), rand(), rand(), rand()) : undefined);
  const handFrames = pieces(payload, cuts(payload.length, rand, 2)).map((p, i, all) =>
    encodeFrame({ opcode: i === 0 ? (text ? 1 : 2) : 0, fin: i === all.length - 1, rsv1: deflate && i === 0, payload: p, mask: mask() }),
  );
  const got = receiveOne(dir.handReceiver, concat(handFrames), type, rand, `${where} (hand-made frames)`);
  assert.equal(got.length, bytes.length, `${where}: ${deflate ? "zlib's" : "hand-made"} frames arrived as ${got.length} bytes of ${bytes.length}`);
  assert.equal(sha256(got), want, `${where}: ${deflate ? "zlib's" : "hand-made"} frames arrived different`);
}

/**
 * Runs `messages` (data, or `[kind, size, compress]`) in order through both directions of
 * `config`.
 */
function run(config, messages, { seed = 1, label = JSON.stringify(config), messagesMode } = {}) {
  const dirs = endpoints(config, messagesMode && { messages: messagesMode });
  const rand = prng(seed);
  try {
    for (const [i, m] of messages.entries()) {
      const [data, name, compress] = Array.isArray(m)
        ? [make(m[0], m[1]), `${m[0]} ${m[1]} bytes${m[2] === false ? ", uncompressed" : ""}`, m[2]]
        : [m, `${m.length} bytes`, undefined];
      for (const dir of dirs) check(dir, data, rand, `${label}, message ${i} (${name})`, { compress });
    }
  } finally {
    dirs.free();
  }
}

/**
 * Runs every config of `configs` (each with `messages`), going on after a failure so the
 * report shows how many fail and which; fails if any did.
 */
function sweep(configs, messages, seed) {
  const failures = [];
  let count = 0;
  for (const config of configs) {
    count++;
    seed++;
    try {
      run(config, messages, { seed, messagesMode: seed % 2 ? [true, false] : [false, true] });
    } catch (err) {
      failures.push(err.message.split("\n")[0]);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} of ${count} parameter combinations failed; the first:\n  ${failures.slice(0, 5).join("\n  ")}`);
}

const DEFAULTS = Object.freeze({
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  level: 6,
});

// Small messages for the full sweep; repeats, so with context takeover later ones refer back,
// and one sent uncompressed in between, which must not disturb the context.
const SMALL = [
  ["english", 600], ["multilingual", 400], ["image", 1500], ["random", 130], ["json", 900],
  ["english", 600], ["json", 300, false], ["zlib", 200], ["multilingual", 0], ["image", 1500], ["multilingual", 400],
];
// Medium messages around the 32 KiB window and the frame-length boundaries.
const MEDIUM = [
  ["random", 31746], ["image", 31745], ["multilingual", 32769], ["english", 65537], ["image", 65536], ["zlib", 40000],
];

test("corpus sizes and kinds are what the issue asks for", () => {
  for (const n of [0, 1, 125, 126, 127, 31745, 31746, 65535, 65536, 65537, 1 << 20]) assert.ok(SIZES.includes(n), `${n}`);
  for (let k = 7; k <= 20; k++) for (const n of [2 ** k - 1, 2 ** k, 2 ** k + 1]) assert.ok(SIZES.includes(n), `${n}`);
  const m = make("multilingual", 4096);
  for (const c of [0x0, 0x7f, 0x80, 0x7ff, 0x800, 0xfffe, 0xffff, 0x10000, 0x10ffff]) assert.ok(m.includes(String.fromCodePoint(c)), c.toString(16));
  assert.ok(m.startsWith("\ufeff") && m.endsWith("\ufeff") && m.slice(1, -1).includes("\ufeff"), "U+FEFF at start, middle and end");
  const bmp = imageBytes(1078);
  assert.equal(Buffer.from(bmp.subarray(0, 2)).toString("latin1"), "BM");
  assert.equal(Buffer.from(bmp).readUInt16LE(28), 8, "8 bits per pixel");
});

test("deflate off: the whole corpus both ways, each message checked by an independent frame decoder and encoder", () => {
  run(null, [...corpus()].map((m) => m.data), { label: "deflate off" });
});

test("deflate, default parameters: the whole corpus (0 B to 1 MiB + 1) both ways against zlib, context taken over", () => {
  const items = [...corpus()];
  const dirs = endpoints(DEFAULTS);
  const rand = prng(2);
  try {
    for (const [i, m] of items.entries()) for (const dir of dirs) check(dir, m.data, rand, `defaults, message ${i} (${m.name})`);
  } finally {
    dirs.free();
  }
});

test("sendBinaryInto: the whole corpus as binary both ways, deflate off and on, into one reused buffer", () => {
  const target = new Uint8Array((1 << 20) + 4096); // room for deflate's growth of random bytes
  for (const config of [null, DEFAULTS]) {
    const dirs = endpoints(config);
    const rand = prng(4);
    try {
      for (const [i, m] of [...corpus()].entries()) {
        const bytes = m.text ? utf8.encode(m.data) : m.data;
        for (const dir of dirs) check(dir, bytes, rand, `into, ${config ? "deflate" : "plain"}, message ${i} (${m.name})`, { into: target });
      }
    } finally {
      dirs.free();
    }
  }
});

test("deflate, default parameters: 64 consecutive 64 KiB slices of an overexposed noisy greyscale BMP (issue 9)", () => {
  run(DEFAULTS, imageSlices(64), { seed: 3, label: "BMP slices" });
});

for (let level = 0; level <= 9; level++) {
  test(`deflate, level ${level}: every no_context_takeover and window bits combination (256), small messages`, () => {
    const configs = [];
    for (const serverNoContextTakeover of [false, true]) {
      for (const clientNoContextTakeover of [false, true]) {
        for (let serverMaxWindowBits = 8; serverMaxWindowBits <= 15; serverMaxWindowBits++) {
          for (let clientMaxWindowBits = 8; clientMaxWindowBits <= 15; clientMaxWindowBits++) {
            configs.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, level });
          }
        }
      }
    }
    sweep(configs, SMALL, 100 * level);
  });
}

for (const level of [0, 1, 6, 9]) {
  test(`deflate, level ${level}, medium messages (31 KiB to 64 KiB + 1): no_context_takeover each way x window bits 8..15`, () => {
    const configs = [];
    for (const serverNoContextTakeover of [false, true]) {
      for (const clientNoContextTakeover of [false, true]) {
        for (let bits = 8; bits <= 15; bits++) {
          // Each direction sees every window size: the server's rises as the client's falls.
          configs.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits: bits, clientMaxWindowBits: 23 - bits, level });
        }
      }
    }
    sweep(configs, MEDIUM, 5000 + 100 * level);
  });
}

test("the checks can fail: a dropped byte, a wrong window and a lost context are caught", () => {
  // zlib refuses a wsframe message whose back-reference needs a context it does not have.
  const server = new Connection({ role: "server", deflate: DEFAULTS });
  const zlibClient = new ZlibEnd({ bits: 15, takeover: false });
  const hello = () => {
    server.sendText("Hello, Hello, Hello");
    return decodeFrames(server.takeOutgoing())[0].payload;
  };
  zlibClient.inflate(hello());
  assert.throws(() => zlibClient.inflate(hello()), /invalid distance/);
  // A distance beyond the negotiated window is refused.
  const far = Buffer.concat([make("random", 600), make("random", 600)]);
  const farPayload = zlib.deflateRawSync(far, { finishFlush: Z.Z_SYNC_FLUSH }).subarray(0, -4);
  assert.throws(() => new ZlibEnd({ bits: 9, takeover: true }).inflate(farPayload), /invalid distance/);
  // A message one byte short (what the old compressor did) differs by SHA-256.
  const dirs = endpoints(DEFAULTS);
  const [c2s] = dirs;
  const data = make("random", 31746);
  const sender = { sendBinary: () => c2s.sender.sendBinary(data.subarray(0, -1)), takeOutgoing: () => c2s.sender.takeOutgoing() };
  const bad = { ...c2s, sender };
  assert.throws(() => check(bad, data, prng(1), "short"), /zlib inflated 31745 bytes of 31746/);
  dirs.free();
  server.free();
});

test("frameBinary: a server's payload goes by reference after the queue; every corpus message decodes (independent decoder) byte for byte", () => {
  const binary = (m) => (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data);
  for (const role of ["server", "client"]) {
    const conn = new Connection({ role });
    try {
      for (const [i, m] of [...corpus()].entries()) {
        const data = binary(m);
        // Queued first, the chunks keep it in front: nothing, a Ping that with the header
        // still fits the 16 bytes frameHeader takes in one call, and one that does not.
        const ping = ["", "p", "a Ping longer than 16 B"][i % 3];
        if (ping) conn.ping(ping);
        const chunks = conn.frameBinary(data);
        assert.equal(conn.bufferedAmount, 0, "nothing left queued");
        if (role === "server") {
          assert.equal(chunks.length, 2, m.name);
          assert.equal(chunks[1], data, "the caller's bytes themselves, not a copy");
        } else {
          assert.equal(chunks.length, 1, m.name);
        }
        const frames = decodeFrames(concat(chunks));
        assert.equal(frames.length, ping ? 2 : 1, `${role} ${i} ${m.name}`);
        if (ping) assert.deepEqual([frames[0].opcode, Buffer.from(frames[0].payload).toString()], [0x9, ping]);
        const frame = frames.at(-1);
        assert.deepEqual([frame.opcode, frame.fin, frame.masked], [0x2, true, role === "client"]);
        assert.equal(sha256(frame.payload), sha256(data), `${role} ${i} ${m.name} (${data.length} B)`);
      }
    } finally {
      conn.free();
    }
  }
  // With deflate on, a compressed message is one chunk; compress: false goes by reference.
  const z = new Connection({ role: "server", deflate: true });
  const data = imageBytes(70000);
  const [one, ...rest] = z.frameBinary(data);
  assert.equal(rest.length, 0);
  const frame = decodeFrames(one)[0];
  assert.equal(frame.rsv, 4, "RSV1: compressed");
  const inflated = zlib.inflateRawSync(Buffer.concat([frame.payload, TAIL]), { finishFlush: Z.Z_SYNC_FLUSH });
  assert.equal(sha256(inflated), sha256(data), "zlib inflates it to the bytes sent");
  const plain = z.frameBinary(data, { compress: false });
  assert.equal(plain[1], data);
  assert.equal(sha256(decodeFrames(concat(plain))[0].payload), sha256(data));
  // Refused like sendBinary: after our Close, nothing is queued.
  z.close(1000);
  z.takeOutgoing();
  assert.throws(() => z.frameBinary(data, { compress: false }), (e) => e.code === "CLOSED");
  assert.equal(z.bufferedAmount, 0);
  z.free();
});

test("frameBinaryInto: a server's header (after anything queued) lands in the caller's buffer, the payload goes by reference; every corpus message decodes (independent decoder) byte for byte", () => {
  const binary = (m) => (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data);
  const rand = prng(31);
  const conn = new Connection({ role: "server" });
  const target = new Uint8Array(4096).fill(0xee);
  try {
    for (const [i, m] of [...corpus()].entries()) {
      const data = binary(m);
      // Queued first, in front of the header: nothing, a Ping that leaves the header packed
      // alone in frameHeader's return, one that does not, and two Pongs.
      const ping = ["", "p", "a Ping longer than 4 B", ""][i % 4];
      if (ping) conn.ping(ping);
      if (i % 4 === 3) [conn.pong("x"), conn.pong("y")];
      const offset = rand() % 200;
      const n = conn.frameBinaryInto(data, target, offset);
      assert.equal(conn.bufferedAmount, 0, "nothing left queued");
      assert.equal(target[offset + n], 0xee, "nothing written past the count");
      const frames = decodeFrames(concat([target.slice(offset, offset + n), data]));
      assert.equal(frames.length, ping ? 2 : i % 4 === 3 ? 3 : 1, `${i} ${m.name}`);
      if (ping) assert.deepEqual([frames[0].opcode, Buffer.from(frames[0].payload).toString()], [0x9, ping]);
      const frame = frames.at(-1);
      assert.deepEqual([frame.opcode, frame.fin, frame.masked, frame.rsv], [0x2, true, false, 0]);
      assert.equal(sha256(frame.payload), sha256(data), `${i} ${m.name} (${data.length} B)`);
      target.fill(0xee, offset, offset + n);
    }
    // Every length form, at the edges (RFC 6455 §5.2): the header must equal frameBinary's.
    const other = new Connection({ role: "server" });
    for (const len of [0, 1, 125, 126, 127, 65535, 65536, 65537]) {
      const data = make("random", len);
      const n = conn.frameBinaryInto(data, target, 7);
      assert.deepEqual(target.slice(7, 7 + n), other.frameBinary(data)[0], `${len} B`);
    }
    other.free();
    // Room: 14 bytes are needed before anything is queued.
    assert.throws(() => conn.frameBinaryInto(data0(), new Uint8Array(13)), RangeError);
    assert.throws(() => conn.frameBinaryInto(data0(), target, target.length - 13), RangeError);
    assert.equal(conn.bufferedAmount, 0, "nothing queued when there is no room");
    // Queued bytes that do not fit with the header stay queued, in order, with it.
    conn.ping("0123456789abc");
    assert.throws(() => conn.frameBinaryInto(Uint8Array.of(1, 2, 3), new Uint8Array(14)), RangeError);
    const frames = decodeFrames(concat([conn.takeOutgoing(), Uint8Array.of(1, 2, 3)]));
    assert.deepEqual(frames.map((f) => [f.opcode, [...f.payload].length]), [[0x9, 13], [0x2, 3]]);
  } finally {
    conn.free();
  }
  // A client masks, and a compressed message is deflated: both take the copying path.
  const c = new Connection({ role: "client" });
  assert.throws(() => c.frameBinaryInto(data0(), target), TypeError);
  c.free();
  const z = new Connection({ role: "server", deflate: true });
  assert.throws(() => z.frameBinaryInto(data0(), target), TypeError);
  const n = z.frameBinaryInto(Uint8Array.of(5), target, 0, { compress: false });
  assert.deepEqual([...target.subarray(0, n)], [0x82, 0x01]);
  // Refused like sendBinary after our Close, nothing written or queued.
  z.close(1000);
  z.takeOutgoing();
  assert.throws(() => z.frameBinaryInto(data0(), target, 0, { compress: false }), (e) => e.code === "CLOSED");
  assert.equal(z.bufferedAmount, 0);
  z.free();
});

function data0() {
  return new Uint8Array(0);
}

test("messages: true: reads that fall inside a large message's payload go straight into it; every corpus message arrives byte for byte, invalid UTF-8 there fails with 1007", () => {
  const rand = prng(97);
  const bytesOf = (m) => (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data);
  for (const views of [false, true]) {
    const conn = new Connection({ role: "server", messages: true });
    try {
      for (const [i, m] of [...corpus()].entries()) {
        const data = bytesOf(m);
        const text = typeof m.data === "string";
        // Whole or in fragments (hand-made frames), a Ping between fragments.
        const frag = [Infinity, 70000, 4096][i % 3];
        const parts = [];
        for (let at = 0; at < data.length; at += frag) parts.push(data.subarray(at, at + frag));
        if (parts.length === 0) parts.push(data);
        const mask = () => Uint8Array.of(rand(), rand(), rand(), rand());
        const wire = concat(parts.flatMap((p, j) => [
          encodeFrame({ opcode: j === 0 ? (text ? 1 : 2) : 0, fin: j === parts.length - 1, payload: p, mask: mask() }),
          encodeFrame({ opcode: 9, payload: Uint8Array.of(j), mask: mask() }),
        ]));
        // 64 KiB reads as a socket gives them, or odd sizes.
        const size = i % 2 ? 65536 : 1 + (rand() % 100000);
        const got = [];
        for (let at = 0; at < wire.length; at += size) {
          for (const ev of views ? conn.receiveViews(wire.subarray(at, at + size)) : conn.receive(wire.subarray(at, at + size))) {
            if (ev.type === "ping") continue;
            got.push(ev.type === "text" && !views ? new TextEncoder().encode(ev.data) : ev.data.slice());
            assert.equal(ev.type, text ? "text" : "binary", m.name);
          }
        }
        conn.takeOutgoing(); // the Pongs
        assert.equal(got.length, 1, `${m.name}: ${got.length} messages`);
        assert.equal(sha256(got[0]), sha256(data), `${m.name} (${data.length} B, views ${views}): bytes differ`);
      }
    } finally {
      conn.free();
    }
  }
  // A bad byte deep in a text frame, in the read that goes straight into the message.
  const conn = new Connection({ role: "server", messages: true });
  const bad = new TextEncoder().encode(make("multilingual", 200000));
  bad[150000] = 0xff;
  const wire = encodeFrame({ opcode: 1, payload: bad, mask: Uint8Array.of(1, 2, 3, 4) });
  assert.equal([...conn.receive(wire.subarray(0, 65536))].length, 0);
  assert.equal([...conn.receive(wire.subarray(65536, 131072))].length, 0);
  assert.throws(() => [...conn.receive(wire.subarray(131072))], (e) => e.closeCode === 1007);
  conn.free();
});

test("messages: true, reads copied in pieces (each payload byte once): the caller reuses its buffer at once, leaves iterations unfinished, and every message still arrives byte for byte", () => {
  const rand = prng(41);
  const mask = () => Uint8Array.of(rand(), rand(), rand(), rand());
  const bytesOf = (m) => (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data);
  const wire = [];
  const want = [];
  let pings = 0;
  for (const [i, m] of [...corpus({ sizes: SIZES.filter((n) => n >= 1000) })].entries()) {
    const data = bytesOf(m);
    const frag = [16384, 1000, 64, 65536][i % 4];
    const parts = [];
    for (let at = 0; at < data.length; at += frag) parts.push(data.subarray(at, at + frag));
    parts.forEach((p, j) => {
      wire.push(encodeFrame({ opcode: j === 0 ? (m.text ? 1 : 2) : 0, fin: j === parts.length - 1, payload: p, mask: mask() }));
      if (j % 3 === 1) {
        wire.push(encodeFrame({ opcode: 9, payload: Uint8Array.of(j & 0xff, i & 0xff), mask: mask() }));
        pings++;
      }
    });
    want.push(sha256(data));
    // A small whole message right behind: the read that ends the large one goes on past it.
    const small = Uint8Array.of(i & 0xff, 0xfe, 0xff);
    wire.push(encodeFrame({ opcode: 2, payload: small, mask: mask() }));
    want.push(sha256(small));
  }
  const all = concat(wire);
  // Buffer too: its own `slice` is a view, not a copy.
  for (const [views, Bytes] of [[false, Uint8Array], [true, Uint8Array], [false, Buffer], [true, Buffer]]) {
    const conn = new Connection({ role: "server", messages: true });
    const got = [];
    const take = (ev) => {
      if (ev.type === "text" || ev.type === "binary") {
        got.push(sha256(typeof ev.data === "string" ? new TextEncoder().encode(ev.data) : ev.data.slice()));
      }
    };
    // One read buffer, reused for every read as a socket loop does.
    const buf = new Bytes(100003);
    const sizes = [65536, 1 + (rand() % 9), 4096, 100003, 20011];
    for (let at = 0, r = 0; at < all.length; r++) {
      const n = Math.min(sizes[r % sizes.length], all.length - at);
      buf.set(all.subarray(at, at + n));
      at += n;
      const events = views ? conn.receiveViews(buf.subarray(0, n)) : conn.receive(buf.subarray(0, n));
      if (r % 3 === 0) {
        // Only the first event, if any; the rest stays buffered, and the buffer is reused now.
        const first = events.next();
        if (!first.done) take(first.value);
      } else {
        for (const ev of events) take(ev);
      }
      buf.fill(0xee);
    }
    for (const ev of conn.receive()) take(ev);
    const how = `views ${views}, ${Bytes.name}`;
    assert.equal(conn.pendingInputBytes, 0, how);
    assert.equal(got.length, want.length, how);
    got.forEach((h, i) => assert.equal(h, want[i], `message ${i} of ${want.length} (${how}): bytes differ`));
    const pongs = decodeFrames(conn.takeOutgoing());
    assert.equal(pongs.length, pings, `${how}: one Pong per Ping`);
    conn.free();
  }
});

test("receive takes a Buffer view into wasm memory (an event's data) as input: copied first, so the memory growing under it loses nothing", () => {
  // A's message is itself the wire of a 4 MiB frame for B; B gets it as a Buffer over A's view.
  const inner = new Uint8Array(4 << 20).map((_, i) => (i * 13) & 0xff);
  const frame = encodeFrame({ opcode: 2, payload: inner, mask: Uint8Array.of(9, 8, 7, 6) });
  const a = new Connection({ role: "server", messages: true });
  const b = new Connection({ role: "server", messages: true });
  const [ev] = [...a.receiveViews(encodeFrame({ opcode: 2, payload: frame, mask: Uint8Array.of(1, 2, 3, 4) }))];
  const asBuffer = Buffer.from(ev.data.buffer, ev.data.byteOffset, ev.data.length);
  const got = [...b.receive(asBuffer)];
  assert.equal(got.length, 1);
  assert.equal(sha256(got[0].data), sha256(inner));
  a.free();
  b.free();
});
