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

function pattern(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

test("text and binary round trips, both directions, sizes across the length encodings", () => {
  const { client, server } = pair({ messages: true });
  for (const n of [0, 1, 125, 126, 65535, 65536, 1 << 20]) {
    const bin = pattern(n);
    assert.deepEqual(server.receive(client.sendBinary(bin)), [{ type: "binary", data: bin, last: true }]);
    assert.deepEqual(client.receive(server.sendBinary(bin)), [{ type: "binary", data: bin, last: true }]);
    const text = "é€".repeat(Math.floor(n / 5)) + "x".repeat(n % 5);
    assert.deepEqual(server.receive(client.sendText(text)), [{ type: "text", data: text, last: true }]);
    assert.deepEqual(client.receive(server.sendText(text)), [{ type: "text", data: text, last: true }]);
  }
});

test("client frames are masked with fresh keys, server frames are not (RFC 6455 §5.1, §5.3)", () => {
  const { client, server } = pair();
  const a = client.sendBinary(new Uint8Array(8));
  const b = client.sendBinary(new Uint8Array(8));
  assert.equal(a[1] & 0x80, 0x80);
  assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6));
  assert.equal(server.sendBinary(new Uint8Array(8))[1] & 0x80, 0);
});

test("any split of the input gives the same events, down to one byte at a time", () => {
  const { client } = pair();
  const wire = concat(
    client.sendText("héllo wörld"),
    client.ping("p"),
    client.sendFrame("binary", pattern(300), false),
    client.sendFrame("binary", pattern(10), true),
    client.close(1000, "done"),
  );
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
    assert.equal(server.bufferedAmount, 0);
  }
});

test("streaming mode: chunks with `last`, text decoded across split characters", () => {
  const { client, server } = pair();
  const wire = client.sendText("€€"); // 6 bytes of UTF-8
  const head = wire.length - 6;
  const events = [
    ...server.receive(wire.subarray(0, head + 1)),
    ...server.receive(wire.subarray(head + 1, head + 4)),
    ...server.receive(wire.subarray(head + 4)),
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
  const wire = concat(
    client.sendFrame("text", "Hel", false),
    client.ping(),
    client.sendFrame("text", "", false),
    client.sendFrame("text", "lo", true),
  );
  assert.deepEqual(server.receive(wire), [
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
  const [ev] = server.receive(client.sendBinary(payload));
  assert.equal(ev.type, "binary");
  assert.deepEqual(new Uint8Array(ev.data), payload);
  assert.notEqual(ev.data.buffer.byteLength, ev.data.byteLength, "a view of the wasm memory");
  const copy = new Connection({ role: "server" });
  const [ev2] = copy.receiveViews(client.sendText("abc"));
  assert.ok(ev2.data instanceof Uint8Array, "text as UTF-8 bytes");
  assert.deepEqual([...ev2.data], [...enc.encode("abc")]);
  const [ev3] = copy.receive(client.sendBinary(payload));
  assert.equal(ev3.data.buffer.byteLength, payload.length, "a copy by default");
});

test("ping is answered by a pong with the same payload (RFC 6455 §5.5.2)", () => {
  const { client, server } = pair();
  const [ping] = server.receive(client.ping("are you there"));
  assert.deepEqual(ping, { type: "ping", data: enc.encode("are you there") });
  assert.deepEqual(client.receive(server.pong(ping.data)), [{ type: "pong", data: enc.encode("are you there") }]);
  assert.throws(() => client.ping(new Uint8Array(126)), { name: "WsframeError", code: "CONTROL_PAYLOAD_TOO_LARGE" });
});

test("closing handshake and states (RFC 6455 §7)", () => {
  const { client, server } = pair();
  assert.equal(client.state, "open");
  const close = client.close(1001, "going away");
  assert.equal(client.state, "closeSent");
  assert.throws(() => client.sendText("late"), { name: "WsframeError", code: "CLOSED" });
  assert.deepEqual(server.receive(close), [{ type: "close", code: 1001, reason: "going away" }]);
  assert.equal(server.state, "closeReceived");
  const reply = server.close(1001);
  assert.equal(server.state, "closed");
  assert.deepEqual(client.receive(reply), [{ type: "close", code: 1001, reason: "" }]);
  assert.equal(client.state, "closed");
  // An empty Close has no code.
  const p = pair();
  assert.deepEqual(p.server.receive(p.client.close()), [{ type: "close" }]);
});

test("close codes and reasons that may not be sent are refused (RFC 6455 §7.4)", () => {
  const { server } = pair();
  for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000, 70000, 2 ** 32 + 1000, -1, 1.5]) {
    assert.throws(() => server.close(code), { name: "WsframeError", code: "INVALID_CLOSE_CODE" }, String(code));
  }
  assert.throws(() => server.close(1000, "x".repeat(124)), { code: "CONTROL_PAYLOAD_TOO_LARGE" });
  assert.throws(() => server.close(undefined, "why"), { code: "REASON_WITHOUT_CODE" });
  assert.equal(server.state, "open");
});

test("protocol errors are Error objects with name, code and closeCode", () => {
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
    [{ maxFramePayload: 10 }, client.sendBinary(new Uint8Array(11)), "FRAME_TOO_LARGE", 1009],
    [{ maxMessageSize: 10 }, concat(client.sendFrame("binary", new Uint8Array(6), false), client.sendFrame("binary", new Uint8Array(6), true)), "MESSAGE_TOO_LARGE", 1009],
    [{ maxFragments: 2 }, concat(client.sendFrame("text", "a", false), client.sendFrame("text", "b", false), client.sendFrame("text", "c", true)), "TOO_MANY_FRAGMENTS", 1009],
  ];
  for (const [options, bytes, code, closeCode] of cases) {
    const server = new Connection({ role: "server", ...options });
    let thrown;
    try {
      server.receive(bytes);
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof Error, `${code}: an Error`);
    assert.equal(thrown.name, "ProtocolError", code);
    assert.equal(thrown.code, code);
    assert.equal(thrown.closeCode, closeCode, code);
    assert.equal(typeof thrown.message, "string");
    assert.equal(server.state, "failed");
    // Failing the connection is one call: a Close with the reported code.
    const close = server.close(thrown.closeCode);
    assert.equal((close[2] << 8) | close[3], closeCode);
  }
  // A client rejects masked frames from a server (§5.1).
  const c = new Connection({ role: "client" });
  assert.throws(() => c.receive(new Uint8Array([0x81, 0x80, 1, 2, 3, 4])), { name: "ProtocolError", closeCode: 1002, code: "MASKED_FRAME" });
});

