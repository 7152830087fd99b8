// `WebSocketServer` for Node, in the shape `ws` users know (`{ port }`, `{ server }`,
// `{ noServer }` + `handleUpgrade`), over the low-level API: the core parses and answers the
// upgrade request, negotiates permessage-deflate and runs each connection (a Connection);
// this file only wires node:http sockets, events and timers to it.
import { EventEmitter } from "node:events";
import http from "node:http";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const MAX_HANDSHAKE = 8 << 10;
/** After our Close, how long the peer has to answer and close TCP before it is destroyed. */
const CLOSE_TIMEOUT_MS = 10_000;
const DEFLATE_KEYS = ["serverNoContextTakeover", "clientNoContextTakeover", "serverMaxWindowBits", "clientMaxWindowBits"];

/** The request head as it came (Node's parser already split it): the core parses it again. */
function rawHead(req) {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return Buffer.from(`${head}\r\n`, "latin1");
}

function abort(socket, bytes) {
  if (socket.writable) socket.end(bytes);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** Binary messages from this size on are sent by reference (`frameBinary`), not copied. */
const BY_REFERENCE = 16 * 1024;

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data)) {
    // A list of chunks (a message received as fragments) is their concatenation; any other
    // array is its byte values, as ws's Buffer.from(data).
    const chunks = data.length > 0 && data.every((c) => ArrayBuffer.isView(c) || c instanceof ArrayBuffer);
    return chunks ? Buffer.concat(data.map(toBuffer)) : Buffer.from(data);
  }
  return Buffer.from(String(data));
}

