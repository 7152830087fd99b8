/// <reference lib="dom" />
// The WebSocket API is written in the DOM's event types (Event, MessageEvent, EventTarget, Blob).
// Types of the `wsframe` package (hand-written; the same for every runtime entry).

/**
 * Frame opcodes (RFC 6455 §5.2, §11.8).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { OPCODES, decodeFrame, encodeFrame } from "wsframe";
 *
 * const frame = decodeFrame(encodeFrame({ opcode: "ping", payload: "hi" }));
 * assert.equal(frame.opcode, OPCODES.ping);
 * assert.equal(OPCODES.text, 1);
 * ```
 */
export declare const OPCODES: Readonly<{
  continuation: 0;
  text: 1;
  binary: 2;
  close: 8;
  ping: 9;
  pong: 10;
}>;

export type OpcodeName = keyof typeof OPCODES;

/**
 * The package version (from Cargo).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { version } from "wsframe";
 *
 * assert.match(version, /^\d+\.\d+\.\d+/); // semver, the Rust crate's
 * ```
 */
export declare const version: string;

/** Bytes accepted as input. */
export type BytesLike = Uint8Array | ArrayBufferView | ArrayBuffer;

export type Role = "client" | "server";

/** The closing-handshake state (RFC 6455 §7). */
export type ConnectionState = "open" | "closeSent" | "closeReceived" | "closed" | "failed";

/**
 * permessage-deflate (RFC 7692) as this end asks for or accepts it; every field optional,
 * defaults: context takeover both ways, 15-bit windows, level 6.
 */
export interface DeflateConfig {
  /** The server resets its compression context after each message. */
  serverNoContextTakeover?: boolean;
  /** The client resets its compression context after each message. */
  clientNoContextTakeover?: boolean;
  /** Largest LZ77 window the server may compress with, 8..15 (default 15). */
  serverMaxWindowBits?: number;
  /** Largest LZ77 window the client may compress with, 8..15 (default 15). */
  clientMaxWindowBits?: number;
  /** Compression level, 0 (store) to 9 (smallest); default 6. This end's choice, not negotiated. */
  level?: number;
}

/**
 * The permessage-deflate parameters both ends agreed on, as `negotiateDeflate` (server)
 * and `checkResponse` (client) return them: pass them as the Connection's `deflate`.
 */
export interface DeflateParams {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
  readonly level: number;
}

export interface ConnectionOptions {
  /** Default "server". Clients mask every frame with a key from `crypto.getRandomValues`. */
  role?: Role;
  /** Largest frame payload accepted, bytes (default 16 MiB); larger fails with 1009. */
  maxFramePayload?: number;
  /**
   * Largest message accepted, summed over fragments and counted after inflation
   * (default 16 MiB); larger fails with 1009.
   */
  maxMessageSize?: number;
  /** Most frames per message (default 2^20); more fails with 1009. */
  maxFragments?: number;
  /** Deliver text and binary as whole messages (reassembled, bounded by maxMessageSize). */
  messages?: boolean;
  /**
   * Deliver `data` as Uint8Array views into wasm memory instead of copies (text as UTF-8
   * bytes). A view is valid only until the next call into this package: copy what you keep.
   */
  views?: boolean;
  /**
   * permessage-deflate was negotiated (RFC 7692): the agreed params (from `negotiateDeflate`
   * or `checkResponse`), or `true` for those of a bare offer and response. Compressed
   * messages are then inflated and delivered whole; their inflated size counts against
   * `maxMessageSize` (over it: a ProtocolError with closeCode 1009). `sendText` and
   * `sendBinary` compress unless told not to. Default off: RSV1 fails with 1002.
   */
  deflate?: boolean | DeflateConfig | null;
  /** Answer each Ping with a Pong carrying its payload (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /**
   * Answer the peer's Close with a Close echoing its code and reason (§5.5.1), and queue the
   * Close a violation calls for (§7.1.7). Default true.
   */
  autoClose?: boolean;
  /**
   * The core's heartbeat (ms): `poll(now)` queues a Ping after `interval` of silence and
   * reports "dead" when nothing arrives within `timeout` after it.
   */
  heartbeat?: HeartbeatOptions;
}

/** A heartbeat, in milliseconds: ping after `interval` of silence, dead `timeout` later (default: `interval`). */
export interface HeartbeatOptions {
  interval: number;
  timeout?: number;
}

/** Per-message options of `sendText` and `sendBinary`. */
export interface SendOptions {
  /** With deflate on, `false` sends this message uncompressed (default true). Ignored otherwise. */
  compress?: boolean;
}

/** A chunk of a text message, or (with `messages`, or compressed) a whole one. */
export interface TextEvent {
  type: "text";
  /** A string, or UTF-8 bytes when receiving views. */
  data: string | Uint8Array;
  /** Whether this chunk ends the message (always true with `messages`). */
  last: boolean;
}

/** A chunk of a binary message, or (with `messages`, or compressed) a whole one. */
export interface BinaryEvent {
  type: "binary";
  data: Uint8Array;
  last: boolean;
}

