// permessage-deflate (RFC 7692) through the package's API: the §7.2.3 examples, negotiation,
// the inflated-size limit, per-message choice. The core does the work; these check that the
// JavaScript API reaches it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection, acceptResponse, clientRequest, negotiateDeflate, parseRequest } from "wsframe";

const enc = new TextEncoder();
const bytes = (...b) => new Uint8Array(b);

/** The §7.2.3 examples as server-to-client frames (unmasked), each inflating to "Hello". */
const HELLO = bytes(0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00); // §7.2.3.1
const HELLO_AGAIN = bytes(0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00); // §7.2.3.2, after HELLO
const HELLO_FRAGMENTED = [bytes(0x41, 0x03, 0xf2, 0x48, 0xcd), bytes(0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00)]; // §7.2.3.1
const HELLO_STORED = bytes(0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00); // §7.2.3.3
const HELLO_BFINAL = bytes(0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00); // §7.2.3.4
const HELLO_TWO_BLOCKS = bytes(0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00); // §7.2.3.5
const EMPTY = bytes(0xc1, 0x01, 0x00); // §7.2.3.6

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

function pattern(n, seed = 7) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Both ends of a connection that negotiated `config` through the handshake helpers. */
function negotiatedPair(clientConfig = true, serverConfig = undefined, options = {}) {
  const req = clientRequest("ws://127.0.0.1/", { deflate: clientConfig });
  const parsed = parseRequest(req.bytes);
  const agreed = negotiateDeflate(parsed, serverConfig);
  const answer = req.handshake.checkResponse(acceptResponse(parsed, { extensions: agreed?.response }));
  return {
    agreed,
    answer,
    client: new Connection({ role: "client", deflate: answer.deflate, ...options }),
    server: new Connection({ role: "server", deflate: agreed?.params, ...options }),
  };
}

for (const messages of [true, false]) {
  const mode = messages ? "whole-message mode" : "chunk mode";

  test(`RFC 7692 §7.2.3: every example inflates to "Hello" (${mode})`, () => {
    const conn = new Connection({ role: "client", deflate: true, messages });
    const hello = [{ type: "text", data: "Hello", last: true }];
    assert.deepEqual(recv(conn, HELLO), hello, "§7.2.3.1");
    assert.deepEqual(recv(conn, HELLO_AGAIN), hello, "§7.2.3.2 context takeover");
    assert.deepEqual(recv(conn, HELLO_FRAGMENTED[0]), [], "a fragment alone is not a message");
    assert.deepEqual(recv(conn, HELLO_FRAGMENTED[1]), hello, "§7.2.3.1 fragmented");
    assert.deepEqual(recv(conn, HELLO_STORED), hello, "§7.2.3.3 stored block");
    assert.deepEqual(recv(conn, HELLO_BFINAL), hello, "§7.2.3.4 BFINAL set");
    assert.deepEqual(recv(conn, HELLO_TWO_BLOCKS), hello, "§7.2.3.5 two blocks");
    assert.deepEqual(recv(conn, EMPTY), [{ type: "text", data: "", last: true }], "§7.2.3.6 empty");
  });

  test(`RFC 7692 §7.2.3: the examples in one buffer and one byte at a time (${mode})`, () => {
    const wire = concat(HELLO, HELLO_AGAIN, ...HELLO_FRAGMENTED, HELLO_STORED, HELLO_BFINAL, HELLO_TWO_BLOCKS, EMPTY);
    const expected = ["Hello", "Hello", "Hello", "Hello", "Hello", "Hello", ""];
    const whole = new Connection({ role: "client", deflate: true, messages });
    assert.deepEqual(recv(whole, wire).map((e) => e.data), expected);
    const split = new Connection({ role: "client", deflate: true, messages });
    const events = [];
    for (let i = 0; i < wire.length; i++) events.push(...split.receive(wire.subarray(i, i + 1)));
    assert.deepEqual(events.map((e) => e.data), expected);
    assert.ok(events.every((e) => e.type === "text" && e.last));
  });
}

test("RFC 7692 §7.2.3.1-2: a server compresses \"Hello\" to the RFC's bytes, the repeat with context takeover", () => {
  const server = new Connection({ role: "server", deflate: true });
  assert.deepEqual(out(server, "sendText", "Hello"), HELLO);
  assert.deepEqual(out(server, "sendText", "Hello"), HELLO_AGAIN);
  assert.deepEqual(out(server, "sendText", ""), EMPTY);
});

test("round trips both ways, text and binary, 0 bytes to 1 MiB, in the views mode too", () => {
  const { client, server } = negotiatedPair(true, undefined, { messages: true });
  for (const n of [0, 1, 125, 126, 65536, 1 << 20]) {
    const bin = pattern(n, n & 0xff);
    const text = "é€".repeat(Math.floor(n / 5)) + "x".repeat(n % 5);
    for (const [from, to] of [[client, server], [server, client]]) {
      const frame = out(from, "sendBinary", bin);
      assert.equal(frame[0], 0xc2, "RSV1 and FIN set, binary");
      assert.deepEqual(recv(to, frame), [{ type: "binary", data: bin, last: true }]);
      assert.deepEqual(recv(to, out(from, "sendText", text)), [{ type: "text", data: text, last: true }]);
    }
  }
  const [ev] = [...server.receiveViews(out(client, "sendText", "viewed"))];
  assert.equal(new TextDecoder().decode(ev.data), "viewed");
  assert.ok(out(server, "sendBinary", new Uint8Array(1 << 20)).length < 2048, "zeros compress");
});

