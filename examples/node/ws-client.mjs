// A small WebSocket client over node:net on the `wsframe` low-level API, used by
// pkg/test/ordering.test.mjs (the examples now use the package's WebSocket). ws:// only.
//
//   const ws = await connect("ws://127.0.0.1:9001/");
//   ws.sendText("hi");
//   const event = await ws.next(); // { type: "text", data: "hi", last: true }
//   await ws.close(1000);
//
// Events are decoded as `next()` asks for them, one at a time, so what the application sends
// in answer to one goes out before the next is decoded: a protocol violation behind a
// message fails the connection only after that message's answer (RFC 6455 §7.1.7). Pings
// are answered and the peer's Close is echoed by the package (its autoPong and autoClose).
import net from "node:net";
import { Connection, clientRequest } from "../../pkg/src/node.js";

const MAX_MESSAGE = 16 << 20;
const MAX_HANDSHAKE = 8 << 10;

export class WsClient {
  #socket;
  #conn;
  #waiters = [];
  #ended = false;
  /** The subprotocol the server selected, or null. */
  protocol = null;
  /** `{ code, reason }` of the peer's Close, `{ code: 1006 }` without one, once closed. */
  closeInfo = null;
  /** The ProtocolError, if the peer broke the protocol. */
  error = null;

  constructor(socket, conn, protocol) {
    this.#socket = socket;
    this.#conn = conn;
    this.protocol = protocol;
    socket.on("data", (chunk) => this.feed(chunk));
    socket.on("end", () => this.#finish({ code: 1006, reason: "" }));
    socket.on("error", (err) => this.#finish({ code: 1006, reason: err.message }));
    socket.on("close", () => this.#finish({ code: 1006, reason: "" }));
  }

  get state() {
    return this.#conn?.state ?? "closed";
  }

  /** The permessage-deflate params in use, or null. */
  get deflate() {
    return this.#conn?.deflate ?? null;
  }

  /** Writes what the connection queued: sends, automatic Pongs and Closes. */
  #flush() {
    const bytes = this.#conn.takeOutgoing();
    if (bytes.length > 0 && !this.#socket.destroyed && !this.#socket.writableEnded) this.#socket.write(bytes);
  }

  /** Feeds bytes read from the socket (or left over after the handshake); waiting `next()`s get events. */
  feed(chunk) {
    if (this.#ended) return;
    this.#conn.receive(chunk); // buffered: decoded as next() asks
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters.shift();
      const ev = this.#pull(); // an end it meets wakes the other waiters with null
      if (ev !== undefined) waiter(ev);
      else if (this.#ended) waiter(null);
      else {
        this.#waiters.unshift(waiter);
        break;
      }
    }
  }

  /** Decodes one event (pings are answered, and skipped); undefined when more input is needed. */
  #pull() {
    while (this.#conn !== null) {
      let step;
      try {
        step = this.#conn.receive().next();
      } catch (err) {
        if (err?.name !== "ProtocolError") throw err;
        // RFC 6455 §7.1.7: the Close with the violation's code is queued; send it, close.
        this.error = err;
        this.#flush();
        this.#socket.end();
        this.#finish({ code: err.closeCode, reason: err.message });
        return undefined;
      }
      this.#flush();
      if (step.done) return undefined;
      const ev = step.value;
      if (ev.type === "ping") continue;
      if (ev.type === "close") {
        // The echo is written; the server closes TCP first (§7.1.1), but end ours too so a
        // lazy server cannot hang us.
        this.#socket.end();
        this.#finish({ code: ev.code ?? 1005, reason: ev.reason ?? "" });
      }
      return ev;
    }
    return undefined;
  }

  #finish(info) {
    if (this.closeInfo !== null) return;
    this.closeInfo = info;
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w(null);
  }

  /**
   * The next event (pings answered already), or null once the connection ended and what
   * arrived before the end was read.
   */
  next() {
    const ev = this.#pull();
    if (ev !== undefined) return Promise.resolve(ev);
    if (!this.#ended) return new Promise((resolve) => this.#waiters.push(resolve));
    this.#conn?.free();
    this.#conn = null;
    return Promise.resolve(null);
  }

  sendText(text) {
    this.#live().sendText(text);
    this.#flush();
  }

  sendBinary(bytes) {
    this.#live().sendBinary(bytes);
    this.#flush();
  }

  sendFrame(kind, bytes, fin) {
    this.#live().sendFrame(kind, bytes, fin);
    this.#flush();
  }

  ping(bytes) {
    this.#live().ping(bytes);
    this.#flush();
  }

  #live() {
    if (this.#conn === null) throw new Error("connection ended");
    return this.#conn;
  }

  /** Sends a Close and waits (bounded) for the peer's; resolves to `closeInfo`. */
  async close(code, reason, timeoutMs = 5000) {
    if (this.#conn?.state === "open") {
      this.#conn.close(code, reason);
      this.#flush();
    }
    const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
    try {
      while ((await this.next()) !== null) {
        // discard data that was in flight
      }
    } finally {
      clearTimeout(timer);
    }
    return this.closeInfo;
  }

  destroy() {
    this.#socket.destroy();
  }
}

/**
 * Opens a WebSocket connection: TCP, the opening handshake (RFC 6455 §4.1), then a
 * `WsClient` in whole-message mode. With `deflate` (`true` or a config) permessage-deflate
 * is offered (RFC 7692); `client.deflate` is what the server agreed to, or null. Rejects on
 * a refused or invalid handshake.
 */
export function connect(url, { protocols, deflate, timeoutMs = 10_000 } = {}) {
  const req = clientRequest(url, { protocols, deflate });
  if (req.secure) return Promise.reject(new Error("wss:// is not supported by this example"));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: req.host, port: req.port, noDelay: true });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`handshake with ${url} timed out`)), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }
    function onData(chunk) {
      head = Buffer.concat([head, chunk]);
      let answer;
      try {
        answer = req.handshake.checkResponse(head, { maxSize: MAX_HANDSHAKE });
      } catch (err) {
        fail(err);
        return;
      }
      if (answer === null) return;
      socket.off("data", onData);
      socket.off("error", fail);
      socket.off("end", onEnd);
      clearTimeout(timer);
      if (!answer.accepted) {
        socket.destroy();
        const err = new Error(`${url}: server refused the handshake: ${answer.status} ${answer.reason}`);
        err.status = answer.status;
        reject(err);
        return;
      }
      const conn = new Connection({ role: "client", messages: true, maxMessageSize: MAX_MESSAGE, deflate: answer.deflate });
      const client = new WsClient(socket, conn, answer.protocol);
      const rest = head.subarray(answer.consumed);
      if (rest.length > 0) client.feed(rest);
      resolve(client);
    }
    socket.on("connect", () => socket.write(req.bytes));
    socket.on("data", onData);
    socket.on("error", fail);
    function onEnd() {
      fail(new Error(`${url}: connection closed during the handshake`));
    }
    socket.on("end", onEnd);
  });
}

/** Minimal `--name value` parsing for the examples. */
export function parseFlags(argv, known) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, "");
    if (!argv[i].startsWith("--") || !known.includes(name)) throw new Error(`unknown argument ${argv[i]}`);
    out[name] = argv[++i];
    if (out[name] === undefined) throw new Error(`${argv[i - 1]} needs a value`);
  }
  return out;
}