/** A Ping (RFC 6455 §5.5.2); with `autoPong` its Pong is queued already. */
export interface PingEvent {
  type: "ping";
  data: Uint8Array;
}

/** A Pong (RFC 6455 §5.5.3). */
export interface PongEvent {
  type: "pong";
  data: Uint8Array;
}

/**
 * The peer's Close (RFC 6455 §5.5.1); `code` is absent when the frame had no body. With
 * `autoClose` the answering Close is queued already: write `takeOutgoing()`, then close TCP.
 */
export interface CloseEvent {
  type: "close";
  code?: number;
  reason?: string;
}

/** What `receive` yields, discriminated by `type`. */
export type WsEvent = TextEvent | BinaryEvent | PingEvent | PongEvent | CloseEvent;

/** Every error thrown by this package is an `Error` with a `name` and a stable `code`. */
export interface WsframeError extends Error {
  name: "WsframeError";
  /** The core's name: "CLOSED", "MESSAGE_IN_PROGRESS", "CONTROL_PAYLOAD_TOO_LARGE", "INVALID_CLOSE_CODE", ... */
  code: string;
}

/**
 * The peer broke RFC 6455, thrown by the iteration of `receive` after the events before the
 * violation (§7.1.7). With `autoClose` the Close carrying `closeCode` is queued: write
 * `takeOutgoing()` and close the socket; otherwise send `conn.close(err.closeCode)` first.
 */
export interface ProtocolError extends Error {
  name: "ProtocolError";
  /** The core's name: "UNMASKED_FRAME", "INVALID_UTF8", "MESSAGE_TOO_LARGE", ... */
  code: string;
  /** 1002 protocol error, 1007 invalid data, 1009 too big. */
  closeCode: number;
}

/** The opening handshake failed; a server answers with `rejectResponse(err)`. */
export interface HandshakeError extends Error {
  name: "HandshakeError";
  /** "MISSING_KEY", "UNSUPPORTED_VERSION", "BAD_ACCEPT", "INVALID_URI", ... */
  code: string;
  /** The HTTP status a server answers with: 400, 426, 431 (500 for the caller's own mistakes). */
  status: number;
}

/**
 * A WebSocket connection after the opening handshake, over the core's Session: bytes in,
 * events out, one at a time; calls in, bytes out through one queue (`takeOutgoing`). No
 * sockets, no timers. Call `free()` (or `using`) when done; a FinalizationRegistry frees
 * forgotten ones eventually.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { Connection, encodeFrame } from "wsframe";
 *
 * const conn = new Connection({ role: "server", messages: true });
 * // What a client sends: a masked text frame.
 * const fromClient = encodeFrame({ opcode: "text", payload: "hello", mask: true });
 * for (const event of conn.receive(fromClient)) {
 *   if (event.type === "text") conn.sendText(event.data); // echo
 * }
 * const echo = conn.takeOutgoing(); // write these bytes to the socket
 * assert.deepEqual([...echo], [0x81, 5, ...new TextEncoder().encode("hello")]);
 * conn.free();
 * ```
 */
