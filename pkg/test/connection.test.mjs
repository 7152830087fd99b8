// The Connection class of the package (the `node` export, through the package's own name).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "wsframe";

const enc = new TextEncoder();

function pair(options = {}) {
  return {
    client: new Connection({ role: "client", ...options }),
    server: new Connection({ role: "server", ...options }),
  };
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What `conn.method(...args)` queued for the peer. */
function out(conn, method, ...args) {
  conn[method](...args);
  return conn.takeOutgoing();
}

/** Every event `bytes` complete, pulled one at a time. */
function recv(conn, bytes) {
  return [...conn.receive(bytes)];
}

function pattern(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

test("text and binary round trips, both directions, sizes across the length encodings", () => {
  const { client, server } = pair({ messages: true });
  for (const n of [0, 1, 125, 126, 65535, 65536, 1 << 20]) {
    const bin = pattern(n);
    assert.deepEqual(recv(server, out(client, "sendBinary", bin)), [{ type: "binary", data: bin, last: true }]);
    assert.deepEqual(recv(client, out(server, "sendBinary", bin)), [{ type: "binary", data: bin, last: true }]);
    const text = "é€".repeat(Math.floor(n / 5)) + "x".repeat(n % 5);
    assert.deepEqual(recv(server, out(client, "sendText", text)), [{ type: "text", data: text, last: true }]);
    assert.deepEqual(recv(client, out(server, "sendText", text)), [{ type: "text", data: text, last: true }]);
  }
});

test("client frames are masked with fresh keys, server frames are not (RFC 6455 §5.1, §5.3)", () => {
  const { client, server } = pair();
  const a = out(client, "sendBinary", new Uint8Array(8));
  const b = out(client, "sendBinary", new Uint8Array(8));
  assert.equal(a[1] & 0x80, 0x80);
  assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6));
  assert.equal(out(server, "sendBinary", new Uint8Array(8))[1] & 0x80, 0);
});

test("sends queue in order; takeOutgoing hands them over once; bufferedAmount counts them", () => {
  const server = new Connection();
  assert.equal(server.bufferedAmount, 0);
  assert.deepEqual(server.takeOutgoing(), new Uint8Array(0));
  server.sendText("a");
  server.ping("p");
  server.sendBinary(new Uint8Array([1]));
  assert.equal(server.bufferedAmount, 3 + 3 + 3);
  assert.deepEqual([...server.takeOutgoing()], [0x81, 1, 0x61, 0x89, 1, 0x70, 0x82, 1, 1]);
  assert.equal(server.bufferedAmount, 0);
  assert.equal(server.takeOutgoing().length, 0);
});

test("takeOutgoingInto copies what fits into the caller's buffer and leaves the rest queued", () => {
  const server = new Connection();
  server.sendText("abc");
  server.sendBinary(new Uint8Array([9, 8]));
  const all = [0x81, 3, 0x61, 0x62, 0x63, 0x82, 2, 9, 8];
  const target = new Uint8Array(16).fill(0xee);
  assert.equal(server.takeOutgoingInto(target.subarray(0, 6), 2), 4);
  assert.equal(server.bufferedAmount, 5);
  assert.equal(server.takeOutgoingInto(target, 6), 5);
  assert.deepEqual([...target.subarray(0, 12)], [0xee, 0xee, ...all, 0xee]);
  assert.equal(server.takeOutgoingInto(target), 0);
  assert.throws(() => server.takeOutgoingInto(target, 17), TypeError);
  assert.throws(() => server.takeOutgoingInto(target, -1), TypeError);
  assert.throws(() => server.takeOutgoingInto("x"), TypeError);
});

test("takeOutgoingInto: frames of every short length, targets at odd offsets in turn, across memory growth", () => {
  // The short-copy path (up to 64 bytes through DataViews) and the long one, against frames
  // written out here (RFC 6455 §5.2: 0x82, the 7-bit length, the payload).
  const server = new Connection();
  const pooled = Buffer.allocUnsafe(200).fill(0xee); // a view into Node's Buffer pool, at an offset
  const plain = new Uint8Array(203).fill(0xee).subarray(3);
  for (let len = 0; len <= 80; len++) {
    const payload = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 255);
    const want = [0x82, len, ...payload];
    for (const [i, target] of [pooled, plain, pooled].entries()) {
      const offset = (len + i) % 7;
      server.sendBinary(payload);
      assert.equal(server.takeOutgoingInto(target, offset), want.length);
      assert.deepEqual([...target.subarray(offset, offset + want.length)], want, `len ${len}`);
      assert.equal(server.bufferedAmount, 0);
    }
    if (len % 20 === 0) {
      // A large message grows wasm memory, which detaches the views the copies went through.
      server.sendBinary(new Uint8Array((len + 1) << 16));
      const big = new Uint8Array(((len + 1) << 16) + 14);
      assert.equal(server.takeOutgoingInto(big), ((len + 1) << 16) + 10);
    }
  }
  // Only part fits: the rest stays queued and comes next, in order.
  server.sendBinary(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
  assert.equal(server.takeOutgoingInto(plain, plain.length - 5), 5);
  assert.deepEqual([...plain.subarray(plain.length - 5)], [0x82, 7, 1, 2, 3]);
  assert.equal(server.takeOutgoingInto(pooled, 0), 4);
  assert.deepEqual([...pooled.subarray(0, 4)], [4, 5, 6, 7]);
});

