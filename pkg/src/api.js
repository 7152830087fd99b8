// The public API of the `wsframe` package, built over the wasm-bindgen glue.
//
// Every protocol decision is made in Rust (the wsframe core's Session). This file only
// moves bytes in and out of wasm memory, validates arguments, and turns the core's
// events into objects, one per pull. Each entry point (node.js, deno.js, bun.js,
// workerd.js, browser.js) loads the module its own way and calls `createApi(glue)` once.

const KIND_TEXT = 0x1; // event kinds: the opcodes (bindings/wasm/src/conn.rs)
const KIND_BINARY = 0x2;
const KIND_CLOSE = 0x8;
const KIND_PING = 0x9;
const KIND_PONG = 0xa;
const EMPTY = new Uint8Array(0);

const OPCODES = Object.freeze({
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
});

const utf8 = new TextEncoder();
// ignoreBOM: a WebSocket text message is UTF-8 in which U+FEFF is an ordinary character
// (RFC 6455 §5.6), and TextDecoder would otherwise drop one at the start of each message.
const UTF8_OPTIONS = Object.freeze({ ignoreBOM: true });
const utf8Decoder = new TextDecoder("utf-8", UTF8_OPTIONS);

/** A real `Error` with `name` and `code` (and more), like those the wasm side throws. */
function makeError(name, code, message, extra) {
  const err = new Error(message);
  err.name = name;
  err.code = code;
  if (extra) Object.assign(err, extra);
  return err;
}

/** Bytes from a Uint8Array (returned as is), another view, or an ArrayBuffer. */
function toBytes(value, what) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  // Another realm's Uint8Array (vm contexts, iframes) fails instanceof.
  if (value && typeof value === "object" && typeof value.byteLength === "number" && value.buffer) {
    return new Uint8Array(value.buffer, value.byteOffset ?? 0, value.byteLength);
  }
  throw new TypeError(`${what} must be a Uint8Array, an ArrayBufferView or an ArrayBuffer`);
}

/** Throws unless `offset` is an integer index into `out` (its length included). */
function checkOffset(out, offset) {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > out.length) {
    throw new TypeError("offset must be an integer within target");
  }
}

/** `a` then `b`, in a new Uint8Array. */
export function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The per-call `{ compress }` of sendText/sendBinary: compress unless it is false. */
function compressOption(options) {
  if (options === undefined || options === null) return true;
  if (typeof options !== "object") throw new TypeError("options must be an object");
  const v = options.compress;
  if (v !== undefined && typeof v !== "boolean") throw new TypeError("compress must be a boolean");
  return v !== false;
}

function optionalLimit(options, name, max = Number.MAX_SAFE_INTEGER) {
  const v = options[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new TypeError(`${name} must be a non-negative safe integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ""}`);
  }
  return v;
}

function optionalFlag(options, name, fallback) {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new TypeError(`${name} must be a boolean`);
  return v;
}

const DEFLATE_FLAGS = ["serverNoContextTakeover", "clientNoContextTakeover"];
const DEFLATE_BITS = ["serverMaxWindowBits", "clientMaxWindowBits"];

/**
 * A permessage-deflate config or params (`true`, or an object whose fields are all
 * optional) with the defaults filled in, frozen; null when off (`undefined`, `null`, `false`).
 */
function deflateOption(value) {
  if (value === undefined || value === null || value === false) return null;
  if (value !== true && (typeof value !== "object" || Array.isArray(value))) {
    throw new TypeError("deflate must be true or an object");
  }
  const v = value === true ? {} : value;
  const out = {};
  for (const key of DEFLATE_FLAGS) {
    if (v[key] !== undefined && typeof v[key] !== "boolean") throw new TypeError(`deflate.${key} must be a boolean`);
    out[key] = v[key] ?? false;
  }
  for (const [key, min, max, fallback] of [...DEFLATE_BITS.map((k) => [k, 8, 15, 15]), ["level", 0, 9, 6]]) {
    const n = v[key] ?? fallback;
    if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`deflate.${key} must be an integer in ${min}..=${max}`);
    out[key] = n;
  }
  return Object.freeze(out);
}

/** A normalized config as the numbers the wasm side takes. */
function deflateFields(d) {
  return Uint8Array.of(+d.serverNoContextTakeover, +d.clientNoContextTakeover, d.serverMaxWindowBits, d.clientMaxWindowBits, d.level);
}

/** Agreed params from the wasm side's numbers, with this end's level. */
function deflateParams(fields, level) {
  if (fields === null) return null;
  const [snct, cnct, serverMaxWindowBits, clientMaxWindowBits] = fields;
  return Object.freeze({
    serverNoContextTakeover: snct === 1,
    clientNoContextTakeover: cnct === 1,
    serverMaxWindowBits,
    clientMaxWindowBits,
    level,
  });
}