export declare class Connection {
  constructor(options?: ConnectionOptions);
  readonly role: Role;
  readonly state: ConnectionState;
  readonly messages: boolean;
  /** The permessage-deflate params in use, or null. */
  readonly deflate: DeflateParams | null;
  /** Received bytes not decoded yet: a partial frame, or events not pulled yet. */
  readonly pendingInputBytes: number;
  /** Bytes queued for the peer (sends, automatic Pongs and Closes) not taken yet. */
  readonly bufferedAmount: number;
  /**
   * Adds bytes read from the peer (none: go on with what is buffered) and returns an
   * iterator over the events they complete, each decoded when the iterator is advanced, so
   * it is handled before the next is decoded. Any split of the stream gives the same
   * events. On a violation the iteration throws a `ProtocolError`, after the events before
   * it. Events not pulled stay buffered for the next `receive`. `bytes` may be reused as soon
   * as this returns (inside a message reassembled from frames of 64 KiB or more, the bytes are
   * copied in pieces, each payload byte once, and the first event they complete is decoded
   * here, the bytes after it kept in a copy of their own).
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection } from "wsframe";
   *
   * const client = new Connection({ role: "client" });
   * const server = new Connection({ role: "server" });
   * client.sendText("split anywhere");
   * const bytes = client.takeOutgoing();
   * // Any split of the stream gives the same events.
   * assert.deepEqual([...server.receive(bytes.subarray(0, 3))], []);
   * const events = [...server.receive(bytes.subarray(3))];
   * assert.deepEqual(events, [{ type: "text", data: "split anywhere", last: true }]);
   * client.free();
   * server.free();
   * ```
   */
  receive(bytes?: BytesLike): IterableIterator<WsEvent>;
  /** Like `receive`, with `data` as views into wasm memory valid until the next call. */
  receiveViews(bytes?: BytesLike): IterableIterator<WsEvent>;
  /**
   * Everything queued for the peer, oldest first: your sends and the automatic Pongs and
   * Closes, in order. Write it to the socket. Empty when nothing is queued.
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection, encodeFrame } from "wsframe";
   *
   * const conn = new Connection({ role: "server" });
   * conn.sendText("a");
   * const ping = encodeFrame({ opcode: "ping", payload: "p", mask: true });
   * for (const event of conn.receive(ping)) assert.equal(event.type, "ping");
   * // Oldest first: the text, then the Pong that autoPong queued.
   * assert.equal(conn.bufferedAmount, 6);
   * assert.deepEqual([...conn.takeOutgoing()], [0x81, 1, 0x61, 0x8a, 1, 0x70]);
   * assert.equal(conn.takeOutgoing().length, 0); // handed over once
   * conn.free();
   * ```
   */
  takeOutgoing(): Uint8Array;
  /**
   * Copies queued bytes into `target` from `offset` (default 0), as many as fit, oldest
   * first, and returns how many; the rest stays queued. Allocates nothing.
   */
  takeOutgoingInto(target: Uint8Array, offset?: number): number;
  /**
   * Queues a whole text message as one frame (a string, or UTF-8 bytes you vouch for;
   * compressed when deflate is on).
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection, OPCODES, decodeFrame } from "wsframe";
   *
   * const client = new Connection({ role: "client" });
   * client.sendText("héllo");
   * const frame = decodeFrame(client.takeOutgoing());
   * assert.equal(frame.opcode, OPCODES.text);
   * assert.notEqual(frame.mask, null); // a client masks every frame
   * assert.equal(new TextDecoder().decode(frame.payload), "héllo");
   * client.free();
   * ```
   */
  sendText(text: string | BytesLike, options?: SendOptions): void;
  /**
   * Queues a whole binary message as one frame (compressed when deflate is on).
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection } from "wsframe";
   *
   * const server = new Connection({ role: "server" });
   * const client = new Connection({ role: "client" });
   * server.sendBinary(Uint8Array.of(1, 2, 3));
   * const [event] = client.receive(server.takeOutgoing());
   * assert.equal(event.type, "binary");
   * assert.deepEqual(event.data, Uint8Array.of(1, 2, 3));
   * server.free();
   * client.free();
   * ```
   */
  sendBinary(bytes: BytesLike, options?: SendOptions): void;
  /**
   * Sends a whole binary message as `sendBinary` does, then copies everything queued into
   * `target` from `offset` (default 0) as `takeOutgoingInto` does and returns how many bytes;
   * what does not fit stays queued. One call into wasm and no allocation: for a sender
   * writing from its own buffer, a client's masked frames included.
   */
  sendBinaryInto(bytes: BytesLike, target: Uint8Array, offset?: number, options?: SendOptions): number;
  /**
   * Sends a whole binary message as `sendBinary` does, and returns everything now queued,
   * oldest first, as chunks to write in this order (one vectored write: `cork()` and
   * `uncork()`, or `writev`), leaving nothing queued. A server's uncompressed message has
   * `bytes` themselves as the last chunk, never copied: keep them unchanged until written.
   * A client's payload is masked (RFC 6455 §5.3) and a compressed one deflated, so those
   * are copied, and everything is then one chunk.
   */
  frameBinary(bytes: BytesLike, options?: SendOptions): Uint8Array[];
  /**
   * `frameBinary` with no allocation, for a server writing from its own buffer: writes what
   * goes before the payload (anything queued, then the header) into `target` (your own
   * memory, not an event's data) from `offset` and returns how many bytes; send `bytes`
   * themselves right after them, unchanged until written. `bytes` are never read here: an
   * event's data from `receiveViews` is valid until the next call, so copy it first. Server
   * only, uncompressed (`{ compress: false }` with deflate on), else a TypeError. `target`
   * needs 14 bytes of room from `offset`, else a RangeError with nothing queued; if earlier
   * queued bytes do not fit with the header, a RangeError and both stay queued (take them
   * with `takeOutgoing()`, then send `bytes`).
   */
  frameBinaryInto(bytes: BytesLike, target: BytesLike, offset?: number, options?: SendOptions): number;
  /** Queues one frame of a fragmented message (RFC 6455 §5.4); `fin` (default true) ends it. Never compressed. */
  sendFrame(kind: "text" | "binary", bytes: BytesLike | string, fin?: boolean): void;
  /** Queues a Ping, at most 125 bytes. */
  ping(bytes?: BytesLike | string): void;
  /** Queues a Pong (unsolicited, or answering a Ping with `autoPong: false`). */
  pong(bytes?: BytesLike | string): void;
  /**
   * Queues a Close (no code: empty body). The reason is at most 123 bytes of UTF-8.
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { CloseCode, Connection } from "wsframe";
   *
   * const client = new Connection({ role: "client" });
   * const server = new Connection({ role: "server" });
   * client.close(CloseCode.NORMAL, "bye");
   * assert.equal(client.state, "closeSent");
   * const [event] = server.receive(client.takeOutgoing());
   * assert.deepEqual(event, { type: "close", code: 1000, reason: "bye" });
   * // autoClose queued the server's answer: write it, then close TCP.
   * assert.equal(server.state, "closed");
   * [...client.receive(server.takeOutgoing())];
   * assert.equal(client.state, "closed");
   * client.free();
   * server.free();
   * ```
   */
  close(code?: number, reason?: string): void;
  /**
   * Runs the heartbeat (option `heartbeat`) at `now` (ms, your monotonic clock): "ping" (a
   * Ping was queued: write `takeOutgoing()`), "dead" (drop the connection) or "idle".
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection } from "wsframe";
   *
   * const conn = new Connection({ role: "client", heartbeat: { interval: 1000, timeout: 500 } });
   * assert.equal(conn.poll(0), "idle"); // times in ms of your monotonic clock
   * assert.equal(conn.nextDeadline, 1000);
   * assert.equal(conn.poll(1000), "ping"); // silence: a Ping is queued
   * assert.equal(conn.takeOutgoing()[0], 0x89);
   * assert.equal(conn.poll(1500), "dead"); // no answer: drop the connection
   * conn.free();
   * ```
   */
  poll(now: number): KeepaliveAction;
  /** When `poll` next has something to do (ms), or undefined (no heartbeat, or never polled). */
  readonly nextDeadline: number | undefined;
  /**
   * Releases the wasm memory now; a FinalizationRegistry frees a forgotten Connection eventually.
   *
   * @example
   * ```js
   * import assert from "node:assert/strict";
   * import { Connection } from "wsframe";
   *
   * const conn = new Connection();
   * conn.close(1001);
   * const bytes = conn.takeOutgoing(); // a copy: still valid after free()
   * conn.free(); // releases the wasm memory now
   * assert.deepEqual([...bytes], [0x88, 2, 0x03, 0xe9]);
   * assert.throws(() => conn.state, { code: "FREED" });
   * conn.free(); // a second free does nothing
   * ```
   */
  free(): void;
  [Symbol.dispose](): void;
}

