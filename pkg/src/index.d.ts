/// <reference lib="dom" />
// The WebSocket API is written in the DOM's event types (Event, MessageEvent, EventTarget, Blob).
// Types of the `wsframe` package (hand-written; the same for every runtime entry).

/** Frame opcodes (RFC 6455 §5.2, §11.8). */
export declare const OPCODES: Readonly<{
  continuation: 0;
  text: 1;
  binary: 2;
  close: 8;
  ping: 9;
  pong: 10;
}>;

export type OpcodeName = keyof typeof OPCODES;

/** The package version (from Cargo). */
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
   */
  receive(bytes?: BytesLike): IterableIterator<WsEvent>;
  /** Like `receive`, with `data` as views into wasm memory valid until the next call. */
  receiveViews(bytes?: BytesLike): IterableIterator<WsEvent>;
  /**
   * Everything queued for the peer, oldest first: your sends and the automatic Pongs and
   * Closes, in order. Write it to the socket. Empty when nothing is queued.
   */
  takeOutgoing(): Uint8Array;
  /**
   * Copies queued bytes into `target` from `offset` (default 0), as many as fit, oldest
   * first, and returns how many; the rest stays queued. Allocates nothing.
   */
  takeOutgoingInto(target: Uint8Array, offset?: number): number;
  /** Queues a whole text message as one frame (a string, or UTF-8 bytes you vouch for; compressed when deflate is on). */
  sendText(text: string | BytesLike, options?: SendOptions): void;
  /** Queues a whole binary message as one frame (compressed when deflate is on). */
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
  /** Queues a Close (no code: empty body). The reason is at most 123 bytes of UTF-8. */
  close(code?: number, reason?: string): void;
  /**
   * Runs the heartbeat (option `heartbeat`) at `now` (ms, your monotonic clock): "ping" (a
   * Ping was queued: write `takeOutgoing()`), "dead" (drop the connection) or "idle".
   */
  poll(now: number): KeepaliveAction;
  /** When `poll` next has something to do (ms), or undefined (no heartbeat, or never polled). */
  readonly nextDeadline: number | undefined;
  free(): void;
  [Symbol.dispose](): void;
}

export type KeepaliveAction = "idle" | "ping" | "dead";

/** The core's heartbeat timer, on your clock (ms). */
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

/** The core's policy: reconnect after 1006, 1011, 1012, 1013; not after 1000, 1001 or any other. */
export declare function shouldReconnect(code: number): boolean;

/** The close codes of RFC 6455 §7.4.1, from the core. */
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
  readonly bufferedAmount: number;
  binaryType: "blob" | "arraybuffer";
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: WebSocketErrorEvent) => void) | null;
  onclose: ((event: WebSocketCloseEvent) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void;
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

/** Node only: a server in the shape `ws` users know. Other entries export a stub that throws. */
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

/** Encodes one frame (control frames: at most 125 bytes, not fragmented). */
export declare function encodeFrame(frame: FrameInit): Uint8Array;
/** Decodes the frame at the start of `bytes`; `null` while incomplete. */
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

export declare function parseRequest(bytes: BytesLike, options?: ParseOptions): UpgradeRequest | null;

export interface AcceptOptions {
  /** The selected subprotocol: one the client offered. */
  protocol?: string;
  /** The negotiated Sec-WebSocket-Extensions value. */
  extensions?: string;
  headers?: HeadersInit;
}

/** The 101 Switching Protocols response (RFC 6455 §4.2.2). */
export declare function acceptResponse(request: UpgradeRequest | string, options?: AcceptOptions): Uint8Array;
/** A response refusing the handshake: a status in 300-599 or a HandshakeError. */
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

/** A client's upgrade request for a ws:// or wss:// URL (RFC 6455 §4.1). */
export declare function clientRequest(url: string | { readonly href: string }, options?: ClientRequestOptions): ClientRequest;
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
 */
export declare function negotiateDeflate(
  request: UpgradeRequest | string,
  config?: true | DeflateConfig,
): DeflateNegotiation | null;
/** base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §1.3). */
export declare function acceptKey(key: string): string;