test("negotiated parameters: no context takeover and small windows round-trip", () => {
  for (const config of [
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    { serverMaxWindowBits: 8, clientMaxWindowBits: 8, level: 9 },
    { serverMaxWindowBits: 12, clientMaxWindowBits: 10, level: 0 },
    { level: 1 },
  ]) {
    const { client, server, answer } = negotiatedPair(config, undefined, { messages: true });
    assert.ok(answer.deflate, JSON.stringify(config));
    for (let i = 0; i < 3; i++) {
      const data = pattern(70_000, i);
      assert.deepEqual(recv(server, out(client, "sendBinary", data))[0].data, data, JSON.stringify(config));
      assert.deepEqual(recv(client, out(server, "sendText", `message ${i} `.repeat(500)))[0].data, `message ${i} `.repeat(500));
    }
  }
});

test("negotiation: offers with unknown parameters are skipped, window bits echoed (RFC 7692 §7.1)", () => {
  const first = negotiateDeflate("permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=10");
  assert.equal(first.response, "permessage-deflate; server_max_window_bits=10");
  assert.equal(first.params.serverMaxWindowBits, 10);
  assert.equal(first.params.clientMaxWindowBits, 15);
  assert.ok(Object.isFrozen(first.params));

  const client = negotiateDeflate("permessage-deflate; client_max_window_bits=9; client_no_context_takeover");
  assert.equal(client.response, "permessage-deflate; client_no_context_takeover; client_max_window_bits=9");
  assert.equal(client.params.clientMaxWindowBits, 9);

  // The server's own limits show in the response.
  const limited = negotiateDeflate("permessage-deflate; client_max_window_bits", {
    serverNoContextTakeover: true,
    serverMaxWindowBits: 11,
    clientMaxWindowBits: 12,
  });
  assert.equal(
    limited.response,
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12",
  );

  assert.equal(negotiateDeflate("permessage-deflate; mystery"), null, "no acceptable offer");
  assert.equal(negotiateDeflate("permessage-deflate; server_max_window_bits=16"), null, "out of range");
  assert.equal(negotiateDeflate("x-webkit-deflate-frame"), null, "another extension");
  const req = parseRequest(clientRequest("ws://127.0.0.1/").bytes);
  assert.equal(negotiateDeflate(req), null, "nothing offered");
  assert.throws(() => negotiateDeflate(req, { level: 10 }), TypeError);
  assert.throws(() => negotiateDeflate(req, { serverMaxWindowBits: 7 }), TypeError);
  assert.throws(() => negotiateDeflate(null), TypeError);
});

test("negotiation through the handshake helpers: offer, response, agreed params", () => {
  const req = clientRequest("ws://127.0.0.1/", { deflate: { clientMaxWindowBits: 12, level: 3 } });
  const parsed = parseRequest(req.bytes);
  assert.equal(parsed.extensions, "permessage-deflate; client_max_window_bits=12");
  assert.equal(req.handshake.extensions, parsed.extensions);
  assert.equal(req.handshake.deflate.level, 3);
  const agreed = negotiateDeflate(parsed);
  const answer = req.handshake.checkResponse(acceptResponse(parsed, { extensions: agreed.response }));
  assert.deepEqual(answer.deflate, { ...agreed.params, level: 3 });
  const client = new Connection({ role: "client", deflate: answer.deflate });
  assert.deepEqual(client.deflate, answer.deflate);

  // The server declined: no deflate, and RSV1 is then a protocol error.
  const declined = req.handshake.checkResponse(acceptResponse(parsed));
  assert.equal(declined.deflate, null);
  const plain = new Connection({ role: "client", deflate: declined.deflate });
  assert.equal(plain.deflate, null);
  assert.throws(() => recv(plain, HELLO), { name: "ProtocolError", code: "RESERVED_BITS", closeCode: 1002 });

  // A response the offer does not allow fails the handshake.
  for (const [ext, code] of [
    ["permessage-deflate; mystery", "UNKNOWN_EXTENSION_PARAMETER"],
    ["permessage-deflate; client_max_window_bits=13", "UNEXPECTED_EXTENSION_PARAMETER"],
    ["permessage-deflate, permessage-deflate", "UNEXPECTED_EXTENSION"],
  ]) {
    assert.throws(() => req.handshake.checkResponse(acceptResponse(parsed, { extensions: ext })), { name: "HandshakeError", code }, ext);
  }
  assert.throws(() => clientRequest("ws://127.0.0.1/", { deflate: true, extensions: "x" }), TypeError);
  assert.throws(() => clientRequest("ws://127.0.0.1/", { deflate: { clientMaxWindowBits: 16 } }), TypeError);
});