export type KeepaliveAction = "idle" | "ping" | "dead";

/**
 * The core's heartbeat timer, on your clock (ms).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { Keepalive } from "wsframe";
 *
 * const k = new Keepalive(30_000, 10_000, 0); // interval, timeout, now (ms)
 * assert.equal(k.poll(29_999), "idle");
 * assert.equal(k.poll(30_000), "ping"); // send a Ping now
 * assert.equal(k.awaitingReply, true);
 * k.onReceive(31_000); // the Pong (or anything) arrived
 * assert.equal(k.poll(41_000), "idle");
 * assert.equal(k.nextDeadline, 61_000);
 * k.free();
 * ```
 */
export declare class Keepalive {
  constructor(interval: number, timeout: number, now: number);
  onReceive(now: number): void;
  poll(now: number): KeepaliveAction;
  readonly nextDeadline: number;
  readonly awaitingReply: boolean;
  free(): void;
}

/**
 * The core's reconnect delays (RFC 6455 §7.2.3): attempt 1 uniform in [0, firstWindow]
 * (5000 ms), attempt n in [w/2, w] with w = min(base * 2^(n-2), maxDelay) (base 5000 ms).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { Backoff } from "wsframe";
 *
 * const backoff = new Backoff(30_000); // maxDelay, ms
 * const first = backoff.nextDelay(); // attempt 1: in [0, 5000]
 * assert.ok(first >= 0 && first <= 5000);
 * for (const w of [5000, 10_000, 20_000, 30_000, 30_000]) {
 *   const delay = backoff.nextDelay(); // attempt n: in [w/2, w]
 *   assert.ok(delay >= w / 2 && delay <= w, `${delay} outside [${w / 2}, ${w}]`);
 * }
 * assert.equal(backoff.attempts, 6);
 * backoff.reset(); // after a successful open
 * backoff.free();
 * ```
 */
export declare class Backoff {
  constructor(maxDelay: number, firstWindow?: number, base?: number);
  /** The next delay (ms), counting the attempt; randomness from `random` or Web Crypto. */
  nextDelay(random?: (bytes: Uint8Array) => void): number;
  reset(): void;
  readonly attempts: number;
  readonly maxDelay: number;
  free(): void;
}

/**
 * The core's policy: reconnect after 1006, 1011, 1012, 1013; not after 1000, 1001 or any other.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { CloseCode, shouldReconnect } from "wsframe";
 *
 * assert.equal(shouldReconnect(CloseCode.ABNORMAL_CLOSURE), true); // TCP dropped
 * assert.equal(shouldReconnect(CloseCode.TRY_AGAIN_LATER), true);
 * assert.equal(shouldReconnect(CloseCode.NORMAL), false);
 * assert.equal(shouldReconnect(CloseCode.POLICY_VIOLATION), false); // retrying will not help
 * ```
 */
export declare function shouldReconnect(code: number): boolean;

/**
 * The close codes of RFC 6455 §7.4.1, from the core.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { CloseCode, Connection, encodeFrame } from "wsframe";
 *
 * const server = new Connection();
 * // A client's frames must be masked (RFC 6455 §5.1): this one is not.
 * const unmasked = encodeFrame({ opcode: "text", payload: "hi" });
 * assert.throws(() => [...server.receive(unmasked)], {
 *   name: "ProtocolError",
 *   closeCode: CloseCode.PROTOCOL_ERROR,
 * });
 * const close = server.takeOutgoing(); // the Close autoClose queued, code 1002
 * assert.equal((close[2] << 8) | close[3], CloseCode.PROTOCOL_ERROR);
 * server.free();
 * ```
 */
