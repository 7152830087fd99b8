// The WebSocket's transport over a pair of web streams (Deno.connect, workerd's connect()):
// `fromStreams(readable, writable, close)`.
export function fromStreams(readable, writable, close) {
  const writer = writable.getWriter();
  let pending = 0;
  let closed = false;
  let ended = false; // our side ended: a reader error after it is the peer's close, not a failure
  let error = null;
  const s = {
    ondata: null,
    onclose: null,
    ondrain: null,
    get pending() {
      return pending;
    },
    write(bytes) {
      if (closed) return;
      pending += bytes.length;
      writer.write(bytes).then(
        () => {
          pending -= bytes.length;
          s.ondrain?.();
        },
        (err) => finish(err),
      );
    },
    end() {
      ended = true;
      writer.close().catch(() => {});
    },
    destroy() {
      finish(null);
    },
  };
  function finish(err) {
    if (closed) return;
    closed = true;
    error ??= err;
    try {
      close();
    } catch {
      // already closed
    }
    queueMicrotask(() => s.onclose?.(error));
  }
  (async () => {
    const reader = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || closed) break;
        s.ondata?.(value);
      }
    } catch (err) {
      if (!ended) error ??= err;
    }
    finish(null);
  })();
  return s;
}
