// `WebSocket` with the WHATWG API (https://websockets.spec.whatwg.org/) over a runtime's own
// TCP/TLS. The protocol is the low-level Connection's (the core's Session): this file moves
// bytes between it and a transport, keeps readyState, dispatches events, and runs the
// heartbeat and reconnect timers the core decides on (Keepalive via Connection.poll, Backoff,
// shouldReconnect). Each entry point passes its transport: `openSocket({ host, port, secure })`
// resolving to `{ write(bytes), pending, end(), destroy() }` that calls `ondata(bytes)` and
// `onclose(error?)`, and `ondrain()` when `pending` (bytes written, not yet taken by the OS)
// went down.

import { concat } from "./api.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const MAX_MESSAGE = 16 << 20;
const MAX_HANDSHAKE = 8 << 10;
/** After the closing handshake, how long the server has to close TCP (RFC 6455 §7.1.1). */
const CLOSE_TIMEOUT_MS = 5_000;

const utf8 = new TextEncoder();

/** A DOMException where the runtime has one, else an Error with the same name. */
function domError(message, name) {
  if (typeof DOMException === "function") return new DOMException(message, name);
  const err = new Error(message);
  err.name = name;
  return err;
}

const CloseEventBase =
  typeof globalThis.CloseEvent === "function"
    ? globalThis.CloseEvent
    : class CloseEvent extends Event {
        #init;
        constructor(type, init = {}) {
          super(type, init);
          this.#init = { wasClean: Boolean(init.wasClean), code: init.code ?? 0, reason: init.reason ?? "" };
        }
        get wasClean() {
          return this.#init.wasClean;
        }
        get code() {
          return this.#init.code;
        }
        get reason() {
          return this.#init.reason;
        }
      };

const MessageEventBase =
  typeof globalThis.MessageEvent === "function"
    ? globalThis.MessageEvent
    : class MessageEvent extends Event {
        constructor(type, init = {}) {
          super(type, init);
          this.data = init.data;
          this.origin = init.origin ?? "";
        }
      };

/** The `error` event: `message` and `error` say what went wrong (an ErrorEvent's fields). */
class WebSocketErrorEvent extends Event {
  constructor(error) {
    super("error");
    this.error = error;
    this.message = error?.message ?? String(error);
  }
}

/** The `reconnect` event: attempt `attempt` (1, 2, ... since the last open) in `delay` ms. */
class ReconnectEvent extends Event {
  constructor(attempt, delay) {
    super("reconnect");
    this.attempt = attempt;
    this.delay = delay;
  }
}

/** The `heartbeat` event: `action` "ping" (one was sent) or "dead" (`silence` ms without a word). */
class HeartbeatEvent extends Event {
  constructor(action, silence) {
    super("heartbeat");
    this.action = action;
    this.silence = silence;
  }
}

const realTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
};