export declare const CloseCode: Readonly<{
  NORMAL: 1000;
  GOING_AWAY: 1001;
  PROTOCOL_ERROR: 1002;
  UNSUPPORTED_DATA: 1003;
  NO_STATUS_RECEIVED: 1005;
  ABNORMAL_CLOSURE: 1006;
  INVALID_PAYLOAD: 1007;
  POLICY_VIOLATION: 1008;
  MESSAGE_TOO_BIG: 1009;
  MANDATORY_EXTENSION: 1010;
  INTERNAL_ERROR: 1011;
  SERVICE_RESTART: 1012;
  TRY_AGAIN_LATER: 1013;
  BAD_GATEWAY: 1014;
  TLS_HANDSHAKE: 1015;
}>;

export interface ReconnectOptions {
  /** Cap on any delay, ms (default 30000). */
  maxDelay?: number;
  /** Attempts after one connection ends before giving up (default Infinity). */
  maxAttempts?: number;
  /** Whether to reconnect after this close (default: the core's `shouldReconnect(event.code)`). */
  shouldReconnect?: (event: WebSocketCloseEvent) => boolean;
  /** First-attempt window, ms (default 5000, RFC 6455 §7.2.3). */
  firstWindow?: number;
  /** Window of attempt 2, doubling after, ms (default 5000). */
  base?: number;
}

export interface WebSocketOptions {
  /** Extra request headers. */
  headers?: HeadersInit;
  origin?: string;
  /** Largest message accepted, bytes (default 16 MiB); larger fails the connection (1009). */
  maxPayload?: number;
  /** Connect plus opening handshake, ms (default 30000). */
  handshakeTimeout?: number;
  /** Offer permessage-deflate (default true, as browsers do); false, or a config. */
  deflate?: boolean | DeflateConfig;
  heartbeat?: HeartbeatOptions;
  reconnect?: boolean | ReconnectOptions;
  /** TLS options for wss: (Node: node:tls options such as `ca`; Deno: `caCerts`). */
  tls?: Record<string, unknown>;
  /** For tests: the clock and timers. */
  timers?: { now(): number; setTimeout(fn: () => void, ms: number): unknown; clearTimeout(t: unknown): void };
  /** For tests: the back-off's random source. */
  random?: (bytes: Uint8Array) => void;
}

export interface WebSocketCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** What ended an unclean connection (package extension), or null. */
  readonly lastError?: Error | null;
}

export interface WebSocketErrorEvent extends Event {
  readonly error: Error;
  readonly message: string;
}

export interface ReconnectEvent extends Event {
  /** 1, 2, ... since the last successful open. */
  readonly attempt: number;
  /** ms until the attempt. */
  readonly delay: number;
}

export interface HeartbeatEvent extends Event {
  readonly action: "ping" | "dead";
  /** For "dead": the silence, interval + timeout, ms. */
  readonly silence: number;
}

export interface WebSocketEventMap {
  open: Event;
  message: MessageEvent;
  error: WebSocketErrorEvent;
  close: WebSocketCloseEvent;
  reconnect: ReconnectEvent;
  heartbeat: HeartbeatEvent;
}

/**
 * The WHATWG WebSocket over the runtime's own sockets (node:net/tls, Deno.connect, Bun.connect,
 * workerd's connect()); the browser entry re-exports the browser's. With `reconnect`, every
 * ended connection fires `close`; when another attempt follows, a `reconnect` event comes next
 * and readyState stays CONNECTING (send throws InvalidStateError) until the next `open`.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { once } from "node:events";
 * import { WebSocket, WebSocketServer } from "wsframe";
 *
 * const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
 * await once(wss, "listening");
 * wss.on("connection", (peer) => peer.send(Uint8Array.of(1, 2, 3)));
 * const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`, ["chat"]);
 * ws.binaryType = "arraybuffer";
 * const [message] = await once(ws, "message");
 * assert.equal(ws.protocol, "chat");
 * assert.deepEqual(new Uint8Array(message.data), Uint8Array.of(1, 2, 3));
 * ws.close(1000, "done");
 * const [closed] = await once(ws, "close");
 * assert.deepEqual([closed.code, closed.wasClean], [1000, true]);
 * wss.close();
 * ```
 */