test("sendBinaryInto: a client's masked frame, unmasked here by RFC 6455 §5.3, after what was queued", () => {
  const client = new Connection({ role: "client" });
  const target = new Uint8Array(300).fill(0xee);
  for (const len of [0, 1, 16, 125, 126, 200]) {
    const payload = Uint8Array.from({ length: len }, (_, i) => (i * 13 + len) & 255);
    const n = client.sendBinaryInto(payload, target, 5);
    const head = len < 126 ? 2 : 4;
    assert.equal(n, head + 4 + len);
    assert.equal(target[5], 0x82);
    assert.equal(target[6], 0x80 | (len < 126 ? len : 126));
    if (len >= 126) assert.equal((target[7] << 8) | target[8], len);
    const key = target.subarray(5 + head, 5 + head + 4);
    const body = target.subarray(5 + head + 4, 5 + n);
    assert.deepEqual([...body.map((b, i) => b ^ key[i % 4])], [...payload], `len ${len}`);
    assert.equal(client.bufferedAmount, 0);
  }
  // Earlier sends go first; what does not fit stays queued, in order.
  client.ping("p");
  assert.equal(client.sendBinaryInto(Uint8Array.of(1, 2, 3), target, 0), 7 + 9);
  assert.deepEqual([...target.subarray(0, 2)], [0x89, 0x81]);
  assert.equal(client.sendBinaryInto(Uint8Array.of(4), target, target.length - 3), 3);
  assert.equal(client.bufferedAmount, 4);
  assert.equal(client.takeOutgoingInto(target), 4);
  // Refused: nothing queued, nothing written.
  client.close(1000);
  client.takeOutgoing();
  target.fill(0xee);
  assert.throws(() => client.sendBinaryInto(Uint8Array.of(1), target), { code: "CLOSED" });
  assert.equal(client.bufferedAmount, 0);
  assert.ok(target.every((b) => b === 0xee));
  assert.throws(() => client.sendBinaryInto(Uint8Array.of(1), target, 301), TypeError);
});

test("a send copies the payload once into the queue, across memory growth, byte for byte", () => {
  // Sizes around the 7-bit/16-bit/64-bit length encodings and large enough to grow memory.
  for (const role of ["server", "client"]) {
    const { client, server } = pair({ messages: true });
    const [tx, rx] = role === "server" ? [server, client] : [client, server];
    for (const n of [0, 1, 125, 126, 65535, 65536, 5 << 20]) {
      const data = pattern(n);
      tx.sendBinary(data);
      const events = recv(rx, tx.takeOutgoing());
      assert.equal(events.length, 1);
      assert.equal(events[0].data.length, n);
      assert.deepEqual(events[0].data, data);
    }
  }
});

test("any split of the input gives the same events, down to one byte at a time", () => {
  const { client } = pair();
  client.sendText("héllo wörld");
  client.ping("p");
  client.sendFrame("binary", pattern(300), false);
  client.sendFrame("binary", pattern(10), true);
  client.close(1000, "done");
  const wire = client.takeOutgoing();
  const expected = [
    { type: "text", data: "héllo wörld" },
    { type: "ping", data: enc.encode("p") },
    { type: "binary", data: concat(pattern(300), pattern(10)) },
    { type: "close", code: 1000, reason: "done" },
  ];
  for (const step of [1, 2, 3, 7, 64, wire.length]) {
    const server = new Connection({ role: "server", messages: true });
    const events = [];
    for (let i = 0; i < wire.length; i += step) events.push(...server.receive(wire.subarray(i, i + step)));
    assert.deepEqual(
      events.map(({ last, ...e }) => e),
      expected,
      `step ${step}`,
    );
    assert.equal(server.pendingInputBytes, 0);
  }
});

