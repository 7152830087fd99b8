// Stateless frame helpers against the examples of RFC 6455 §5.7.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection, decodeFrame, encodeFrame, OPCODES } from "wsframe";

const KEY = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const hello = new TextEncoder().encode("Hello");

// RFC 6455 §5.7, byte for byte.
const RFC = {
  unmaskedHello: [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
  maskedHello: [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
  fragmented: [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f],
  unmaskedPing: [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
  maskedPong: [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
  binary256Header: [0x82, 0x7e, 0x01, 0x00],
  binary64KHeader: [0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
};

test("RFC 6455 §5.7: single-frame unmasked and masked text", () => {
  assert.deepEqual([...encodeFrame({ opcode: "text", payload: "Hello" })], RFC.unmaskedHello);
  assert.deepEqual([...encodeFrame({ opcode: OPCODES.text, payload: hello, mask: KEY })], RFC.maskedHello);
  const d = decodeFrame(new Uint8Array(RFC.maskedHello));
  assert.deepEqual(d, { fin: true, rsv: 0, opcode: 1, mask: KEY, payload: hello, consumed: 11 });
  assert.deepEqual(decodeFrame(new Uint8Array(RFC.unmaskedHello)).mask, null);
});

test("RFC 6455 §5.7: fragmented unmasked text", () => {
  const bytes = [
    ...encodeFrame({ opcode: "text", fin: false, payload: "Hel" }),
    ...encodeFrame({ opcode: "continuation", payload: "lo" }),
  ];
  assert.deepEqual(bytes, RFC.fragmented);
  const first = decodeFrame(new Uint8Array(bytes));
  assert.equal(first.fin, false);
  assert.equal(first.consumed, 5);
  const second = decodeFrame(new Uint8Array(bytes.slice(first.consumed)));
  assert.deepEqual([second.opcode, second.fin, new TextDecoder().decode(second.payload)], [0, true, "lo"]);
  // The Connection writes the same bytes.
  const server = new Connection({ role: "server" });
  server.sendFrame("text", "Hel", false);
  server.sendFrame("text", "lo", true);
  assert.deepEqual([...server.takeOutgoing()], RFC.fragmented);
});

test("RFC 6455 §5.7: unmasked Ping and masked Pong", () => {
  assert.deepEqual([...encodeFrame({ opcode: "ping", payload: hello })], RFC.unmaskedPing);
  assert.deepEqual([...encodeFrame({ opcode: "pong", payload: hello, mask: KEY })], RFC.maskedPong);
  const pinger = new Connection({ role: "server" });
  pinger.ping(hello);
  assert.deepEqual([...pinger.takeOutgoing()], RFC.unmaskedPing);
  // A server receives the masked Pong.
  const server = new Connection({ role: "server" });
  assert.deepEqual([...server.receive(new Uint8Array(RFC.maskedPong))], [{ type: "pong", data: hello }]);
});

test("RFC 6455 §5.7: 256-byte and 64 KiB unmasked binary headers", () => {
  const a = encodeFrame({ opcode: "binary", payload: new Uint8Array(256) });
  assert.deepEqual([...a.subarray(0, 4)], RFC.binary256Header);
  assert.equal(a.length, 4 + 256);
  const b = encodeFrame({ opcode: "binary", payload: new Uint8Array(65536) });
  assert.deepEqual([...b.subarray(0, 10)], RFC.binary64KHeader);
  assert.equal(decodeFrame(b).payload.length, 65536);
  const s = new Connection({ role: "server" });
  s.sendBinary(new Uint8Array(256));
  assert.deepEqual([...s.takeOutgoing().subarray(0, 4)], RFC.binary256Header);
  s.sendBinary(new Uint8Array(65536));
  assert.deepEqual([...s.takeOutgoing().subarray(0, 10)], RFC.binary64KHeader);
});

test("decodeFrame: null while incomplete, at every prefix", () => {
  const frame = encodeFrame({ opcode: "binary", payload: new Uint8Array(300), mask: true });
  for (let i = 0; i < frame.length; i++) assert.equal(decodeFrame(frame.subarray(0, i)), null, `prefix ${i}`);
  const d = decodeFrame(frame);
  assert.equal(d.consumed, frame.length);
  assert.deepEqual(d.payload, new Uint8Array(300));
  assert.equal(d.mask.length, 4);
});

test("random masks differ and round-trip; RSV bits are carried", () => {
  const a = encodeFrame({ opcode: "binary", payload: hello, mask: true });
  const b = encodeFrame({ opcode: "binary", payload: hello, mask: true });
  assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6));
  assert.deepEqual(decodeFrame(a).payload, hello);
  const r = encodeFrame({ opcode: "text", rsv: 4, payload: "x" });
  assert.equal(r[0], 0xc1);
  assert.equal(decodeFrame(r).rsv, 4);
});

test("header violations are ProtocolErrors with closeCode 1002 (RFC 6455 §5.2, §5.5)", () => {
  for (const [bytes, code] of [
    [[0x83, 0x00], "RESERVED_OPCODE"],
    [[0x8b, 0x00], "RESERVED_OPCODE"],
    [[0x09, 0x00], "FRAGMENTED_CONTROL_FRAME"],
    [[0x89, 0x7e, 0x00, 0x7e], "CONTROL_FRAME_TOO_LONG"],
    [[0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0], "LENGTH_MSB_SET"],
  ]) {
    assert.throws(() => decodeFrame(new Uint8Array(bytes)), { name: "ProtocolError", closeCode: 1002, code });
  }
});

test("encodeFrame refuses frames no peer may send: what decodeFrame would refuse (RFC 6455 §5.2, §5.5)", () => {
  assert.throws(() => encodeFrame({ opcode: 3 }), TypeError);
  assert.throws(() => encodeFrame({ opcode: "nope" }), TypeError);
  assert.throws(() => encodeFrame({ opcode: "text", rsv: 8 }), TypeError);
  assert.throws(() => encodeFrame({ opcode: "text", mask: new Uint8Array(3) }), TypeError);
  assert.throws(() => encodeFrame({ opcode: "ping", payload: new Uint8Array(126) }), {
    name: "WsframeError",
    code: "CONTROL_FRAME_TOO_LONG",
  });
  assert.throws(() => encodeFrame({ opcode: "close", fin: false }), { name: "WsframeError", code: "FRAGMENTED_CONTROL_FRAME" });
  assert.equal(encodeFrame({ opcode: "pong", payload: new Uint8Array(125) }).length, 127, "125 bytes is the most");
});