test("a decompression bomb fails with 1009 and fails the connection, after what came before", () => {
  for (const messages of [true, false]) {
    const client = new Connection({ role: "client", deflate: true });
    const server = new Connection({ role: "server", deflate: true, messages, maxMessageSize: 1 << 20 });
    const bomb = out(client, "sendBinary", new Uint8Array(16 << 20)); // 16 MiB of zeros
    assert.ok(bomb.length < 32 << 10, `the bomb is ${bomb.length} bytes on the wire`);
    const before = out(client, "sendText", "fine");
    const seen = [];
    let err;
    try {
      for (const ev of server.receive(concat(before, bomb))) seen.push(ev);
    } catch (e) {
      err = e;
    }
    assert.equal(err?.name, "ProtocolError");
    assert.equal(err.code, "MESSAGE_TOO_LARGE");
    assert.equal(err.closeCode, 1009);
    assert.deepEqual(seen, [{ type: "text", data: "fine", last: true }], "what came before is delivered");
    assert.equal(server.state, "closed", "failed, with the Close queued");
    assert.deepEqual([...server.takeOutgoing()], [0x88, 2, 0x03, 0xf1], "Close 1009");
    assert.deepEqual(recv(server, out(client, "sendText", "after")), [], "nothing more is read");
    assert.throws(() => server.sendText("x"), { name: "WsframeError", code: "CLOSED" });
    assert.throws(() => server.ping(), { code: "CLOSED" });
  }
  // Exactly at the limit is fine.
  const client = new Connection({ role: "client", deflate: true });
  const server = new Connection({ role: "server", deflate: true, messages: true, maxMessageSize: 4096 });
  assert.equal(recv(server, out(client, "sendBinary", new Uint8Array(4096)))[0].data.length, 4096);
  assert.throws(() => recv(server, out(client, "sendBinary", new Uint8Array(4097))), { closeCode: 1009 });
});

test("corrupt compressed data is 1002, invalid UTF-8 inside is 1007", () => {
  const a = new Connection({ role: "client", deflate: true });
  assert.throws(() => recv(a, bytes(0xc1, 0x02, 0xff, 0xff)), { name: "ProtocolError", code: "INVALID_COMPRESSED_DATA", closeCode: 1002 });
  const server = new Connection({ role: "server", deflate: true });
  const b = new Connection({ role: "client", deflate: true });
  const frame = out(server, "sendBinary", bytes(0xce, 0xba, 0xff));
  frame[0] = 0xc1; // the same compressed bytes, as text
  assert.throws(() => recv(b, frame), { name: "ProtocolError", code: "INVALID_UTF8", closeCode: 1007 });
  // RSV1 on a continuation is a protocol error (RFC 7692 §6.1).
  const c = new Connection({ role: "client", deflate: true });
  assert.throws(() => recv(c, concat(HELLO_FRAGMENTED[0], bytes(0xc0, 0x01, 0x00))), { closeCode: 1002 });
});

test("per message: compress: false sends plainly (RSV1 clear), the context carries on", () => {
  const { client, server } = negotiatedPair(true, undefined, { messages: true });
  const plain = out(client, "sendText", "Hello", { compress: false });
  assert.equal(plain[0], 0x81, "no RSV1");
  assert.deepEqual(recv(server, plain), [{ type: "text", data: "Hello", last: true }]);
  const plainBin = out(server, "sendBinary", enc.encode("raw"), { compress: false });
  assert.deepEqual(plainBin, bytes(0x82, 0x03, 0x72, 0x61, 0x77));
  assert.deepEqual(recv(client, plainBin)[0].data, enc.encode("raw"));
  for (let i = 0; i < 3; i++) {
    const compressed = out(client, "sendText", `Hello ${i}`, { compress: true });
    assert.equal(compressed[0], 0xc1);
    assert.equal(recv(server, compressed)[0].data, `Hello ${i}`);
    assert.equal(recv(server, out(client, "sendText", "Hello", { compress: false }))[0].data, "Hello");
  }
  // Without deflate the option changes nothing; a bad value is a TypeError.
  const off = new Connection({ role: "server" });
  assert.deepEqual(out(off, "sendText", "hi", { compress: true }), bytes(0x81, 0x02, 0x68, 0x69));
  assert.throws(() => client.sendText("x", { compress: "no" }), TypeError);
  assert.throws(() => new Connection({ deflate: { level: "max" } }), TypeError);
});

test("a refused compressed send does not advance the compression context", () => {
  const { client, server } = negotiatedPair(true, undefined, { messages: true });
  const first = out(client, "sendFrame", "text", "frag", false); // an uncompressed fragmented message
  assert.throws(() => client.sendText("Hello"), { name: "WsframeError", code: "MESSAGE_IN_PROGRESS" });
  assert.equal(client.bufferedAmount, 0, "nothing queued for the refused message");
  const last = out(client, "sendFrame", "text", "ment", true);
  assert.deepEqual(recv(server, concat(first, last)), [{ type: "text", data: "fragment", last: true }]);
  assert.equal(recv(server, out(client, "sendText", "Hello"))[0].data, "Hello");
  assert.equal(recv(server, out(client, "sendText", "Hello"))[0].data, "Hello");
});
