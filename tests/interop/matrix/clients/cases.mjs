// Shared case code of the JS client drivers of the interop matrix (tests/interop/matrix/README.md).
//
// `matrixPayload`, `echoDifference`, `matrixInbox` and `whatwgSuite` are self-contained
// function declarations (they use nothing from this module's scope except each other by name),
// so chromium-client.mjs can inject their source text into a page, where they become globals,
// and run the very same code there.

/** The cases' message sizes, in bytes. */
export const SIZES = [0, 125, 126, 65535, 65536, 4194304];
/** The subprotocols every driver offers, in this order. */
export const PROTOCOLS = ["matrix.v1", "matrix.v2"];
/** The per-case time bound. */
export const CASE_MS = 30000;
export const FRAGMENTS = ["matrix-", "fragmented w", "örld 😀"];
export const CLOSE_REASON = "matrix-bye ü";

/**
 * The payload of a case: `kind` is "text-ascii", "text-utf8" or "binary", `n` the length in
 * bytes. Returns { data, bytes }: data is what to send (a string for text, a Uint8Array for
 * binary) and bytes its UTF-8 / raw bytes.
 */
export function matrixPayload(kind, n) {
  if (kind === "text-ascii") {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = 0x20 + ((i * 7) % 95);
    return { data: new TextDecoder().decode(bytes), bytes };
  }
  if (kind === "text-utf8") {
    const data = "\u{1F600}".repeat(Math.floor(n / 4)) + "a".repeat(n % 4);
    return { data, bytes: new TextEncoder().encode(data) };
  }
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 167 + 13) % 251;
  return { data: bytes, bytes };
}

/** Where the echo `got` differs from the bytes sent: null when equal, else a detail. */
export function echoDifference(got, bytes) {
  if (got.length !== bytes.length) {
    let i = 0;
    const m = Math.min(got.length, bytes.length);
    while (i < m && got[i] === bytes[i]) i++;
    return "echo has " + got.length + " bytes, sent " + bytes.length + " (first difference at byte " + i + ")";
  }
  for (let i = 0; i < got.length; i++) if (got[i] !== bytes[i]) return "echo differs at byte " + i;
  return null;
}

/**
 * The incoming messages of one connection: `push(item)` from the message handler, `close()`
 * from the close handler, `await next(deadline)` in the cases (null on timeout or close).
 * Replies that arrive after their case timed out are dropped (`skip(n)` says how many more
 * to drop, discarding any already queued), so later cases don't get them.
 */
export function matrixInbox() {
  const queue = [];
  let waiter = null;
  let stale = 0;
  let closed = false;
  const wake = () => {
    if (waiter) {
      const w = waiter;
      waiter = null;
      w();
    }
  };
  return {
    push(item) {
      if (stale > 0) stale--;
      else queue.push(item);
      wake();
    },
    close() {
      closed = true;
      wake();
    },
    skip(n) {
      stale += n;
      while (queue.length > 0 && stale > 0) {
        queue.shift();
        stale--;
      }
    },
    async next(deadline) {
      for (;;) {
        if (queue.length > 0) return queue.shift();
        if (closed) return null;
        const left = deadline - Date.now();
        if (left <= 0) {
          stale++;
          return null;
        }
        let t;
        await new Promise((r) => {
          waiter = r;
          t = setTimeout(r, left);
        });
        clearTimeout(t);
        waiter = null;
      }
    },
  };
}

/**
 * Runs the matrix suite over one connection of a WHATWG WebSocket.
 *   WebSocket: the constructor; url; opts: { options (a third constructor argument, or
 *   undefined for a native WebSocket), emit(obj) (prints one result line), caseMs }.
 * Resolves when done; rejects if the connection cannot be opened.
 */