test("events are decoded as they are pulled; what is not pulled stays for later", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", messages: true });
  const wire = concat(out(client, "sendText", "one"), out(client, "sendText", "two"), out(client, "sendText", "three"));
  const events = server.receive(wire);
  assert.equal(server.pendingInputBytes, wire.length, "nothing decoded before the first pull");
  assert.deepEqual(events.next().value, { type: "text", data: "one", last: true });
  assert.ok(server.pendingInputBytes > 0 && server.pendingInputBytes < wire.length);
  // The rest comes out of the next receive, before what it adds.
  const later = recv(server, out(client, "sendText", "four"));
  assert.deepEqual(later.map((e) => e.data), ["two", "three", "four"]);
  assert.deepEqual(events.next(), { value: undefined, done: true });
  assert.deepEqual(recv(server), [], "receive() with no bytes goes on with what is buffered");
  assert.equal(server.pendingInputBytes, 0);
});

test("streaming mode: chunks with `last`, text decoded across split characters", () => {
  const { client, server } = pair();
  const wire = out(client, "sendText", "€€"); // 6 bytes of UTF-8
  const head = wire.length - 6;
  const events = [
    ...recv(server, wire.subarray(0, head + 1)),
    ...recv(server, wire.subarray(head + 1, head + 4)),
    ...recv(server, wire.subarray(head + 4)),
  ];
  assert.ok(events.every((e) => e.type === "text"));
  assert.equal(events.map((e) => e.data).join(""), "€€");
  assert.deepEqual(
    events.map((e) => e.last),
    events.map((_, i) => i === events.length - 1),
  );
});

test("whole-message mode reassembles fragments, control frames in between (RFC 6455 §5.4)", () => {
  const { client, server } = pair({ messages: true });
  client.sendFrame("text", "Hel", false);
  client.ping();
  client.sendFrame("text", "", false);
  client.sendFrame("text", "lo", true);
  assert.deepEqual(recv(server, client.takeOutgoing()), [
    { type: "ping", data: new Uint8Array(0) },
    { type: "text", data: "Hello", last: true },
  ]);
  // A new message while one is being sent is refused.
  client.sendFrame("binary", new Uint8Array([1]), false);
  assert.throws(() => client.sendText("x"), { name: "WsframeError", code: "MESSAGE_IN_PROGRESS" });
  assert.throws(() => client.sendFrame("text", "x", true), { name: "WsframeError", code: "MESSAGE_IN_PROGRESS" });
});

test("views: data points into wasm memory, valid until the next call", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", views: true });
  const payload = pattern(1000);
  const [ev] = recv(server, out(client, "sendBinary", payload));
  assert.equal(ev.type, "binary");
  assert.deepEqual(new Uint8Array(ev.data), payload);
  assert.notEqual(ev.data.buffer.byteLength, ev.data.byteLength, "a view of the wasm memory");
  const copy = new Connection({ role: "server" });
  const [ev2] = [...copy.receiveViews(out(client, "sendText", "abc"))];
  assert.ok(ev2.data instanceof Uint8Array, "text as UTF-8 bytes");
  assert.deepEqual([...ev2.data], [...enc.encode("abc")]);
  const [ev3] = recv(copy, out(client, "sendBinary", payload));
  assert.equal(ev3.data.buffer.byteLength, payload.length, "a copy by default");
});

test("a ping is answered by a pong with the same payload, automatically (RFC 6455 §5.5.2)", () => {
  const { client, server } = pair();
  assert.deepEqual(recv(server, out(client, "ping", "are you there")), [{ type: "ping", data: enc.encode("are you there") }]);
  assert.deepEqual(recv(client, server.takeOutgoing()), [{ type: "pong", data: enc.encode("are you there") }]);
  assert.throws(() => client.ping(new Uint8Array(126)), { name: "WsframeError", code: "CONTROL_PAYLOAD_TOO_LARGE" });
  // autoPong: false leaves the answer to the application.
  const manual = new Connection({ role: "server", autoPong: false });
  assert.deepEqual(recv(manual, out(client, "ping", "x")), [{ type: "ping", data: enc.encode("x") }]);
  assert.equal(manual.bufferedAmount, 0);
  assert.deepEqual(recv(client, out(manual, "pong", "x")), [{ type: "pong", data: enc.encode("x") }]);
});