/** `{ interval, timeout }` (ms) as the wasm side's `[interval, timeout]`, or undefined. */
function heartbeatOption(value) {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value !== "object") throw new TypeError("heartbeat must be { interval, timeout }");
  const { interval, timeout = interval } = value;
  for (const [name, v] of [["interval", interval], ["timeout", timeout]]) {
    if (typeof v !== "number" || !(v >= 0)) throw new TypeError(`heartbeat.${name} must be a non-negative number of ms`);
  }
  return Float64Array.of(interval, timeout);
}

/** A class for the names only one runtime has: constructing it says so. */
export function nodeOnly(name) {
  return class {
    constructor() {
      throw makeError("WsframeError", "UNSUPPORTED", `${name} needs Node (node:http); this runtime has its own server API`);
    }
  };
}

export function createApi(glue) {
  const memory = glue.wasmMemory();
  const { RawConnection } = glue;

  /**
   * Bytes to pass into wasm. A view into wasm memory (from `views`) is copied first: the
   * call may grow the memory, which detaches such views.
   */
  function input(value, what) {
    const bytes = toBytes(value, what);
    // Uint8Array's slice copies (a Buffer's own `slice` would be a view again).
    return inWasm(bytes) ? Uint8Array.prototype.slice.call(bytes) : bytes;
  }

  let heapBuffer = memory.buffer;
  let heap = new Uint8Array(heapBuffer);
  let heap32 = new Uint32Array(heapBuffer);
  let heapView = new DataView(heapBuffer);
  /**
   * All of wasm memory as bytes, renewed when a call grew the memory (which detaches the old
   * view). `length`, not `byteLength`: once any buffer was detached, V8 takes a slow path for
   * `byteLength`, `byteOffset` and `buffer` (about 10 ns each), but not for `length`.
   */
  function heapU8() {
    if (heap.length === 0) {
      heapBuffer = memory.buffer;
      heap = new Uint8Array(heapBuffer);
      heap32 = new Uint32Array(heapBuffer);
      heapView = new DataView(heapBuffer);
    }
    return heap;
  }

  /** Whether `bytes` are a view into wasm memory (an event's data), which the next call may move. */
  function inWasm(bytes) {
    heapU8();
    return bytes.buffer === heapBuffer;
  }

  let pool = new ArrayBuffer(8192);
  let poolAt = 0;
  /**
   * `n` bytes for a short chunk handed out (a frame header): a view into a shared 8 KiB pool,
   * as Node's Buffer pool does, so no buffer is allocated per chunk. A used-up pool is
   * replaced, never reused: the views already handed out keep their bytes.
   */
  function chunk(n) {
    if (n > 1024) return new Uint8Array(n);
    if (poolAt + n > pool.byteLength) [pool, poolAt] = [new ArrayBuffer(8192), 0];
    const c = new Uint8Array(pool, poolAt, n); // faster than subarray (no species lookup) or `.buffer`
    poolAt += (n + 7) & ~7;
    return c;
  }

  /** How many bytes are queued, from what `raw.outgoing()` returned (nothing called since). */
  function queuedLength(queued) {
    heapU8(); // after the call, which may have grown the memory
    return heap32[(queued >>> 2) + 1];
  }

  /**
   * Copies queued bytes of `raw` into `out` at `offset`, oldest first, as many as fit; drops
   * them from the queue and returns how many. `queued` is what `raw.outgoing()` returned, if
   * nothing was called since; by default `raw.takeQueued`, one call when all of them fit.
   */
  function takeInto(raw, out, offset, queued = raw.takeQueued(room(out, offset))) {
    const i = queued >>> 2; // [address, length, taken] of the queue, u32 aligned
    const heap = heapU8();
    const at = heap32[i];
    const len = heap32[i + 1];
    // Taken already (takeQueued): all of it fits.
    if (heap32[i + 2] === 1) return copyOut(out, offset, heap, at, len);
    const n = copyOut(out, offset, heap, at, Math.min(len, room(out, offset)));
    if (n > 0) raw.consumeOutgoing(n);
    return n;
  }

  /** Bytes of `out` from `offset`: none if a call detached it (a view into wasm memory). */
  function room(out, offset) {
    return Math.max(0, out.length - offset);
  }

  // A DataView of the last target copied into (callers reuse theirs), with its length then.
  let lastTarget = null;
  let targetView = null;
  let targetLength = 0;

  /**
   * `out[offset..offset + n] = heap[at..at + n]` (`heap` just renewed by `heapU8`); returns
   * `n`. Up to 64 bytes go through DataViews, four bytes at a time, faster in V8 than a byte
   * loop or `set` with a `subarray` view.
   */
  function copyOut(out, offset, heap, at, n) {
    if (n > 64) {
      out.set(heap.subarray(at, at + n), offset);
      return n;
    }
    if (out !== lastTarget || out.length !== targetLength) {
      lastTarget = out;
      targetLength = out.length;
      targetView = new DataView(out.buffer, out.byteOffset, out.length);
    }
    let j = 0;
    for (; j + 4 <= n; j += 4) targetView.setUint32(offset + j, heapView.getUint32(at + j));
    if (j + 2 <= n) {
      targetView.setUint16(offset + j, heapView.getUint16(at + j));
      j += 2;
    }
    if (j < n) targetView.setUint8(offset + j, heapView.getUint8(at + j));
    return n;
  }

  /**
   * Takes what `raw.frameHeader` returned, `v` (not 0), into `out` at `offset`: a header
   * packed into the number (`n * 2^32 + word`, its `n` bytes those of `word`, low byte first;
   * already taken from the queue), or the queue at the table's address. Returns how many bytes,
   * or -1, copying nothing, when the queue does not fit (it stays queued).
   */
  function takeHeader(raw, v, out, offset) {
    if (v >= 4294967296) {
      const word = v >>> 0; // v modulo 2^32
      const n = (v - word) / 4294967296;
      for (let j = 0; j < n; j++) out[offset + j] = (word >>> (8 * j)) & 255;
      return n;
    }
    return queuedLength(v) <= out.length - offset ? takeInto(raw, out, offset, v) : -1;
  }

  /** How many bytes `takeHeader` takes for `v`. */
  function headerLength(v) {
    return v >= 4294967296 ? Math.floor(v / 4294967296) : queuedLength(v);
  }

  function payload(value, what) {
    return typeof value === "string" ? utf8.encode(value) : value == null ? EMPTY : input(value, what);
  }

  /**
   * A WebSocket connection after the opening handshake (RFC 6455 §5-§7), over the core's
   * Session: bytes in, events out, one at a time; calls in, bytes out through one queue.
   * No sockets, no timers.
   */
  class Connection {
    #raw;
    #role;
    #views;
    #messages;
    #deflate;
    #textDecoder = new TextDecoder("utf-8", UTF8_OPTIONS); // streams text chunks split inside a character
    /** An event decoded before its turn by a read copied in pieces (`#feed`): its table, or the violation. */
    #ready = null;
    /** The bytes of that read after the piece, in a copy of their own, not in wasm memory yet. */
    #rest = null;

    constructor(options = {}) {
      if (options === null || typeof options !== "object") {
        throw new TypeError("options must be an object");
      }
      const role = options.role ?? "server";
      if (role !== "client" && role !== "server") {
        throw new TypeError('role must be "client" or "server"');
      }
      this.#role = role;
      this.#views = Boolean(options.views);
      this.#messages = Boolean(options.messages);
      this.#deflate = deflateOption(options.deflate);
      this.#raw = new RawConnection(
        role,
        optionalLimit(options, "maxFramePayload"),
        optionalLimit(options, "maxMessageSize"),
        optionalLimit(options, "maxFragments", 0xffffffff),
        this.#messages,
        this.#deflate && deflateFields(this.#deflate),
        optionalFlag(options, "autoPong", true),
        optionalFlag(options, "autoClose", true),
        heartbeatOption(options.heartbeat),
      );
    }

    #live() {
      if (this.#raw === undefined) throw makeError("WsframeError", "FREED", "connection was freed");
      return this.#raw;
    }

    /** "client" or "server". */
    get role() {
      this.#live();
      return this.#role;
    }

    /** "open" | "closeSent" | "closeReceived" | "closed" | "failed". */
    get state() {
      return this.#live().state;
    }

    /** Whether text/binary events are whole messages (option `messages`). */
    get messages() {
      return this.#messages;
    }

    /** The permessage-deflate params in use (option `deflate`), or null. */
    get deflate() {
      return this.#deflate;
    }

    /** Received bytes not delivered yet: a partial frame, or events not pulled yet. */
    get pendingInputBytes() {
      const ready = this.#ready instanceof Array ? this.#ready[2] : 0; // a decoded event: its payload
      return this.#live().pendingInputBytes + ready + (this.#rest?.length ?? 0);
    }

    /** Bytes queued for the peer that `takeOutgoing()` has not handed over yet. */
    get bufferedAmount() {
      return queuedLength(this.#live().outgoing());
    }

    /**
     * Adds bytes read from the peer (optional: none just goes on with what is buffered) and
     * returns an iterator over the events they complete, decoded one at a time as it is
     * advanced: each event is handled (and answered) before the next is decoded. A
     * violation throws a `ProtocolError` from the iteration, after the events before it.
     * Events not pulled stay buffered for the next `receive`. `bytes` may be reused as soon as
     * this returns (see `#feed`: inside a message of large frames the first event may be
     * decoded here).
     */
    receive(bytes) {
      return this.#receive(bytes, this.#views);
    }

    /**
     * Like `receive`, but `data` of every event is a Uint8Array view into wasm memory
     * (text too, as UTF-8), valid only until the next call into this package: copy what
     * you keep.
     */
    receiveViews(bytes) {
      return this.#receive(bytes, true);
    }

    #receive(bytes, views) {
      const raw = this.#live();
      if (bytes !== undefined) {
        const data = input(bytes, "bytes");
        // Behind bytes kept from an earlier read (events of it not pulled yet), in order.
        if (this.#rest !== null) this.#rest = concat(this.#rest, data);
        else if (this.#ready !== null) this.#rest = Uint8Array.prototype.slice.call(data);
        else this.#feed(raw, data, false);
      }
      return this.#events(views);
    }

    /**
     * Copies `data` into wasm memory: all at once, or, inside a message reassembled from frames,
     * in the pieces the core asks for (`RawConnection.reserve`), decoding after each, so that
     * every payload byte is written once, straight into the message. A piece that completes an
     * event before the end of `data` leaves that event in `#ready` and the rest of `data` in
     * `#rest` (copied, unless `owned`): the caller may reuse its buffer once this returns.
     */
    #feed(raw, data, owned) {
      const len = data.length;
      let buffer = null; // of `data`, and where `data` starts in it: read once, for pieces
      let base = 0;
      for (let off = 0; off < len; ) {
        const i = raw.reserve(len - off) >>> 2; // [address, count]
        const heap = heapU8(); // after the call, which may have grown the memory
        const k = heap32[i + 1];
        const at = heap32[i];
        if (k === len) heap.set(data, at);
        else if (k <= 16) for (let j = 0; j < k; j++) heap[at + j] = data[off + j]; // a header: no view
        else {
          // A view made with the constructor: `subarray` on a Buffer looks up its species (slow).
          if (buffer === null) {
            buffer = data.buffer;
            base = data.byteOffset;
          }
          heap.set(new Uint8Array(buffer, base + off, k), at);
        }
        off += k;
        if (off === len) return;
        try {
          const e = raw.pull();
          if (e === 0) continue;
          heapU8();
          const j = e >>> 2;
          this.#ready = [heap32[j], heap32[j + 1], heap32[j + 2], heap32[j + 3]];
          // Uint8Array's slice copies; a Buffer's own `slice` would be a view of the caller's bytes.
          this.#rest = owned ? data.subarray(off) : Uint8Array.prototype.slice.call(data, off);
        } catch (err) {
          this.#ready = err; // thrown in turn; what follows a violation is never decoded
        }
        return;
      }
    }

    *#events(views) {
      for (let event = this.#pull(views); event !== null; event = this.#pull(views)) yield event;
    }

    /** The next event, or null when more input is needed. */
    #pull(views) {
      const raw = this.#live();
      const ready = this.#ready;
      if (ready !== null) {
        this.#ready = null;
        if (!(ready instanceof Array)) throw ready;
        heapU8(); // calls since may have grown the memory
        return this.#event(ready[0], ready[1], ready[2], ready[3], views);
      }
      let at = raw.pull();
      while (at === 0 && this.#rest !== null) {
        const rest = this.#rest;
        this.#rest = null;
        this.#feed(raw, rest, true);
        if (this.#ready !== null) return this.#pull(views);
        at = raw.pull();
      }
      if (at === 0) return null;
      heapU8(); // after the call, which may have grown the memory
      const i = at >>> 2; // the event table: [kind, ptr, len, extra], u32 aligned
      return this.#event(heap32[i], heap32[i + 1], heap32[i + 2], heap32[i + 3], views);
    }

    /** The event of a table's `[kind, ptr, len, extra]`. */
    #event(kind, ptr, len, extra, views) {
      const view = new Uint8Array(heapBuffer, ptr, len);
      switch (kind) {
        case KIND_TEXT: {
          const last = extra === 1;
          return { type: "text", data: views ? view : this.#textDecoder.decode(view, { stream: !last }), last };
        }
        case KIND_BINARY:
          return { type: "binary", data: views ? view : view.slice(), last: extra === 1 };
        case KIND_PING:
          return { type: "ping", data: views ? view : view.slice() };
        case KIND_PONG:
          return { type: "pong", data: views ? view : view.slice() };
        case KIND_CLOSE:
          return extra === 0 ? { type: "close" } : { type: "close", code: extra, reason: utf8Decoder.decode(view) };
        default:
          throw makeError("WsframeError", "INTERNAL", `unknown event kind ${kind}`);
      }
    }

    /**
     * Everything queued for the peer, oldest first: your sends and the automatic Pongs and
     * Closes, in the order they were made. Write it to the socket. Empty when nothing is queued.
     */
    takeOutgoing() {
      const raw = this.#live();
      const i = raw.takeQueued(0xffffffff) >>> 2; // all of it, taken: [address, length, 1]
      const heap = heapU8();
      const at = heap32[i];
      return heap.slice(at, at + heap32[i + 1]); // one copy, no zero-fill first
    }

    /**
     * Copies queued bytes into `target` from `offset` (default 0), as many as fit, oldest
     * first, and returns how many; the rest stays queued. No allocation: for a caller that
     * writes from its own buffer (and then calls again while `bufferedAmount` is not 0).
     */
    takeOutgoingInto(target, offset = 0) {
      const raw = this.#live();
      const out = toBytes(target, "target");
      checkOffset(out, offset);
      return takeInto(raw, out, offset);
    }

    /**
     * Queues a whole text message as one frame: a string, or UTF-8 bytes you vouch for (the
     * bytes of a text event, say). With deflate on it is compressed unless
     * `options.compress` is false (RFC 7692 allows either per message).
     */
    sendText(text, options) {
      if (typeof text === "string") this.#live().sendText(text, compressOption(options));
      else if (text != null && typeof text === "object") this.#send(false, toBytes(text, "text"), compressOption(options));
      else throw new TypeError("text must be a string or its UTF-8 bytes");
    }

    /** Queues a whole binary message as one frame (compressed as for `sendText`). */
    sendBinary(bytes, options) {
      this.#send(true, toBytes(bytes, "bytes"), compressOption(options));
    }

    /**
     * Sends a whole binary message as `sendBinary` does, then copies everything queued into
     * `target` from `offset` (default 0) as `takeOutgoingInto` does, and returns how many
     * bytes; what does not fit stays queued. One call into wasm and no allocation: for a
     * sender that writes from its own buffer, a client's masked frames included.
     */
    sendBinaryInto(bytes, target, offset = 0, options) {
      const out = toBytes(target, "target");
      checkOffset(out, offset);
      return this.#send(true, toBytes(bytes, "bytes"), compressOption(options), out, offset);
    }

    /**
     * Sends a whole binary message as `sendBinary` does, and returns everything now queued,
     * oldest first, as chunks to write in this order (one vectored write), leaving nothing
     * queued. A server's uncompressed message has `bytes` themselves as the last chunk, never
     * copied: keep them unchanged until written. A client's payload is masked and a compressed
     * one deflated, so those are copied, and everything is then one chunk.
     */
    frameBinary(bytes, options) {
      const raw = this.#live();
      const data = toBytes(bytes, "bytes");
      const compress = compressOption(options);
      // A view into wasm memory may move with the next call: copied.
      if (this.#byReference(compress) && !inWasm(data)) {
        const v = raw.frameHeader(true, data.length); // queues the header, hands out the queue
        if (v === 0) throw raw.takeError();
        const head = chunk(headerLength(v));
        takeHeader(raw, v, head, 0);
        return [head, data];
      }
      this.#send(true, data, compress);
      return [this.takeOutgoing()];
    }

    /**
     * `frameBinary` with no allocation, for a server that writes from its own buffer: writes
     * what goes before the payload (anything queued, then this frame's header) into `target`
     * (the caller's own memory, not an event's data) from `offset` and returns how many bytes.
     * Send `bytes` themselves right after them, unchanged until written; they are never read
     * here (an event's data from `receiveViews` is valid until the next call: copy it before).
     * Only where `frameBinary` sends the payload by reference: a server, not compressing (pass
     * `{ compress: false }` with deflate on); otherwise a TypeError. `target` needs room for 14
     * bytes from `offset` (the longest header), or a RangeError; nothing is queued then. When
     * bytes queued earlier do not fit with the header, a RangeError too, and they stay queued
     * with the header: take them with `takeOutgoing()` and send `bytes` after them.
     */
    frameBinaryInto(bytes, target, offset = 0, options) {
      const raw = this.#live();
      const data = toBytes(bytes, "bytes");
      const out = toBytes(target, "target");
      checkOffset(out, offset);
      if (!this.#byReference(compressOption(options))) {
        throw new TypeError("frameBinaryInto frames a server's uncompressed payload; use sendBinary and takeOutgoingInto");
      }
      if (out.length - offset < 14) throw new RangeError("target needs room for 14 bytes from offset");
      const v = raw.frameHeader(true, data.length);
      if (v === 0) throw raw.takeError();
      const n = takeHeader(raw, v, out, offset);
      if (n < 0) {
        throw new RangeError(
          "the bytes queued before this frame do not fit in target; they stay queued with its header: take them with takeOutgoing() and send bytes after them",
        );
      }
      return n;
    }

    /** Whether a binary message's payload can go by reference: a server's, sent uncompressed. */
    #byReference(compress) {
      return this.#role === "server" && !(compress && this.#deflate);
    }

    /**
     * Copies the payload once, straight into the outgoing queue, and frames it there. With
     * `out`, then takes the queue into `out` from `offset` as `takeOutgoingInto` does, in the
     * same call into wasm, and returns how many bytes.
     */
    #send(binary, data, compress, out, offset) {
      const raw = this.#live();
      const len = data.length;
      // Room in the queue as it is first: no allocation, so the memory cannot grow.
      let at = raw.stage(len, false);
      let from = 0;
      if (at === 0) {
        // Growing the memory detaches a view into it (an event's data); its bytes stay at
        // the same offset (buffers events point into stay put). Read only here: `byteOffset`
        // takes V8's slow path once any buffer was detached.
        from = data.byteOffset;
        at = raw.stage(len, true);
      }
      if (data.length === len) heapU8().set(data, at);
      else heapU8().copyWithin(at, from, from + len); // detached by the growth just now
      if (out === undefined) {
        if (!raw.sendStaged(binary, len, compress)) throw raw.takeError();
        return 0;
      }
      const queued = raw.sendStagedTake(binary, len, compress, room(out, offset));
      if (queued === 0) throw raw.takeError();
      return takeInto(raw, out, offset, queued);
    }

    /**
     * Queues one frame of a fragmented message (RFC 6455 §5.4): `kind` "text" or "binary"
     * (the first frame's type; later ones become continuations), `fin` true on the last.
     * Control frames may go between fragments. Never compressed.
     */
    sendFrame(kind, bytes, fin) {
      if (kind !== "text" && kind !== "binary") throw new TypeError('kind must be "text" or "binary"');
      if (bytes == null) throw new TypeError("bytes must be a Uint8Array or a string");
      this.#live().sendFragment(kind === "binary", payload(bytes, "bytes"), fin === undefined ? true : Boolean(fin));
    }

    /** Queues a Ping (RFC 6455 §5.5.2), up to 125 bytes (Uint8Array or string). */
    ping(bytes) {
      this.#live().ping(payload(bytes, "ping payload"));
    }

    /** Queues a Pong (RFC 6455 §5.5.3); with `autoPong` (the default) Pings are answered already. */
    pong(bytes) {
      this.#live().pong(payload(bytes, "pong payload"));
    }

    /**
     * Queues a Close (RFC 6455 §5.5.1). Without `code` the body is empty. The reason is at
     * most 123 bytes of UTF-8. With `autoClose` (the default) the peer's Close is answered already.
     */
    close(code, reason) {
      if (code !== undefined && code !== null && (!Number.isInteger(code) || code < 0 || code > 0xffff)) {
        throw makeError("WsframeError", "INVALID_CLOSE_CODE", "close code may not be sent");
      }
      if (reason !== undefined && reason !== null && typeof reason !== "string") {
        throw new TypeError("reason must be a string");
      }
      this.#live().close(code ?? undefined, reason ?? "");
    }

    /**
     * Runs the heartbeat (option `heartbeat`) at `now`, in ms of your monotonic clock:
     * "idle", "ping" (a Ping was queued: write `takeOutgoing()`) or "dead" (nothing arrived
     * within `timeout` after the Ping: drop the connection). "idle" without a heartbeat.
     */
    poll(now) {
      if (typeof now !== "number") throw new TypeError("now must be a number");
      return this.#live().poll(now);
    }

    /** When `poll` next has something to do (ms), or undefined (no heartbeat, or never polled). */
    get nextDeadline() {
      return this.#live().nextDeadline;
    }

    /** Releases the wasm memory now (otherwise a FinalizationRegistry does it eventually). */
    free() {
      if (this.#raw) {
        this.#raw.free();
        this.#raw = undefined;
      }
    }

    [Symbol.dispose ?? Symbol.for("Symbol.dispose")]() {
      this.free();
    }
  }

  function opcodeNumber(opcode) {
    if (typeof opcode === "string") {
      const n = OPCODES[opcode];
      if (n === undefined) throw new TypeError(`unknown opcode name ${JSON.stringify(opcode)}`);
      return n;
    }
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) {
      throw new TypeError("opcode must be an opcode name or a number 0-15");
    }
    return opcode;
  }

  /**
   * Encodes one frame: `{ opcode, fin = true, rsv = 0, payload, mask }` where
   * `opcode` is a number or a name ("text", "binary", "continuation",
   * "close", "ping", "pong") and `mask` a 4-byte key, `true` for a random one
   * (client to server), or absent for an unmasked frame.
   */
  function encodeFrame(frame) {
    if (frame === null || typeof frame !== "object") throw new TypeError("frame must be an object");
    const opcode = opcodeNumber(frame.opcode);
    const fin = frame.fin === undefined ? true : Boolean(frame.fin);
    const rsv = frame.rsv ?? 0;
    if (!Number.isInteger(rsv) || rsv < 0 || rsv > 7) throw new TypeError("rsv must be 0-7");
    const body = payload(frame.payload, "payload");
    const mask = frame.mask;
    if (mask === true) return glue.encodeFrame(opcode, fin, rsv, body, undefined, true);
    if (mask === undefined || mask === null || mask === false) {
      return glue.encodeFrame(opcode, fin, rsv, body, undefined, false);
    }
    return glue.encodeFrame(opcode, fin, rsv, body, input(mask, "mask"), false);
  }

  /**
   * Decodes the frame at the start of `bytes`: `null` while incomplete, else
   * `{ fin, rsv, opcode, mask, payload, consumed }` (payload unmasked, a copy).
   */
  function decodeFrame(bytes) {
    return glue.decodeFrame(input(bytes, "bytes"));
  }

  /** `{ a: "1" }` or `[["a", "1"]]` as the flat list the wasm side takes. */
  function flatHeaders(headers) {
    if (headers === undefined || headers === null) return [];
    const entries = Array.isArray(headers) ? headers : Object.entries(headers);
    const flat = [];
    for (const pair of entries) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("headers must be [name, value] pairs");
      flat.push(String(pair[0]), String(pair[1]));
    }
    return flat;
  }

  function optionalString(value, what) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new TypeError(`${what} must be a string`);
    return value;
  }

  function stringList(value, what) {
    if (value === undefined || value === null) return [];
    if (typeof value === "string") return [value];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new TypeError(`${what} must be a string or an array of strings`);
    }
    return value;
  }

  function maxSize(options) {
    const v = options?.maxSize;
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || v < 0) throw new TypeError("maxSize must be a non-negative integer");
    return v;
  }

  /**
   * Parses a client's upgrade request (RFC 6455 §4.2.1): `null` while
   * incomplete, else `{ path, resource, host, key, accept, origin, protocols,
   * extensions, headers, consumed }`. Throws a `HandshakeError` with `status`.
   */
  function parseRequest(bytes, options) {
    return glue.parseRequest(input(bytes, "bytes"), maxSize(options));
  }

  /**
   * The 101 response accepting a request (RFC 6455 §4.2.2). `request` is a
   * `parseRequest` result or its `key`; options: `protocol` (one the client
   * offered), `extensions` (the negotiated header value), `headers`.
   */
  function acceptResponse(request, options = {}) {
    const key = typeof request === "string" ? request : request?.key;
    if (typeof key !== "string") throw new TypeError("request must be a parsed request or its key");
    return glue.buildAcceptResponse(
      key,
      optionalString(options.protocol, "protocol"),
      optionalString(options.extensions, "extensions"),
      flatHeaders(options.headers),
    );
  }

  /**
   * A response refusing the handshake: `status` is a number in 300-599 or a
   * `HandshakeError` (its `status`: 400, 426 or 431). Options: `headers`.
   */
  function rejectResponse(status, options = {}) {
    const code = typeof status === "number" ? status : (status?.status ?? 400);
    if (!Number.isInteger(code) || code < 0 || code > 65535) {
      throw makeError("HandshakeError", "INVALID_STATUS", "rejection status must be in 300..=599", { status: 500 });
    }
    return glue.buildRejectResponse(code, flatHeaders(options.headers));
  }

  /**
   * What a client keeps to check the server's answer: the core's verifier (the expected
   * accept key, the offered subprotocols and extensions) and the deflate config offered.
   */
  class ClientHandshake {
    #raw;

    constructor(raw, url, key, protocols, extensions, deflate) {
      this.#raw = raw;
      this.url = url;
      this.key = key;
      this.protocols = protocols;
      this.extensions = extensions;
      this.deflate = deflate;
      Object.freeze(this);
    }

    /**
     * Checks the response (RFC 6455 §4.1): `null` while incomplete,
     * `{ accepted: true, status: 101, protocol, extensions, deflate, headers, consumed }`
     * (`deflate`: the agreed permessage-deflate params for `new Connection({ deflate })`,
     * or null), or `{ accepted: false, status, reason, location, headers, consumed }`.
     * Throws a `HandshakeError` when the client must fail the connection.
     */
    checkResponse(bytes, options) {
      if (this.#raw === undefined) throw makeError("WsframeError", "FREED", "handshake was freed");
      const answer = this.#raw.checkResponse(input(bytes, "bytes"), maxSize(options));
      if (answer?.accepted) answer.deflate = deflateParams(answer.deflate, this.deflate?.level);
      return answer;
    }

    /** Releases the wasm memory now (otherwise a FinalizationRegistry does it eventually). */
    free() {
      this.#raw?.free();
      this.#raw = undefined;
    }

    [Symbol.dispose ?? Symbol.for("Symbol.dispose")]() {
      this.free();
    }
  }

  /**
   * A client's upgrade request for a `ws://` / `wss://` URL (RFC 6455 §4.1),
   * nonce from Web Crypto. Options: `protocols`, `origin`, `extensions` or `deflate`
   * (`true` or a config: offer permessage-deflate), `headers`. Returns
   * `{ bytes, host, port, secure, resource, handshake }`.
   */
  function clientRequest(url, options = {}) {
    if (typeof url !== "string") url = String(url); // URL objects
    const protocols = stringList(options.protocols, "protocols");
    const extensions = optionalString(options.extensions, "extensions");
    const deflate = deflateOption(options.deflate);
    if (deflate && extensions !== undefined) throw new TypeError("extensions and deflate cannot be combined");
    const r = glue.buildClientRequest(
      url,
      protocols,
      optionalString(options.origin, "origin"),
      extensions,
      flatHeaders(options.headers),
      deflate && deflateFields(deflate),
    );
    const handshake = new ClientHandshake(r.handshake, url, r.key, protocols, r.extensions ?? undefined, deflate);
    return { bytes: r.bytes, host: r.host, port: r.port, secure: r.secure, resource: r.resource, handshake };
  }

  /**
   * Server side of permessage-deflate (RFC 7692 §5, §7.1): the core picks the first
   * acceptable offer of a request (a `parseRequest` result, or a Sec-WebSocket-Extensions
   * value) under `config` (`true`/absent for the defaults, or `{ serverNoContextTakeover,
   * clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, level }`). Returns
   * null (go on uncompressed) or `{ response, params }`: pass `response` as
   * `acceptResponse`'s `extensions` and `params` as the Connection's `deflate`.
   */
  function negotiateDeflate(request, config) {
    let header;
    if (typeof request === "string") header = request;
    else if (request && typeof request === "object") header = optionalString(request.extensions, "request.extensions");
    else throw new TypeError("request must be a parsed request or a Sec-WebSocket-Extensions value");
    const c = deflateOption(config ?? true);
    if (c === null) throw new TypeError("config must be true or an object");
    const r = glue.negotiateDeflate(header, deflateFields(c));
    return r && { response: r.response, params: deflateParams(r.params, c.level) };
  }

  /** `handshake.checkResponse(bytes, options)` as a function. */
  function checkResponse(bytes, handshake, options) {
    if (!(handshake instanceof ClientHandshake)) throw new TypeError("handshake must come from clientRequest");
    return handshake.checkResponse(bytes, options);
  }

  /** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)) (RFC 6455 §1.3). */
  function acceptKey(key) {
    if (typeof key !== "string") throw new TypeError("key must be a string");
    return glue.acceptKey(key);
  }

  /** The core's close codes (RFC 6455 §7.4.1) by name: `CloseCode.NORMAL` is 1000. */
  const CloseCode = Object.freeze(Object.fromEntries(glue.closeCodes()));

  /** The core's reconnect policy: true for 1006, 1011, 1012, 1013. */
  function shouldReconnect(code) {
    if (!Number.isInteger(code) || code < 0 || code > 0xffff) return false;
    return glue.shouldReconnect(code);
  }

  return {
    Connection,
    Keepalive: glue.Keepalive,
    Backoff: glue.Backoff,
    shouldReconnect,
    CloseCode,
    ClientHandshake,
    encodeFrame,
    decodeFrame,
    parseRequest,
    acceptResponse,
    rejectResponse,
    clientRequest,
    checkResponse,
    negotiateDeflate,
    acceptKey,
    OPCODES,
    version: glue.version(),
  };
}
