// A small WebSocket client over node:net on the `wsframe` npm package, shared by the
// Node examples (client.mjs, autobahn-client.mjs). ws:// only.
//
//   const ws = await connect("ws://127.0.0.1:9001/");
//   ws.sendText("hi");
//   const event = await ws.next(); // { type: "text", data: "hi", last: true }
//   await ws.close(1000);
//
// Pings are answered and the peer's Close is echoed here (the library itself never replies
// on its own); protocol violations fail the connection with the close code the core reports.
import net from "node:net";
import { Connection, clientRequest } from "../../pkg/src/node.js";

const MAX_MESSAGE = 16 << 20;
const MAX_HANDSHAKE = 8 << 10;

export class WsClient {
  #socket;
  #conn;
  #queue = [];
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
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("end", () => this.#finish({ code: 1006, reason: "" }));
    socket.on("error", (err) => this.#finish({ code: 1006, reason: err.message }));
    socket.on("close", () => {
      this.#finish({ code: 1006, reason: "" });
      this.#conn.free();
    });
  }

  get state() {
    return this.#conn.state;
  }

  /** The permessage-deflate params in use, or null. */
  get deflate() {
    return this.#conn.deflate;
  }

  #write(bytes) {
    if (!this.#socket.destroyed && !this.#socket.writableEnded) this.#socket.write(bytes);
  }

  /** Feeds bytes read from the socket (or left over after the handshake). */
  feed(chunk) {
    this.#onData(chunk);
  }

  #onData(chunk) {
    if (this.#ended) return;
    let events;
    try {
      events = this.#conn.receive(chunk);
    } catch (err) {
      if (err?.name !== "ProtocolError") throw err;
      for (const ev of err.events ?? []) this.#deliver(ev);
      this.error = err;
      this.#write(this.#conn.close(err.closeCode)); // RFC 6455 §7.1.7
      this.#socket.end();
      this.#finish({ code: err.closeCode, reason: err.message });
      return;
    }
    for (const ev of events) this.#deliver(ev);
  }

  #deliver(ev) {
    if (ev.type === "ping") {
      if (this.#conn.state === "open") this.#write(this.#conn.pong(ev.data)); // RFC 6455 §5.5.2
    } else if (ev.type === "close") {
      // Echo the peer's Close unless we sent ours first (RFC 6455 §5.5.1).
      if (this.#conn.state === "closeReceived") {
        this.#write(ev.code === undefined ? this.#conn.close() : this.#conn.close(ev.code));
      }
      // The server closes TCP first (§7.1.1); end ours too so that a lazy server cannot hang us.
      this.#socket.end();
      this.#push(ev);
      this.#finish({ code: ev.code ?? 1005, reason: ev.reason ?? "" });
      return;
    }
    this.#push(ev);
  }

  #push(ev) {
    const w = this.#waiters.shift();
    if (w) w.resolve(ev);
    else this.#queue.push(ev);
  }

  #finish(info) {
    if (this.#ended) return;
    this.#ended = true;
    this.closeInfo = info;
    for (const w of this.#waiters.splice(0)) w.resolve(null);
  }

  /** The next event (ping answered, close echoed already), or null once the connection ended. */
  next() {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift());
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  sendText(text) {
    this.#write(this.#conn.sendText(text));
  }

  sendBinary(bytes) {
    this.#write(this.#conn.sendBinary(bytes));
  }

  sendFrame(kind, bytes, fin) {
    this.#write(this.#conn.sendFrame(kind, bytes, fin));
  }

  ping(bytes) {
    this.#write(this.#conn.ping(bytes));
  }

  /** Sends a Close and waits (bounded) for the peer's; resolves to `closeInfo`. */
  async close(code, reason, timeoutMs = 5000) {
    if (this.#conn.state === "open") this.#write(this.#conn.close(code, reason));
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