export async function whatwgSuite(WebSocket, url, opts) {
  const emit = opts.emit;
  const caseMs = opts.caseMs || 30000;
  const protocols = ["matrix.v1", "matrix.v2"];
  const ws = opts.options === undefined ? new WebSocket(url, protocols) : new WebSocket(url, protocols, opts.options);
  ws.binaryType = "arraybuffer";

  // Incoming messages; late replies of timed-out cases are dropped.
  const inbox = matrixInbox();
  let closeEvent = null;
  let opened = false;
  ws.onmessage = (e) => inbox.push(e.data);
  const closed = new Promise((resolve) => {
    ws.onclose = (e) => {
      closeEvent = { code: e.code, reason: e.reason, wasClean: e.wasClean };
      resolve(closeEvent);
      inbox.close();
    };
  });
  await new Promise((resolve, reject) => {
    ws.onopen = () => {
      opened = true;
      resolve();
    };
    ws.onerror = (e) => {
      if (!opened) reject(new Error("connect failed: " + (e && e.message ? e.message : "error event")));
    };
    closed.then((c) => {
      if (!opened) reject(new Error("closed before open: " + c.code + " " + c.reason));
    });
  });
  emit({ open: true, protocol: ws.protocol, extensions: ws.extensions });

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const next = (deadline) => inbox.next(deadline);
  const isBuffer = (d) => d instanceof ArrayBuffer || Object.prototype.toString.call(d) === "[object ArrayBuffer]";
  /** Checks one echo; returns null (equal) or a detail. */
  function checkEcho(reply, text, bytes) {
    if (reply === null) return closeEvent ? "connection closed (" + closeEvent.code + ")" : "timed out";
    if (text) {
      if (typeof reply !== "string") return "echo is binary, sent text";
      return echoDifference(new TextEncoder().encode(reply), bytes);
    }
    if (!isBuffer(reply)) return typeof reply === "string" ? "echo is text, sent binary" : "echo is not an ArrayBuffer";
    return echoDifference(new Uint8Array(reply), bytes);
  }
  function usable(name) {
    if (ws.readyState !== 1) {
      emit({ case: name, ok: false, detail: "connection not open (readyState " + ws.readyState + ")" });
      return false;
    }
    return true;
  }

  // 1. subprotocol
  emit(ws.protocol === "matrix.v1" ? { case: "subprotocol", ok: true } : { case: "subprotocol", ok: false, detail: "selected " + JSON.stringify(ws.protocol) });

  // 2. sizes
  for (const kind of ["text-ascii", "text-utf8", "binary"]) {
    for (const n of [0, 125, 126, 65535, 65536, 4194304]) {
      const name = kind + "-" + n;
      if (!usable(name)) continue;
      const p = matrixPayload(kind, n);
      ws.send(p.data);
      const detail = checkEcho(await next(Date.now() + caseMs), kind !== "binary", p.bytes);
      emit(detail === null ? { case: name, ok: true } : { case: name, ok: false, detail });
    }
  }

  // 3. fragmented: WHATWG cannot send fragments; send whole.
  if (usable("fragmented")) {
    const text = "matrix-fragmented wörld 😀";
    ws.send(text);
    const detail = checkEcho(await next(Date.now() + caseMs), true, new TextEncoder().encode(text));
    emit(detail === null ? { case: "fragmented", ok: true, detail: "sent whole; server may fragment" } : { case: "fragmented", ok: false, detail });
  }

  // 4. pipelined-1000
  if (usable("pipelined-1000")) {
    for (let i = 0; i < 1000; i++) ws.send("pipelined-" + i);
    const deadline = Date.now() + caseMs;
    let detail = null;
    let i = 0;
    for (; i < 1000; i++) {
      const r = await next(deadline);
      if (r === null) {
        detail = (closeEvent ? "connection closed" : "timed out") + " after " + i + " echoes";
        if (!closeEvent) inbox.skip(999 - i);
        break;
      }
      if (r !== "pipelined-" + i) {
        detail = "echo " + i + " is " + JSON.stringify(typeof r === "string" ? r.slice(0, 40) : "(binary)");
        inbox.skip(999 - i); // the rest of this case's echoes
        break;
      }
    }
    emit(detail === null ? { case: "pipelined-1000", ok: true } : { case: "pipelined-1000", ok: false, detail });
  }

  // 5. ping: WHATWG cannot ping; ask the server to.
  if (usable("ping")) {
    ws.send("matrix-ping-me");
    const r = await next(Date.now() + caseMs);
    if (r === "matrix-pong-ok") emit({ case: "ping", ok: true, detail: "server pinged, client ponged" });
    else if (r === "matrix-pong-missing") emit({ case: "ping", ok: false, detail: "server pinged, saw no pong" });
    else if (r === "matrix-ping-me") emit({ case: "ping", ok: null, detail: "client cannot ping; server does not either" });
    else emit({ case: "ping", ok: false, detail: r === null ? (closeEvent ? "connection closed" : "timed out") : "reply " + JSON.stringify(typeof r === "string" ? r.slice(0, 40) : "(binary)") });
  }

  // 6. close-4001
  if (closeEvent) {
    emit({ case: "close-4001", ok: false, detail: "connection already closed: " + JSON.stringify(closeEvent) });
  } else {
    const reason = "matrix-bye ü";
    ws.close(4001, reason);
    const c = await Promise.race([closed, sleep(caseMs).then(() => null)]);
    if (c === null) emit({ case: "close-4001", ok: false, detail: "no close event in " + caseMs / 1000 + " s" });
    else if (c.code === 4001 && c.reason === reason && c.wasClean === true) emit({ case: "close-4001", ok: true });
    else emit({ case: "close-4001", ok: false, detail: "close event " + JSON.stringify(c) });
  }
}