export declare class WebSocket extends EventTarget {
  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketOptions);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  readonly url: string;
  readonly readyState: 0 | 1 | 2 | 3;
  readonly protocol: string;
  readonly extensions: string;
  /**
   * Message bytes sent and not yet taken by the OS. Right after `send(data)` it has grown by
   * the size of `data`; it goes down in a later task (WHATWG).
   */
  readonly bufferedAmount: number;
  binaryType: "blob" | "arraybuffer";
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  /**
   * Fired before `close` when the connection was failed: a handshake or connection that never
   * completed, a protocol violation, a transport error, a dead peer. TCP closing without a
   * closing handshake is a `close` with 1006 alone.
   */
  onerror: ((event: WebSocketErrorEvent) => void) | null;
  onclose: ((event: WebSocketCloseEvent) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void;
  /**
   * Starts the closing handshake. `code` is converted as WebIDL's `[Clamp] unsigned short`,
   * then must be 1000 or 3000-4999 (InvalidAccessError); `reason` at most 123 bytes of UTF-8
   * (SyntaxError); a reason without a code closes with 1000. While connecting, it fails the
   * connection: readyState CLOSING at once, then `error` and `close` (1006), never `open`.
   */
  close(code?: number, reason?: string): void;
  /** Package extension: a Ping. */
  ping(data?: string | BytesLike): void;
  /** Package extension: drop the connection now, no reconnect. */
  terminate(): void;
  addEventListener<K extends keyof WebSocketEventMap>(type: K, listener: (event: WebSocketEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

/** A server-side connection of `WebSocketServer`, as `ws`'s WebSocket (a Node EventEmitter). */
export interface ServerWebSocket {
  readonly readyState: 0 | 1 | 2 | 3;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: "nodebuffer" | "arraybuffer";
  send(data: string | BytesLike, options?: { binary?: boolean; compress?: boolean }, cb?: (err?: Error) => void): void;
  send(data: string | BytesLike, cb?: (err?: Error) => void): void;
  ping(data?: string | BytesLike, mask?: boolean, cb?: (err?: Error) => void): void;
  pong(data?: string | BytesLike, mask?: boolean, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: "message", listener: (data: Uint8Array | ArrayBuffer, isBinary: boolean) => void): this;
  on(event: "close", listener: (code: number, reason: Uint8Array) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  on(event: "ping" | "pong", listener: (data: Uint8Array) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
}

export interface WebSocketServerOptions {
  port?: number;
  host?: string;
  backlog?: number;
  /** An existing node:http / node:https server to attach to. */
  server?: unknown;
  noServer?: boolean;
  path?: string;
  /** Off by default; true or a config accepts permessage-deflate offers. */
  perMessageDeflate?: boolean | (DeflateConfig & { zlibDeflateOptions?: { level?: number } });
  /** Largest message accepted, bytes (default 100 MiB). */
  maxPayload?: number;
  handleProtocols?: (protocols: Set<string>, request: any) => string | false;
  verifyClient?:
    | ((info: { origin?: string; secure: boolean; req: any }) => boolean)
    | ((info: { origin?: string; secure: boolean; req: any }, cb: (ok: boolean, code?: number, message?: string, headers?: HeadersInit) => void) => void);
  heartbeat?: HeartbeatOptions;
  clientTracking?: boolean;
  /** With `port`: a request head not complete by then is dropped, ms (default 10000). */
  handshakeTimeout?: number;
}

/**
 * Node only: a server in the shape `ws` users know. Other entries export a stub that throws.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { once } from "node:events";
 * import { WebSocket, WebSocketServer } from "wsframe";
 *
 * const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
 * await once(wss, "listening");
 * wss.on("connection", (ws) => {
 *   ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
 * });
 * const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`);
 * await once(client, "open");
 * client.send("echo me");
 * assert.equal((await once(client, "message"))[0].data, "echo me");
 * client.close();
 * await once(client, "close");
 * await new Promise((resolve) => wss.close(resolve));
 * ```
 */
export declare class WebSocketServer {
  constructor(options: WebSocketServerOptions, callback?: () => void);
  readonly clients: Set<ServerWebSocket> | undefined;
  address(): any;
  shouldHandle(request: any): boolean;
  handleUpgrade(request: any, socket: any, head: Uint8Array, cb: (ws: ServerWebSocket, request: any) => void): void;
  close(cb?: () => void): void;
  on(event: "connection", listener: (ws: ServerWebSocket, request: any) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
}

export interface FrameInit {
  opcode: number | OpcodeName;
  /** Default true. */
  fin?: boolean;
  /** RSV1-3 as a 3-bit number (RSV1 = 4). Default 0. */
  rsv?: number;
  payload?: BytesLike | string;
  /** A 4-byte key, `true` for a random one (client to server), or absent (unmasked). */
  mask?: BytesLike | boolean;
}

export interface DecodedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  mask: Uint8Array | null;
  /** Unmasked, a copy. */
  payload: Uint8Array;
  /** Bytes of input the frame took. */
  consumed: number;
}

/**
 * Encodes one frame (control frames: at most 125 bytes, not fragmented).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { encodeFrame } from "wsframe";
 *
 * const hello = encodeFrame({ opcode: "text", payload: "Hello" }); // unmasked: server to client
 * assert.deepEqual([...hello], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
 * // RFC 6455 §5.7: the same, masked with the key 37 fa 21 3d (client to server).
 * const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
 * const masked = encodeFrame({ opcode: "text", payload: "Hello", mask: key });
 * assert.deepEqual([...masked], [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
 * const first = encodeFrame({ opcode: "text", fin: false, payload: "Hel" }); // a fragment
 * assert.equal(first[0], 0x01);
 * ```
 */
export declare function encodeFrame(frame: FrameInit): Uint8Array;
/**
 * Decodes the frame at the start of `bytes`; `null` while incomplete.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { decodeFrame } from "wsframe";
 *
 * // RFC 6455 §5.7: a masked "Hello", then the first byte of the next frame.
 * const bytes = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, 0x89);
 * assert.equal(decodeFrame(bytes.subarray(0, 4)), null); // incomplete
 * const frame = decodeFrame(bytes);
 * assert.deepEqual([frame.fin, frame.opcode], [true, 1]);
 * assert.deepEqual(frame.mask, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
 * assert.equal(new TextDecoder().decode(frame.payload), "Hello"); // unmasked
 * assert.equal(frame.consumed, 11); // the next frame starts here
 * ```
 */
export declare function decodeFrame(bytes: BytesLike): DecodedFrame | null;

export type HeaderList = Array<[string, string]>;
export type HeadersInit = HeaderList | Record<string, string>;

/** A valid upgrade request (RFC 6455 §4.2.1). */
export interface UpgradeRequest {
  /** The request-target as sent. */
  path: string;
  /** Path and query, also for an absolute-URI target. */
  resource: string;
  host: string;
  key: string;
  /** The Sec-WebSocket-Accept value answering `key`. */
  accept: string;
  origin: string | null;
  /** Offered subprotocols, most preferred first. */
  protocols: string[];
  /** The raw Sec-WebSocket-Extensions offer, joined with ", ", or null. */
  extensions: string | null;
  headers: HeaderList;
  /** Length of the request head; bytes after it are frames. */
  consumed: number;
}

export interface ParseOptions {
  /** Largest head accepted (default 8192); larger throws a HandshakeError with status 431. */
  maxSize?: number;
}

/**
 * Parses a client's upgrade request (RFC 6455 §4.2.1): `null` while incomplete; throws a
 * `HandshakeError` with the `status` to answer.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { parseRequest } from "wsframe";
 *
 * const bytes = new TextEncoder().encode(
 *   "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n" +
 *     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
 *     "Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n",
 * );
 * assert.equal(parseRequest(bytes.subarray(0, 20)), null); // incomplete: read more
 * const request = parseRequest(bytes);
 * assert.equal(request.resource, "/chat");
 * assert.deepEqual(request.protocols, ["chat", "superchat"]);
 * assert.equal(request.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * assert.equal(request.consumed, bytes.length); // frames, if any, start here
 * ```
 */
export declare function parseRequest(bytes: BytesLike, options?: ParseOptions): UpgradeRequest | null;

export interface AcceptOptions {
  /** The selected subprotocol: one the client offered. */
  protocol?: string;
  /** The negotiated Sec-WebSocket-Extensions value. */
  extensions?: string;
  headers?: HeadersInit;
}

/**
 * The 101 Switching Protocols response (RFC 6455 §4.2.2).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { acceptResponse } from "wsframe";
 *
 * // A parseRequest result, or its key as here.
 * const response = acceptResponse("dGhlIHNhbXBsZSBub25jZQ==", { protocol: "chat" });
 * assert.equal(
 *   new TextDecoder().decode(response),
 *   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
 *     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
 * );
 * ```
 */
export declare function acceptResponse(request: UpgradeRequest | string, options?: AcceptOptions): Uint8Array;
/**
 * A response refusing the handshake: a status in 300-599 or a HandshakeError.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { parseRequest, rejectResponse } from "wsframe";
 *
 * const oldClient = new TextEncoder().encode(
 *   "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
 *     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
 * );
 * let error;
 * try {
 *   parseRequest(oldClient);
 * } catch (err) {
 *   error = err;
 * }
 * assert.equal(error.status, 426);
 * const text = new TextDecoder().decode(rejectResponse(error)); // write it, then close
 * assert.ok(text.startsWith("HTTP/1.1 426 Upgrade Required\r\n"));
 * assert.ok(text.includes("Sec-WebSocket-Version: 13\r\n"));
 * ```
 */
export declare function rejectResponse(
  status: number | HandshakeError,
  options?: { headers?: HeadersInit },
): Uint8Array;

export interface ClientRequestOptions {
  protocols?: string | string[];
  origin?: string;
  /** A raw Sec-WebSocket-Extensions offer; not together with `deflate`. */
  extensions?: string;
  /** Offer permessage-deflate (RFC 7692 §7.1) with the core's offer for this config. */
  deflate?: boolean | DeflateConfig | null;
  headers?: HeadersInit;
}

export type HandshakeResponse =
  | {
      accepted: true;
      status: 101;
      protocol: string | null;
      extensions: string | null;
      /** The agreed permessage-deflate params (for `new Connection({ deflate })`), or null. */
      deflate: DeflateParams | null;
      headers: HeaderList;
      consumed: number;
    }
  | {
      accepted: false;
      status: number;
      reason: string;
      location: string | null;
      headers: HeaderList;
      consumed: number;
    };

/**
 * What a client keeps to check the server's response: the core's verifier (made by
 * `clientRequest`, not constructed directly). `free()` releases it at once; a
 * FinalizationRegistry does eventually.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { acceptResponse, clientRequest, parseRequest } from "wsframe";
 *
 * const { bytes, handshake } = clientRequest("ws://127.0.0.1:9001/chat", { protocols: ["chat"] });
 * // The server's side, for the sake of the example.
 * const response = acceptResponse(parseRequest(bytes), { protocol: "chat" });
 * assert.equal(handshake.checkResponse(response.subarray(0, 10)), null); // read more
 * const answer = handshake.checkResponse(response);
 * assert.equal(answer.accepted, true);
 * assert.equal(answer.protocol, "chat");
 * assert.equal(answer.consumed, response.length); // frames start here
 * handshake.free();
 * ```
 */
export declare class ClientHandshake {
  private constructor();
  readonly url: string;
  readonly key: string;
  readonly protocols: string[];
  /** The Sec-WebSocket-Extensions value offered. */
  readonly extensions: string | undefined;
  /** The permessage-deflate config offered (normalized), or null. */
  readonly deflate: DeflateParams | null;
  /** `null` while incomplete; throws a HandshakeError when the client must fail. */
  checkResponse(bytes: BytesLike, options?: ParseOptions): HandshakeResponse | null;
  free(): void;
  [Symbol.dispose](): void;
}

export interface ClientRequest {
  /** The request to write. */
  bytes: Uint8Array;
  host: string;
  port: number;
  /** `wss:` (use TLS). */
  secure: boolean;
  resource: string;
  handshake: ClientHandshake;
}

/**
 * A client's upgrade request for a ws:// or wss:// URL (RFC 6455 §4.1).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { clientRequest } from "wsframe";
 *
 * // Builds the request only: connecting (TLS to req.host:req.port) is yours.
 * const req = clientRequest("wss://example.com/chat?room=1", { origin: "https://example.com" });
 * assert.deepEqual([req.host, req.port, req.secure], ["example.com", 443, true]);
 * assert.equal(req.resource, "/chat?room=1");
 * const head = new TextDecoder().decode(req.bytes);
 * assert.ok(head.startsWith("GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\n"));
 * assert.ok(head.includes(`Sec-WebSocket-Key: ${req.handshake.key}\r\n`));
 * req.handshake.free();
 * ```
 */
export declare function clientRequest(url: string | { readonly href: string }, options?: ClientRequestOptions): ClientRequest;
/**
 * `handshake.checkResponse(bytes, options)` as a function: `null` while incomplete, the
 * accepted or refused response, or a `HandshakeError` when the client must fail the connection.
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { acceptResponse, checkResponse, clientRequest, rejectResponse } from "wsframe";
 *
 * const { handshake } = clientRequest("ws://127.0.0.1:9001/");
 * const refused = checkResponse(rejectResponse(403), handshake);
 * assert.deepEqual([refused.accepted, refused.status], [false, 403]);
 * // A 101 answering another key: the client must fail the connection.
 * const wrong = acceptResponse("dGhlIHNhbXBsZSBub25jZQ==");
 * assert.throws(() => checkResponse(wrong, handshake), { name: "HandshakeError", code: "BAD_ACCEPT" });
 * handshake.free();
 * ```
 */
export declare function checkResponse(
  bytes: BytesLike,
  handshake: ClientHandshake,
  options?: ParseOptions,
): HandshakeResponse | null;
/** What `negotiateDeflate` agreed: the response header value and the params. */
export interface DeflateNegotiation {
  /** The Sec-WebSocket-Extensions value for `acceptResponse(request, { extensions })`. */
  response: string;
  /** For `new Connection({ role: "server", deflate: params })`. */
  params: DeflateParams;
}

/**
 * Server side of permessage-deflate (RFC 7692 §5, §7.1): the first acceptable offer of the
 * request (offers with unknown parameters or bad values are skipped) under `config`, or
 * null when none is acceptable (go on uncompressed).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { Connection, negotiateDeflate } from "wsframe";
 *
 * // A parseRequest result, or its Sec-WebSocket-Extensions value as here.
 * const offer = "permessage-deflate; client_max_window_bits";
 * const agreed = negotiateDeflate(offer, { serverNoContextTakeover: true });
 * assert.equal(agreed.response, "permessage-deflate; server_no_context_takeover");
 * const conn = new Connection({ role: "server", deflate: agreed.params });
 * assert.equal(conn.deflate.serverNoContextTakeover, true);
 * assert.equal(negotiateDeflate("x-webkit-deflate-frame"), null); // go on uncompressed
 * conn.free();
 * ```
 */
export declare function negotiateDeflate(
  request: UpgradeRequest | string,
  config?: true | DeflateConfig,
): DeflateNegotiation | null;
/**
 * base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §1.3).
 *
 * @example
 * ```js
 * import assert from "node:assert/strict";
 * import { acceptKey } from "wsframe";
 *
 * // RFC 6455 §1.3: the sample nonce and the Sec-WebSocket-Accept answering it.
 * assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export declare function acceptKey(key: string): string;