/** WebIDL `[Clamp] unsigned short`: the conversion `close(code)` applies before checking. */
function clampCode(value) {
  const x = +value; // ToNumber: a TypeError for a Symbol or a BigInt
  if (Number.isNaN(x)) return 0;
  const c = Math.min(Math.max(x, 0), 65535);
  const floor = Math.floor(c);
  const frac = c - floor;
  // Round to the nearest integer, halves to the even one.
  return frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

/** Runs `fn` in a later task (a timer, not a microtask), without keeping a process alive. */
function laterTask(fn) {
  const t = setTimeout(fn, 0);
  t?.unref?.();
}

function reconnectOption(value) {
  if (value === undefined || value === null || value === false) return null;
  const v = value === true ? {} : value;
  if (typeof v !== "object") throw new TypeError("reconnect must be true or { maxDelay, maxAttempts, shouldReconnect }");
  const maxDelay = v.maxDelay ?? 30_000;
  const maxAttempts = v.maxAttempts ?? Infinity;
  if (!(maxDelay >= 0)) throw new TypeError("reconnect.maxDelay must be a non-negative number of ms");
  if (!(maxAttempts >= 0)) throw new TypeError("reconnect.maxAttempts must be a non-negative number");
  if (v.shouldReconnect !== undefined && typeof v.shouldReconnect !== "function") {
    throw new TypeError("reconnect.shouldReconnect must be a function");
  }
  return { maxDelay, maxAttempts, shouldReconnect: v.shouldReconnect, firstWindow: v.firstWindow, base: v.base };
}

/** `createWebSocket(api, transport)`: the WebSocket class of one runtime. */
export function createWebSocket(api, transport) {
  const { Connection, Backoff, clientRequest } = api;

  class WebSocket extends EventTarget {
    static CONNECTING = CONNECTING;
    static OPEN = OPEN;
    static CLOSING = CLOSING;
    static CLOSED = CLOSED;

    #url;
    #origin;
    #protocols;
    #options;
    #timers;
    #readyState = CONNECTING;
    #protocol = "";
    #extensions = "";
    #binaryType = "blob";

    // One connection (attempt): reset by #connect.
    #socket = null;
    #conn = null;
    #handshake = null;
    #response = null;
    #peerClose = null; // { code, reason } of the peer's Close
    #failed = null; // the error that ended the connection, if any
    #timer = null; // handshake, close or heartbeat timer
    #userClosed = false;
    #live = false; // an attempt is under way and has not ended
    #attempt = 0; // attempts since creation (for ids)

    // Sending: message bytes not yet taken by the OS (see bufferedAmount).
    #wireTaken = 0;
    #sent = []; // [wire offset at which the message is out, its size]
    #messageBytes = 0;
    #holding = false; // a send in this task: bufferedAmount does not go down before the next
    #blobChain = null; // a promise while Blobs are read, so that order holds
    #blobBytes = 0;

    #backoff = null;
    #reconnect = null;
    #reconnectTimer = null;
    #attempts = 0;

    /**
     * `new WebSocket(url, protocols?, options?)`. Options beyond the browser's: `headers`,
     * `origin`, `maxPayload` (bytes, default 16 MiB), `handshakeTimeout` (ms, 30000),
     * `deflate` (offered unless false), `heartbeat: { interval, timeout }` (ms),
     * `reconnect: true | { maxDelay, maxAttempts, shouldReconnect(closeEvent) }`; for tests
     * `timers: { now, setTimeout, clearTimeout }` and `random(bytes)`.
     */
    constructor(url, protocols = [], options = {}) {
      super();
      let parsed;
      try {
        parsed = new URL(String(url));
      } catch {
        throw domError(`invalid URL ${String(url)}`, "SyntaxError");
      }
      if (parsed.protocol === "http:") parsed.protocol = "ws:";
      else if (parsed.protocol === "https:") parsed.protocol = "wss:";
      if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
        throw domError(`scheme ${parsed.protocol} is not ws: or wss:`, "SyntaxError");
      }
      if (parsed.hash !== "") throw domError("a WebSocket URL has no fragment", "SyntaxError");
      if (typeof protocols === "string") protocols = [protocols];
      protocols = [...protocols].map(String);
      const seen = new Set();
      for (const p of protocols) {
        if (seen.has(p.toLowerCase()) || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p)) {
          throw domError(`bad or repeated subprotocol ${JSON.stringify(p)}`, "SyntaxError");
        }
        seen.add(p.toLowerCase());
      }
      if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
      this.#url = parsed.href;
      this.#origin = parsed.origin;
      this.#protocols = protocols;
      this.#options = options;
      this.#timers = options.timers ?? realTimers;
      this.#reconnect = reconnectOption(options.reconnect);
      if (this.#reconnect) {
        const r = this.#reconnect;
        this.#backoff = new Backoff(r.maxDelay, r.firstWindow, r.base);
      }
      queueMicrotask(() => this.#connect());
    }

    get url() {
      return this.#url;
    }
    get readyState() {
      return this.#readyState;
    }
    get protocol() {
      return this.#protocol;
    }
    get extensions() {
      return this.#extensions;
    }
    get binaryType() {
      return this.#binaryType;
    }
    set binaryType(v) {
      if (v === "blob" || v === "arraybuffer") this.#binaryType = v;
    }

    /**
     * Message bytes sent and not yet taken by the OS (as in browsers: payload bytes, not
     * frames). As the spec says, it counts what was taken only as of the task before: right
     * after `send(data)` it has grown by the size of `data`, even if the OS took the bytes
     * at once.
     */
    get bufferedAmount() {
      if (!this.#holding) this.#drained();
      return this.#messageBytes + this.#blobBytes;
    }

    /** Takes the messages whose last byte the OS has taken off the count. */
    #drained() {
      const flushed = this.#wireTaken - (this.#socket?.pending ?? 0);
      while (this.#sent.length > 0 && this.#sent[0][0] <= flushed) this.#messageBytes -= this.#sent.shift()[1];
    }

    /**
     * Sends a message: a string as text, an ArrayBuffer, a view or a Blob as binary. Throws
     * InvalidStateError while CONNECTING (also while waiting to reconnect); after close()
     * the bytes only count in bufferedAmount, as the spec says.
     */
    send(data) {
      if (this.#readyState === CONNECTING) throw domError("the WebSocket is not open yet", "InvalidStateError");
      let bytes;
      let text = false;
      if (typeof data === "string") {
        bytes = data;
        text = true;
      } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      } else if (typeof Blob === "function" && data instanceof Blob) {
        this.#sendBlob(data);
        return;
      } else {
        bytes = String(data);
        text = true;
      }
      const size = text ? utf8.encode(bytes).length : bytes.length;
      if (this.#blobChain) {
        // Behind a Blob still being read: in order, after it.
        this.#blobBytes += size;
        const chain = this.#blobChain.then(() => {
          this.#blobBytes -= size;
          this.#queue(text, bytes, size);
        });
        this.#blobChain = chain;
        chain.finally(() => {
          if (this.#blobChain === chain) this.#blobChain = null;
        });
      } else {
        this.#queue(text, bytes, size);
      }
    }

    #sendBlob(blob) {
      this.#blobBytes += blob.size;
      const prev = this.#blobChain ?? Promise.resolve();
      const chain = prev
        .then(() => blob.arrayBuffer())
        .then(
          (buf) => {
            this.#blobBytes -= blob.size;
            this.#queue(false, new Uint8Array(buf), blob.size);
          },
          (err) => {
            this.#blobBytes -= blob.size;
            this.#fail(err);
          },
        )
        .finally(() => {
          if (this.#blobChain === chain) this.#blobChain = null;
        });
      this.#blobChain = chain;
    }

    #queue(text, bytes, size) {
      if (this.#readyState !== OPEN || this.#conn === null) {
        this.#messageBytes += size; // counted, never sent (WHATWG: after close())
        return;
      }
      if (!this.#holding) {
        this.#drained();
        this.#holding = true;
        laterTask(() => (this.#holding = false));
      }
      if (text) this.#conn.sendText(bytes);
      else this.#conn.sendBinary(bytes);
      this.#flush();
      this.#messageBytes += size;
      this.#sent.push([this.#wireTaken, size]);
    }

    /**
     * Starts the closing handshake: `code` 1000 or 3000-4999 (else InvalidAccessError),
     * `reason` at most 123 bytes of UTF-8 (else SyntaxError). Cancels a pending reconnect.
     * `code` is converted as WebIDL's `[Clamp] unsigned short` (`3000.7` is 3001, `"3000"`
     * is 3000, `null` is 0); a reason without a code closes with 1000. While connecting, it
     * fails the connection: no `open`, then `error` and `close` (1006) in a later task.
     */
    close(code, reason) {
      if (code !== undefined) {
        const converted = clampCode(code);
        if (converted !== 1000 && !(converted >= 3000 && converted <= 4999)) {
          throw domError(`close code ${String(code)} is not 1000 or 3000-4999`, "InvalidAccessError");
        }
        code = converted;
      }
      reason = reason === undefined ? "" : String(reason);
      if (utf8.encode(reason).length > 123) throw domError("close reason over 123 bytes", "SyntaxError");
      if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
      this.#userClosed = true;
      if (this.#reconnectTimer !== null) {
        // Waiting to reconnect: the last connection's close event was dispatched already.
        this.#timers.clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = null;
        this.#readyState = CLOSED;
        this.#dispatch(new CloseEventBase("close", { wasClean: false, code: 1006, reason: "" }));
        return;
      }
      if (this.#readyState === CONNECTING) {
        this.#readyState = CLOSING;
        // Also an attempt not started yet (close() right after the constructor): it ends
        // here, and #connect, queued by the constructor, does not start it.
        this.#live = true;
        this.#fail(new Error("closed before the connection was established"));
        return;
      }
      this.#readyState = CLOSING;
      // WHATWG: no code and no reason close without a status code (the peer's echo: 1005).
      if (code === undefined && reason === "") this.#conn.close();
      else this.#conn.close(code ?? 1000, reason);
      this.#flush();
      this.#arm(CLOSE_TIMEOUT_MS, () => this.#fail(new Error("no closing handshake from the server")));
    }

    /** Sends a Ping (not in the WHATWG API: Node users ask for it). */
    ping(data = "") {
      if (this.#readyState !== OPEN) throw domError("the WebSocket is not open", "InvalidStateError");
      this.#conn.ping(data);
      this.#flush();
    }

    #dispatch(event) {
      this.dispatchEvent(event); // a listener's exception is reported by the runtime, not thrown here
    }

    #arm(ms, fn) {
      if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = null;
        fn();
      }, ms);
    }

    #disarm() {
      if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
      this.#timer = null;
    }

    #flush() {
      if (this.#conn === null || this.#socket === null) return;
      const bytes = this.#conn.takeOutgoing();
      if (bytes.length > 0) {
        this.#wireTaken += bytes.length;
        this.#socket.write(bytes);
      }
    }

    async #connect() {
      if (this.#userClosed) return; // close() or terminate() came first
      const id = ++this.#attempt;
      this.#live = true;
      this.#messageBytes = 0;
      this.#readyState = CONNECTING;
      this.#peerClose = null;
      this.#failed = null;
      this.#response = null;
      const o = this.#options;
      let req;
      try {
        req = clientRequest(this.#url, {
          protocols: this.#protocols,
          origin: o.origin,
          headers: o.headers,
          deflate: o.deflate === undefined ? true : o.deflate,
        });
      } catch (err) {
        this.#fail(err);
        return;
      }
      this.#handshake = req.handshake;
      this.#arm(o.handshakeTimeout ?? 30_000, () => this.#fail(new Error("opening handshake timed out")));
      let socket;
      try {
        const host = req.host.startsWith("[") ? req.host.slice(1, -1) : req.host;
        socket = await transport.openSocket({ host, port: req.port, secure: req.secure, tls: o.tls });
      } catch (err) {
        if (id === this.#attempt) this.#fail(err);
        return;
      }
      if (id !== this.#attempt || !this.#live) {
        socket.destroy();
        return;
      }
      this.#socket = socket;
      socket.ondata = (bytes) => this.#onData(bytes);
      socket.onclose = (err) => this.#onSocketClose(err);
      socket.ondrain = () => {};
      this.#wireTaken += req.bytes.length;
      socket.write(req.bytes);
    }

    #onData(bytes) {
      if (this.#failed !== null) return; // failing: nothing more is read
      try {
        if (this.#conn === null) this.#onHandshake(bytes);
        else this.#onFrames(bytes);
      } catch (err) {
        this.#fail(err);
      }
    }

    #onHandshake(bytes) {
      this.#response = this.#response === null ? bytes : concat(this.#response, bytes);
      const answer = this.#handshake.checkResponse(this.#response, { maxSize: MAX_HANDSHAKE });
      if (answer === null) return;
      if (!answer.accepted) throw new Error(`the server answered ${answer.status} ${answer.reason ?? ""}`.trim());
      const rest = this.#response.subarray(answer.consumed);
      this.#response = null;
      this.#handshake.free();
      this.#handshake = null;
      this.#disarm();
      const hb = this.#options.heartbeat;
      this.#conn = new Connection({
        role: "client",
        messages: true,
        maxMessageSize: this.#options.maxPayload ?? MAX_MESSAGE,
        deflate: answer.deflate,
        heartbeat: hb ? { interval: hb.interval, timeout: hb.timeout ?? hb.interval } : undefined,
      });
      this.#protocol = answer.protocol ?? "";
      this.#extensions = answer.extensions ?? "";
      this.#readyState = this.#userClosed ? CLOSING : OPEN;
      this.#attempts = 0;
      this.#backoff?.reset();
      if (hb) this.#heartbeat();
      this.#dispatch(new Event("open"));
      if (rest.length > 0 && this.#conn !== null) this.#onFrames(rest);
    }

    #heartbeat() {
      if (this.#conn === null || this.#readyState !== OPEN) return;
      const now = this.#timers.now();
      const action = this.#conn.poll(now);
      if (action === "ping") {
        this.#flush();
        this.#dispatch(new HeartbeatEvent("ping", 0));
      } else if (action === "dead") {
        const hb = this.#options.heartbeat;
        this.#dispatch(new HeartbeatEvent("dead", hb.interval + (hb.timeout ?? hb.interval)));
        this.#fail(new Error("peer dead: no answer to the heartbeat ping"));
        return;
      }
      const next = this.#conn.nextDeadline;
      this.#arm(Math.max(0, (next ?? now) - this.#timers.now()), () => this.#heartbeat());
    }

    #onFrames(bytes) {
      const conn = this.#conn;
      let violation = null;
      try {
        for (const ev of conn.receive(bytes)) {
          if (ev.type === "text") this.#message(ev.data);
          else if (ev.type === "binary") this.#message(this.#binaryType === "blob" ? new Blob([ev.data]) : ev.data.buffer);
          else if (ev.type === "close") {
            this.#peerClose = { code: ev.code ?? 1005, reason: ev.reason ?? "" };
            if (this.#readyState === OPEN) this.#readyState = CLOSING;
          }
          if (this.#conn !== conn) return; // the connection ended in a listener
        }
      } catch (err) {
        if (err?.name !== "ProtocolError") throw err;
        violation = err;
      }
      this.#flush();
      if (violation !== null) {
        // RFC 6455 §7.1.7: the core queued its Close; let it go out, then drop the connection.
        this.#failed = violation;
        this.#readyState = CLOSING;
        this.#socket?.end();
        this.#arm(1_000, () => this.#fail(violation));
      }
      else if (conn.state === "closed") {
        // RFC 6455 §7.1.1: the server closes TCP first; wait for it, not forever.
        this.#arm(CLOSE_TIMEOUT_MS, () => this.#socket?.destroy());
        this.#socket?.end();
      }
    }

    #message(data) {
      // WHATWG: a message that arrives once close() was called is not delivered (Chromium
      // and Node's own WebSocket drop it too).
      if (this.#readyState !== OPEN) return;
      this.#dispatch(new MessageEventBase("message", { data, origin: this.#origin }));
    }

    /**
     * Fails the connection (WHATWG "fail the WebSocket connection"): error, then close 1006,
     * in a later task (a socket's close, or a microtask when there is no socket yet).
     */
    #fail(err) {
      if (this.#failed === null) this.#failed = err instanceof Error ? err : new Error(String(err));
      if (this.#socket !== null) this.#socket.destroy();
      else queueMicrotask(() => this.#onSocketClose(null));
    }

    #onSocketClose(err) {
      if (!this.#live) return;
      this.#live = false;
      if (err && this.#failed === null) this.#failed = err;
      const clean = this.#failed === null && this.#conn !== null && this.#conn.state === "closed" && this.#peerClose !== null;
      // WHATWG: `error` only when the connection was failed (a violation, a transport error,
      // a dead peer, a handshake or connection that never completed); TCP closing without a
      // closing handshake is a 1006 close alone.
      const failed = this.#failed !== null || this.#conn === null;
      this.#disarm();
      this.#conn?.free();
      this.#conn = null;
      this.#handshake?.free();
      this.#handshake = null;
      // What the OS never took stays counted: bufferedAmount does not go back to 0 when the
      // connection closes (WHATWG, as Chromium); a new attempt starts from 0.
      this.#drained();
      this.#socket = null;
      this.#wireTaken = 0;
      this.#sent = [];
      const event = clean
        ? new CloseEventBase("close", { wasClean: true, code: this.#peerClose.code, reason: this.#peerClose.reason })
        : new CloseEventBase("close", { wasClean: false, code: 1006, reason: "" });
      if (failed) this.#dispatch(new WebSocketErrorEvent(this.#failed ?? new Error("connection closed during the opening handshake")));
      const r = this.#reconnect;
      const again =
        r !== null &&
        !this.#userClosed &&
        this.#attempts < r.maxAttempts &&
        (r.shouldReconnect ? r.shouldReconnect(event) : api.shouldReconnect(event.code));
      this.#readyState = again ? CONNECTING : CLOSED;
      event.lastError = clean ? null : this.#failed;
      this.#dispatch(event);
      if (!again || this.#userClosed) {
        this.#readyState = CLOSED;
        return;
      }
      this.#attempts++;
      const delay = this.#backoff.nextDelay(this.#options.random);
      this.#dispatch(new ReconnectEvent(this.#attempts, delay));
      if (this.#userClosed) return;
      this.#reconnectTimer = this.#timers.setTimeout(() => {
        this.#reconnectTimer = null;
        this.#connect();
      }, delay);
    }

    /** Immediately destroys the connection (no closing handshake); no reconnect follows. */
    terminate() {
      if (this.#reconnectTimer !== null || this.#readyState === CONNECTING) {
        this.close(); // nothing open to destroy: end the wait or the attempt
        return;
      }
      this.#userClosed = true;
      if (this.#readyState !== CLOSED) this.#fail(new Error("terminated"));
    }
  }

  // workerd's EventTarget calls a target's `on<type>` property itself; elsewhere a listener does.
  const probe = new (class extends EventTarget {})();
  let callsHandlers = false;
  probe.onprobe = () => (callsHandlers = true);
  probe.dispatchEvent(new Event("probe"));
  for (const type of ["open", "message", "error", "close"]) {
    Object.defineProperty(WebSocket.prototype, `on${type}`, {
      configurable: true,
      enumerable: true,
      get() {
        return this[HANDLERS]?.[type] ?? null;
      },
      set(fn) {
        const handlers = (this[HANDLERS] ??= {});
        if (!(type in handlers) && !callsHandlers) {
          this.addEventListener(type, (event) => {
            const h = handlers[type];
            if (typeof h === "function") h.call(this, event);
          });
        }
        handlers[type] = typeof fn === "function" ? fn : null;
      },
    });
  }
  for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
    Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
  }
  // As a WebIDL interface: Object.prototype.toString gives "[object WebSocket]".
  Object.defineProperty(WebSocket.prototype, Symbol.toStringTag, { value: "WebSocket", configurable: true });
  return WebSocket;
}

const HANDLERS = Symbol("handlers");

export { WebSocketErrorEvent, ReconnectEvent, HeartbeatEvent, CloseEventBase as CloseEvent };