test("events before a violation come with the error", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", messages: true });
  const wire = concat(client.sendText("ok"), client.ping("p"), new Uint8Array([0x81, 0x00]));
  assert.throws(() => server.receive(wire), (err) => {
    assert.equal(err.closeCode, 1002);
    assert.deepEqual(err.events, [
      { type: "text", data: "ok", last: true },
      { type: "ping", data: enc.encode("p") },
    ]);
    return true;
  });
  // Afterwards input is discarded without events.
  assert.deepEqual(server.receive(client.sendText("more")), []);
});

test("bad arguments are TypeErrors", () => {
  assert.throws(() => new Connection({ role: "peer" }), TypeError);
  assert.throws(() => new Connection({ maxMessageSize: -1 }), TypeError);
  assert.throws(() => new Connection({ maxFragments: 1.5 }), TypeError);
  const c = new Connection();
  assert.equal(c.role, "server");
  assert.throws(() => c.receive("text"), TypeError);
  assert.throws(() => c.sendText(new Uint8Array(1)), TypeError);
  assert.throws(() => c.sendFrame("ping", "x"), TypeError);
  // ArrayBuffers and other views are accepted.
  const client = new Connection({ role: "client" });
  const frame = client.sendBinary(new Uint16Array([1, 2]).buffer);
  assert.deepEqual(c.receive(frame.buffer)[0].data, new Uint8Array(new Uint16Array([1, 2]).buffer));
});

test("free() releases the connection; using it afterwards throws", () => {
  const c = new Connection();
  c.free();
  c.free(); // idempotent
  assert.throws(() => c.sendText("x"), { name: "WsframeError", code: "FREED" });
  const d = new Connection();
  d[Symbol.dispose]();
  assert.throws(() => d.state, { code: "FREED" });
});

test("views passed back into the package are copied first (memory growth detaches them)", () => {
  const { client } = pair();
  const server = new Connection({ role: "server", views: true, messages: true });
  const [ev] = server.receive(client.sendBinary(pattern(100)));
  // Echo the view: sending grows wasm memory for a 4 MiB frame after this small one.
  const echo = server.sendBinary(ev.data);
  assert.deepEqual(client.receive(echo), [{ type: "binary", data: pattern(100), last: true }]);
  const [big] = server.receive(client.sendBinary(pattern(4 << 20)));
  const frame = server.sendBinary(big.data);
  const back = new Connection({ role: "client", messages: true }).receive(frame);
  assert.deepEqual(back[0].data.length, 4 << 20);
  assert.deepEqual(back[0].data.subarray(0, 64), pattern(64));
});