test("closing handshake and states: the peer's Close is echoed automatically (RFC 6455 §7)", () => {
  const { client, server } = pair();
  assert.equal(client.state, "open");
  client.close(1001, "going away");
  const close = client.takeOutgoing();
  assert.equal(client.state, "closeSent");
  assert.throws(() => client.sendText("late"), { name: "WsframeError", code: "CLOSED" });
  assert.deepEqual(recv(server, close), [{ type: "close", code: 1001, reason: "going away" }]);
  assert.equal(server.state, "closed", "the echo is queued: close TCP once it is written");
  assert.throws(() => server.close(1000), { name: "WsframeError", code: "CLOSED" });
  assert.deepEqual(recv(client, server.takeOutgoing()), [{ type: "close", code: 1001, reason: "going away" }]);
  assert.equal(client.state, "closed");
  // An empty Close has no code, and is answered without one.
  const p = pair();
  assert.deepEqual(recv(p.server, out(p.client, "close")), [{ type: "close" }]);
  assert.deepEqual([...p.server.takeOutgoing()], [0x88, 0x00]);
  // autoClose: false leaves the answer to the application.
  const q = pair({ autoClose: false });
  assert.deepEqual(recv(q.server, out(q.client, "close", 1000)), [{ type: "close", code: 1000, reason: "" }]);
  assert.equal(q.server.state, "closeReceived");
  q.server.close(1000);
  assert.equal(q.server.state, "closed");
});

test("close codes and reasons that may not be sent are refused (RFC 6455 §7.4)", () => {
  const { server } = pair();
  for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000, 70000, 2 ** 32 + 1000, -1, 1.5]) {
    assert.throws(() => server.close(code), { name: "WsframeError", code: "INVALID_CLOSE_CODE" }, String(code));
  }
  assert.throws(() => server.close(1000, "x".repeat(124)), { code: "CONTROL_PAYLOAD_TOO_LARGE" });
  assert.throws(() => server.close(undefined, "why"), { code: "REASON_WITHOUT_CODE" });
  assert.equal(server.state, "open");
  assert.equal(server.bufferedAmount, 0);
});

test("protocol errors are Error objects with name, code and closeCode; the Close follows", () => {
  const { client } = pair();
  const cases = [
    // RFC 6455 §5.1: an unmasked frame from a client.
    [{}, new Uint8Array([0x81, 0x00]), "UNMASKED_FRAME", 1002],
    // §5.2: reserved opcode, RSV bits without an extension.
    [{}, new Uint8Array([0x83, 0x80, 0, 0, 0, 0]), "RESERVED_OPCODE", 1002],
    [{}, new Uint8Array([0xc1, 0x80, 0, 0, 0, 0]), "RESERVED_BITS", 1002],
    // §5.5: fragmented or long control frames.
    [{}, new Uint8Array([0x09, 0x80, 0, 0, 0, 0]), "FRAGMENTED_CONTROL_FRAME", 1002],
    [{}, new Uint8Array([0x89, 0xfe, 0, 126]), "CONTROL_FRAME_TOO_LONG", 1002],
    // §5.4: continuation with nothing to continue.
    [{}, new Uint8Array([0x80, 0x80, 0, 0, 0, 0]), "UNEXPECTED_CONTINUATION", 1002],
    // §8.1: invalid UTF-8.
    [{}, new Uint8Array([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]), "INVALID_UTF8", 1007],
    // §5.5.1: one-byte close body; invalid close code.
    [{}, new Uint8Array([0x88, 0x81, 0, 0, 0, 0, 3]), "CLOSE_LENGTH_ONE", 1002],
    [{}, new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed]), "INVALID_CLOSE_CODE", 1002],
    // Limits: 1009.
    [{ maxFramePayload: 10 }, out(client, "sendBinary", new Uint8Array(11)), "FRAME_TOO_LARGE", 1009],
    [{ maxMessageSize: 10 }, concat(out(client, "sendFrame", "binary", new Uint8Array(6), false), out(client, "sendFrame", "binary", new Uint8Array(6), true)), "MESSAGE_TOO_LARGE", 1009],
    [{ maxFragments: 2 }, concat(out(client, "sendFrame", "text", "a", false), out(client, "sendFrame", "text", "b", false), out(client, "sendFrame", "text", "c", true)), "TOO_MANY_FRAGMENTS", 1009],
  ];
  for (const autoClose of [true, false]) {
    for (const [options, bytes, code, closeCode] of cases) {
      const server = new Connection({ role: "server", autoClose, ...options });
      let thrown;
      try {
        recv(server, bytes);
      } catch (err) {
        thrown = err;
      }
      assert.ok(thrown instanceof Error, `${code}: an Error`);
      assert.equal(thrown.name, "ProtocolError", code);
      assert.equal(thrown.code, code);
      assert.equal(thrown.closeCode, closeCode, code);
      assert.equal(typeof thrown.message, "string");
      // Failing the connection (§7.1.7): the Close with the reported code, queued already
      // with autoClose, else one call.
      assert.equal(server.state, autoClose ? "closed" : "failed");
      if (!autoClose) server.close(thrown.closeCode);
      const close = server.takeOutgoing();
      assert.deepEqual([...close], [0x88, 2, closeCode >> 8, closeCode & 0xff], code);
      assert.equal(server.state, "closed");
    }
  }
  // A client rejects masked frames from a server (§5.1).
  const c = new Connection({ role: "client" });
  assert.throws(() => recv(c, new Uint8Array([0x81, 0x80, 1, 2, 3, 4])), { name: "ProtocolError", closeCode: 1002, code: "MASKED_FRAME" });
});