export function createWebSocketServer(api) {
  const { Connection, parseRequest, acceptResponse, rejectResponse, negotiateDeflate } = api;

  /**
   * One server-side connection, as `ws`'s WebSocket: events `message(data, isBinary)`,
   * `close(code, reason)`, `error(err)` (only when listened to), `ping(data)`, `pong(data)`.
   */
  class ServerWebSocket extends EventEmitter {
    static CONNECTING = CONNECTING;
    static OPEN = OPEN;
    static CLOSING = CLOSING;
    static CLOSED = CLOSED;

    #socket;
    #conn;
    #heartbeat;
    #timer = null;
    #peerClose = null;
    #failed = false;
    /**
     * While a read is handled, the answers to it, written together after it: `chunks` taken
     * from the queue ahead of large messages sent by reference, and the sends' callbacks.
     */
    #batch = null;
    readyState = OPEN;
    /** "nodebuffer" (default) or "arraybuffer". */
    binaryType = "nodebuffer";
    #afterClose = 0; // bytes of sends after the connection left OPEN (counted, never sent)

    constructor(socket, conn, protocol, extensions, heartbeat) {
      super();
      this.#socket = socket;
      this.#conn = conn;
      this.#heartbeat = heartbeat;
      this.protocol = protocol ?? "";
      this.extensions = extensions ?? "";
      socket.setNoDelay(true);
      socket.setTimeout(0);
      socket.on("data", (chunk) => this.#onData(chunk));
      socket.on("error", (err) => {
        if (!this.#failed) this.#emitError(err);
      });
      socket.on("end", () => {
        if (this.readyState === OPEN) this.readyState = CLOSING;
        socket.end();
      });
      socket.on("close", () => this.#onClose());
      if (heartbeat) this.#tick();
    }

    /** Bytes queued for the peer: answers held until the read is handled, in the connection, in the socket's buffer. */
    get bufferedAmount() {
      const held = this.#batch?.chunks.reduce((n, c) => n + c.length, 0) ?? 0;
      return held + (this.#conn?.bufferedAmount ?? 0) + (this.#socket.writableLength ?? 0) + this.#afterClose;
    }

    /** The remote address, as `req.socket.remoteAddress`. */
    get _socket() {
      return this.#socket;
    }

    #emitError(err) {
      if (this.listenerCount("error") > 0) this.emit("error", err);
    }

    /**
     * Writes `chunks`, then what the connection queued; a full socket pauses reading until it
     * drains.
     */
    #flush(cb, chunks = []) {
      const conn = this.#conn;
      if (conn === null) return;
      if (this.#batch !== null) {
        // Answers to what one read brought go out in one write, after the read.
        if (cb) this.#batch.cbs.push(cb);
        return;
      }
      const queued = conn.takeOutgoing();
      if (queued.length > 0 || chunks.length === 0) chunks.push(queued);
      this.#write(chunks, cb);
    }

    /** Writes `chunks` in order (one vectored write); a full socket pauses reading until it drains. */
    #write(chunks, cb) {
      const s = this.#socket;
      if (chunks[0].length === 0 || s.destroyed || s.writableEnded) {
        if (cb) queueMicrotask(() => cb(s.destroyed ? new Error("socket closed") : undefined));
        return;
      }
      if (chunks.length > 1) s.cork();
      let room = true;
      for (let i = 0; i < chunks.length; i++) room = s.write(chunks[i], i === chunks.length - 1 ? cb : undefined);
      if (chunks.length > 1) s.uncork();
      if (!room && !s.isPaused()) {
        s.pause();
        s.once("drain", () => {
          if (!s.destroyed) s.resume();
        });
      }
    }

    #onData(chunk) {
      const conn = this.#conn;
      if (conn === null || this.#failed) return;
      let violation = null;
      this.#batch = { chunks: [], cbs: [] };
      try {
        for (const ev of conn.receiveViews(chunk)) {
          switch (ev.type) {
            case "text":
              this.emit("message", Buffer.from(ev.data), false);
              break;
            case "binary":
              this.emit("message", this.binaryType === "arraybuffer" ? ev.data.slice().buffer : Buffer.from(ev.data), true);
              break;
            case "ping":
              this.emit("ping", Buffer.from(ev.data));
              break;
            case "pong":
              this.emit("pong", Buffer.from(ev.data));
              break;
            case "close":
              this.#peerClose = { code: ev.code ?? 1005, reason: Buffer.from(ev.reason ?? "") };
              this.readyState = CLOSING;
              break;
          }
          if (this.#conn !== conn) break; // terminated in a listener
        }
      } catch (err) {
        if (err?.name !== "ProtocolError") throw err;
        violation = err;
      } finally {
        const { chunks, cbs } = this.#batch;
        this.#batch = null;
        this.#flush(cbs.length === 0 ? undefined : (err) => cbs.forEach((cb) => cb(err)), chunks);
      }
      if (this.#conn !== conn) return;
      if (violation !== null) {
        // RFC 6455 §7.1.7: the core queued the Close with its code; send it, close TCP.
        this.#failed = true;
        this.readyState = CLOSING;
        this.#emitError(violation);
        this.#end();
      } else if (conn.state === "closed") {
        this.#end(); // the server closes TCP first (RFC 6455 §7.1.1)
      }
    }

    #end() {
      this.#clearTimer();
      const s = this.#socket;
      if (!s.writableEnded) s.end();
      s.resume(); // read to the peer's FIN, so that our last bytes are not reset
      this.#timer = setTimeout(() => s.destroy(), 2_000);
      this.#timer.unref();
    }

    #clearTimer() {
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    }

    #tick() {
      if (this.#conn === null || this.readyState !== OPEN) return;
      const action = this.#conn.poll(performance.now());
      if (action === "ping") this.#flush();
      else if (action === "dead") {
        this.terminate();
        return;
      }
      const wait = Math.max(0, (this.#conn.nextDeadline ?? 0) - performance.now());
      this.#timer = setTimeout(() => this.#tick(), wait);
      this.#timer.unref();
    }

    #onClose() {
      this.#clearTimer();
      const clean = this.#peerClose !== null && !this.#failed && this.#conn?.state === "closed";
      this.#conn?.free();
      this.#conn = null;
      this.readyState = CLOSED;
      if (clean) this.emit("close", this.#peerClose.code, this.#peerClose.reason);
      else this.emit("close", 1006, Buffer.alloc(0));
    }

    /**
     * Sends a message: text for a string unless `binary`, binary for bytes unless
     * `binary: false`; `compress: false` skips permessage-deflate. `cb(err?)` once written.
     */
    send(data, options, cb) {
      if (typeof options === "function") [cb, options] = [options, {}];
      options ??= {};
      if (typeof data === "number") data = String(data); // text, as ws sends a number
      if (this.readyState !== OPEN) {
        // As ws: the bytes count in bufferedAmount, never sent; `cb` gets the error.
        this.#afterClose += typeof data === "string" ? Buffer.byteLength(data) : toBuffer(data).length;
        const err = new Error(`WebSocket is not open: readyState ${this.readyState}`);
        if (cb) queueMicrotask(() => cb(err));
        return;
      }
      const binary = options.binary ?? typeof data !== "string";
      const compress = { compress: options.compress !== false };
      if (!binary) this.#conn.sendText(typeof data === "string" ? data : toBuffer(data), compress);
      else if (data.length >= BY_REFERENCE) {
        // A large binary message goes out by reference: header from the queue, then the
        // caller's bytes themselves, uncopied (as ws does; keep them unchanged until `cb`).
        // Answering a read, they join its answers, in order.
        const chunks = this.#conn.frameBinary(toBuffer(data), compress);
        if (this.#batch === null) this.#write(chunks, cb);
        else {
          this.#batch.chunks.push(...chunks);
          if (cb) this.#batch.cbs.push(cb);
        }
        return;
      } else this.#conn.sendBinary(toBuffer(data), compress);
      this.#flush(cb);
    }

    ping(data, _mask, cb) {
      if (typeof data === "function") [cb, data] = [data, undefined];
      if (this.readyState !== OPEN) throw new Error("WebSocket is not open");
      this.#conn.ping(data === undefined ? "" : typeof data === "string" ? data : toBuffer(data));
      this.#flush(cb);
    }

    pong(data, _mask, cb) {
      if (typeof data === "function") [cb, data] = [data, undefined];
      if (this.readyState !== OPEN) throw new Error("WebSocket is not open");
      this.#conn.pong(data === undefined ? "" : typeof data === "string" ? data : toBuffer(data));
      this.#flush(cb);
    }

    /** Starts the closing handshake; the socket is destroyed if the peer does not finish it. */
    close(code, reason) {
      if (this.readyState !== OPEN) return;
      this.readyState = CLOSING;
      this.#clearTimer();
      this.#conn.close(code, reason === undefined ? undefined : String(reason));
      this.#flush();
      this.#timer = setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
      this.#timer.unref();
    }

    /** Destroys the socket now, no closing handshake. */
    terminate() {
      this.#failed = true;
      this.readyState = CLOSING;
      this.#socket.destroy();
    }
  }

  /**
   * A WebSocket server as `ws`'s: `new WebSocketServer({ port, host } | { server } | { noServer },
   * callback?)`. Options: `path`, `perMessageDeflate` (false; true or `{ serverNoContextTakeover,
   * clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, level }`), `maxPayload`
   * (bytes, 100 MiB), `handleProtocols(protocols: Set, req)` (default: the first offered),
   * `verifyClient(info, cb?)`, `heartbeat: { interval, timeout }` (ms), `clientTracking` (true),
   * `handshakeTimeout` (ms, 10000; with `port`: a head not complete by then is dropped).
   * Events: `connection(ws, req)`, `listening`, `error`, `close`.
   */
  class WebSocketServer extends EventEmitter {
    #server = null;
    #own = false;
    #options;
    #deflate;

    constructor(options = {}, callback) {
      super();
      const o = options;
      const modes = [o.port !== undefined, o.server !== undefined, Boolean(o.noServer)].filter(Boolean).length;
      if (modes !== 1) throw new TypeError('one of the "port", "server" or "noServer" options must be given');
      this.#options = { maxPayload: 100 * 1024 * 1024, clientTracking: true, ...o };
      this.#deflate = o.perMessageDeflate ? this.#deflateConfig(o.perMessageDeflate) : null;
      this.clients = this.#options.clientTracking ? new Set() : undefined;
      if (o.port !== undefined) {
        // A client that sends its head slowly (slowloris) is dropped after handshakeTimeout.
        const timeout = o.handshakeTimeout ?? 10_000;
        this.#server = http.createServer({
          headersTimeout: timeout,
          requestTimeout: timeout,
          connectionsCheckingInterval: Math.min(timeout, 1_000),
        });
        this.#own = true;
        this.#server.listen(o.port, o.host, o.backlog, callback);
      } else if (o.server) {
        this.#server = o.server;
      }
      if (this.#server) {
        const s = this.#server;
        this.#onListening = () => this.emit("listening");
        this.#onError = (err) => this.emit("error", err);
        this.#onUpgrade = (req, socket, head) => {
          if (!this.shouldHandle(req)) return this.#own ? abort(socket, rejectResponse(400)) : undefined;
          this.handleUpgrade(req, socket, head, (ws) => this.emit("connection", ws, req));
        };
        s.on("listening", this.#onListening);
        s.on("error", this.#onError);
        s.on("upgrade", this.#onUpgrade);
        if (this.#own) {
          // Not an upgrade: the core says what is wrong with it (400, or 426).
          s.on("request", (req, res) => {
            let status = 426;
            try {
              parseRequest(rawHead(req), { maxSize: 1 << 20 });
            } catch (err) {
              status = err.status ?? 400;
            }
            res.writeHead(status, { Connection: "close" }).end();
          });
          s.on("clientError", (_err, socket) => abort(socket, rejectResponse(400)));
        }
      }
    }

    #onListening;
    #onError;
    #onUpgrade;

    #deflateConfig(value) {
      if (value === true) return true;
      const c = {};
      for (const k of DEFLATE_KEYS) {
        // ws's `true` for a window size means "the default": leave it to the core.
        if (value[k] !== undefined && !(k.endsWith("Bits") && typeof value[k] !== "number")) c[k] = value[k];
      }
      const level = value.level ?? value.zlibDeflateOptions?.level;
      if (level !== undefined) c.level = level;
      return c;
    }

    /** The listening address (`server.address()`). */
    address() {
      if (!this.#server) throw new Error("the server is in noServer mode");
      return this.#server.address();
    }

    /** Whether a request is for this server (the `path` option). */
    shouldHandle(req) {
      const path = this.#options.path;
      if (path === undefined) return true;
      const q = req.url.indexOf("?");
      return (q === -1 ? req.url : req.url.slice(0, q)) === path;
    }

    /** Completes (or refuses) the upgrade of `req` on `socket`; `cb(ws, req)` on success. */
    handleUpgrade(req, socket, head, cb) {
      socket.on("error", () => socket.destroy());
      let request;
      try {
        request = parseRequest(rawHead(req), { maxSize: MAX_HANDSHAKE });
        if (request === null) throw Object.assign(new Error("incomplete request"), { status: 400 });
      } catch (err) {
        if (err?.name !== "HandshakeError" && err?.status === undefined) throw err;
        abort(socket, rejectResponse(err?.name === "HandshakeError" ? err : 400));
        return;
      }
      const verify = this.#options.verifyClient;
      const info = { origin: request.origin ?? req.headers.origin, secure: Boolean(req.socket.encrypted), req };
      const proceed = (ok, code = 401, _message, headers) => {
        if (!ok) return abort(socket, rejectResponse(code, { headers }));
        this.#complete(request, req, socket, head, cb);
      };
      if (typeof verify !== "function") proceed(true);
      else if (verify.length >= 2) verify(info, proceed);
      else proceed(Boolean(verify(info)));
    }

    #complete(request, req, socket, head, cb) {
      if (!socket.writable || socket.destroyed) return socket.destroy();
      const o = this.#options;
      let protocol = request.protocols[0];
      if (o.handleProtocols && request.protocols.length > 0) {
        const chosen = o.handleProtocols(new Set(request.protocols), req);
        protocol = chosen === false ? undefined : chosen;
      }
      const agreed = this.#deflate ? negotiateDeflate(request, this.#deflate) : null;
      const headers = [];
      this.emit("headers", headers, req);
      const extraHeaders = headers.map((line) => {
        const i = line.indexOf(":");
        return [line.slice(0, i).trim(), line.slice(i + 1).trim()];
      });
      socket.write(acceptResponse(request, { protocol, extensions: agreed?.response, headers: extraHeaders }));
      const conn = new Connection({
        role: "server",
        messages: true,
        maxMessageSize: o.maxPayload,
        deflate: agreed?.params,
        heartbeat: o.heartbeat,
      });
      const ws = new ServerWebSocket(socket, conn, protocol, agreed?.response, o.heartbeat);
      if (this.clients) {
        this.clients.add(ws);
        ws.on("close", () => this.clients.delete(ws));
      }
      cb(ws, req);
      if (head && head.length > 0) socket.unshift(head);
    }

    /** Stops accepting (closes the server it made); connections stay until they end. */
    close(cb) {
      const s = this.#server;
      if (s) {
        s.off("listening", this.#onListening);
        s.off("error", this.#onError);
        s.off("upgrade", this.#onUpgrade);
      }
      const done = () => {
        this.emit("close");
        cb?.();
      };
      if (this.#own && s.listening) s.close(() => done());
      else queueMicrotask(done);
    }
  }

  WebSocketServer.WebSocket = ServerWebSocket;
  return WebSocketServer;
}