test("events before a violation are delivered first and can be answered; nothing after it is read", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", messages: true });
  const wire = concat(out(client, "sendText", "ok"), out(client, "ping", "p"), new Uint8Array([0x81, 0x00]), out(client, "ping", "late"));
  const seen = [];
  assert.throws(
    () => {
      for (const ev of server.receive(wire)) {
        seen.push(ev);
        if (ev.type === "text") server.sendText(ev.data);
      }
    },
    { name: "ProtocolError", closeCode: 1002 },
  );
  assert.deepEqual(seen, [
    { type: "text", data: "ok", last: true },
    { type: "ping", data: enc.encode("p") },
  ]);
  // The echo, the automatic Pong, then the Close; no Pong for the Ping behind the violation.
  assert.deepEqual([...server.takeOutgoing()], [0x81, 2, 0x6f, 0x6b, 0x8a, 1, 0x70, 0x88, 2, 0x03, 0xea]);
  // Afterwards input is discarded without events.
  assert.deepEqual(recv(server, out(client, "sendText", "more")), []);
});

test("bad arguments are TypeErrors", () => {
  assert.throws(() => new Connection({ role: "peer" }), TypeError);
  assert.throws(() => new Connection({ maxMessageSize: -1 }), TypeError);
  assert.throws(() => new Connection({ maxFragments: 1.5 }), TypeError);
  assert.throws(() => new Connection({ maxFragments: 2 ** 32 }), TypeError);
  assert.throws(() => new Connection({ autoPong: "yes" }), TypeError);
  const c = new Connection();
  assert.equal(c.role, "server");
  assert.throws(() => c.receive("text"), TypeError);
  assert.throws(() => c.sendText(42), TypeError);
  assert.throws(() => c.sendFrame("ping", "x"), TypeError);
  // ArrayBuffers and other views are accepted.
  const client = new Connection({ role: "client" });
  const frame = out(client, "sendBinary", new Uint16Array([1, 2]).buffer);
  assert.deepEqual(recv(c, frame.buffer)[0].data, new Uint8Array(new Uint16Array([1, 2]).buffer));
});

test("free() releases the connection; using it afterwards throws", () => {
  const c = new Connection();
  c.free();
  c.free(); // idempotent
  assert.throws(() => c.sendText("x"), { name: "WsframeError", code: "FREED" });
  assert.throws(() => c.takeOutgoing(), { code: "FREED" });
  const d = new Connection();
  d[Symbol.dispose]();
  assert.throws(() => d.state, { code: "FREED" });
});

test("views passed back into the package are copied first (memory growth detaches them)", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", views: true, messages: true });
  const [ev] = recv(server, out(client, "sendBinary", pattern(100)));
  // Echo the view: sending grows wasm memory for a 4 MiB frame after this small one.
  const echo = out(server, "sendBinary", ev.data);
  assert.deepEqual(recv(client, echo), [{ type: "binary", data: pattern(100), last: true }]);
  // Each size is sent once into a fresh queue, so at least the largest grows the memory.
  for (const n of [4 << 20, 9 << 20, 15 << 20]) {
    const [big] = recv(server, out(client, "sendBinary", pattern(n)));
    const frame = out(server, "sendBinary", big.data);
    const back = recv(new Connection({ role: "client", messages: true }), frame);
    assert.equal(back[0].data.length, n);
    assert.ok(back[0].data.every((b, i) => b === ((i * 31 + 7) & 0xff)), `${n} bytes echoed unchanged`);
  }
  // frameBinary does not hand a view of wasm memory back as a chunk: it copies it first.
  const [ev2] = recv(server, out(client, "sendBinary", pattern(70000)));
  const chunks = server.frameBinary(ev2.data);
  assert.equal(chunks.length, 1);
  assert.ok(chunks[0].buffer !== ev2.data.buffer);
  const back = recv(new Connection({ role: "client", messages: true }), chunks[0]);
  assert.ok(back[0].data.every((b, i) => b === ((i * 31 + 7) & 0xff)), "70000 bytes framed unchanged");
});
