// The opening handshake helpers (RFC 6455 §1.3, §4).
import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptKey, acceptResponse, checkResponse, clientRequest, parseRequest, rejectResponse } from "wsframe";

const enc = new TextEncoder();
const dec = new TextDecoder();

// RFC 6455 §1.2/§4.1: the sample client handshake.
const SAMPLE_REQUEST =
  "GET /chat HTTP/1.1\r\n" +
  "Host: server.example.com\r\n" +
  "Upgrade: websocket\r\n" +
  "Connection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Origin: http://example.com\r\n" +
  "Sec-WebSocket-Protocol: chat, superchat\r\n" +
  "Sec-WebSocket-Version: 13\r\n\r\n";

test("RFC 6455 §1.3: the accept key of the sample nonce", () => {
  assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("parseRequest: the RFC's sample request, and null while incomplete", () => {
  const bytes = enc.encode(SAMPLE_REQUEST + "\x81\x80");
  for (const cut of [0, 1, 40, SAMPLE_REQUEST.length - 1]) assert.equal(parseRequest(bytes.subarray(0, cut)), null);
  const req = parseRequest(bytes);
  assert.equal(req.path, "/chat");
  assert.equal(req.resource, "/chat");
  assert.equal(req.host, "server.example.com");
  assert.equal(req.key, "dGhlIHNhbXBsZSBub25jZQ==");
  assert.equal(req.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(req.origin, "http://example.com");
  assert.deepEqual(req.protocols, ["chat", "superchat"]);
  assert.equal(req.extensions, null);
  assert.equal(req.consumed, SAMPLE_REQUEST.length, "frame bytes after the head are not consumed");
  assert.deepEqual(req.headers[0], ["Host", "server.example.com"]);
});

test("acceptResponse: the RFC's sample answer (RFC 6455 §1.3, §4.2.2)", () => {
  const req = parseRequest(enc.encode(SAMPLE_REQUEST));
  assert.equal(
    dec.decode(acceptResponse(req, { protocol: "chat" })),
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
  );
  const withHeaders = dec.decode(acceptResponse(req.key, { headers: { "Set-Cookie": "a=1" } }));
  assert.match(withHeaders, /\r\nSet-Cookie: a=1\r\n\r\n$/);
  // No header injection.
  assert.throws(() => acceptResponse(req, { headers: [["X", "a\r\nEvil: 1"]] }), {
    name: "HandshakeError",
    code: "INVALID_HEADER_VALUE",
  });
  assert.throws(() => acceptResponse(req, { protocol: "two words" }), { name: "HandshakeError", code: "INVALID_PROTOCOL" });
});

test("invalid requests: HandshakeError with the status to answer (RFC 6455 §4.2.1, §4.4)", () => {
  const without = (name) => SAMPLE_REQUEST.split("\r\n").filter((l) => !l.startsWith(name)).join("\r\n");
  const cases = [
    [without("Sec-WebSocket-Key"), "MISSING_KEY", 400],
    [without("Upgrade"), "MISSING_UPGRADE", 400],
    [without("Host"), "MISSING_HOST", 400],
    [without("Sec-WebSocket-Version"), "UNSUPPORTED_VERSION", 426],
    [SAMPLE_REQUEST.replace("Version: 13", "Version: 8"), "UNSUPPORTED_VERSION", 426],
    [SAMPLE_REQUEST.replace("GET", "POST"), "NOT_GET", 400],
    [SAMPLE_REQUEST.replace("dGhlIHNhbXBsZSBub25jZQ==", "short"), "INVALID_KEY", 400],
    [SAMPLE_REQUEST.replace("HTTP/1.1", "HTTP/1.0"), "HTTP_VERSION", 400],
  ];
  for (const [text, code, status] of cases) {
    assert.throws(
      () => parseRequest(enc.encode(text)),
      (err) => err instanceof Error && err.name === "HandshakeError" && err.code === code && err.status === status,
      code,
    );
  }
  // Too large: 431 once the limit is reached without a complete head.
  const big = enc.encode("GET / HTTP/1.1\r\nX: " + "a".repeat(9000));
  assert.throws(() => parseRequest(big), { name: "HandshakeError", status: 431 });
  assert.throws(() => parseRequest(enc.encode(SAMPLE_REQUEST), { maxSize: 64 }), { status: 431 });
});

test("rejectResponse: status lines, 426 names the version", () => {
  let err;
  try {
    parseRequest(enc.encode(SAMPLE_REQUEST.replace("Version: 13", "Version: 8")));
  } catch (e) {
    err = e;
  }
  const text = dec.decode(rejectResponse(err));
  assert.match(text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
  assert.match(text, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(dec.decode(rejectResponse(400)), /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(dec.decode(rejectResponse(302, { headers: { Location: "ws://x/" } })), /\r\nLocation: ws:\/\/x\/\r\n/);
  assert.throws(() => rejectResponse(200), { name: "HandshakeError", code: "INVALID_STATUS" });
});

test("client request, server accept, client check: a full exchange", () => {
  const c = clientRequest("ws://127.0.0.1:9001/echo?x=1", { protocols: ["v2", "v1"], origin: "http://a.test" });
  assert.deepEqual([c.host, c.port, c.secure, c.resource], ["127.0.0.1", 9001, false, "/echo?x=1"]);
  const req = parseRequest(c.bytes);
  assert.equal(req.consumed, c.bytes.length);
  assert.equal(req.key, c.handshake.key);
  assert.equal(req.path, "/echo?x=1");
  assert.equal(req.host, "127.0.0.1:9001");
  assert.deepEqual(req.protocols, ["v2", "v1"]);
  assert.equal(req.origin, "http://a.test");
  const response = acceptResponse(req, { protocol: "v1" });
  const withFrame = new Uint8Array([...response, 0x81, 0x00]);
  for (let i = 0; i < response.length; i++) assert.equal(c.handshake.checkResponse(withFrame.subarray(0, i)), null);
  const ok = checkResponse(withFrame, c.handshake);
  assert.equal(ok.accepted, true);
  assert.equal(ok.status, 101);
  assert.equal(ok.protocol, "v1");
  assert.equal(ok.consumed, response.length);
  // Keys are fresh per request (RFC 6455 §4.1 item 7).
  assert.notEqual(clientRequest("ws://h/").handshake.key, clientRequest("ws://h/").handshake.key);
});

test("the client fails bad answers and reports refusals", () => {
  const c = clientRequest("ws://h/", { protocols: ["a"] });
  const other = clientRequest("ws://h/");
  const wrongKey = acceptResponse(other.handshake.key);
  assert.throws(() => c.handshake.checkResponse(wrongKey), { name: "HandshakeError", code: "BAD_ACCEPT" });
  const wrongProtocol = acceptResponse(c.handshake.key, { protocol: "b" });
  assert.throws(() => c.handshake.checkResponse(wrongProtocol), { name: "HandshakeError", code: "UNEXPECTED_PROTOCOL" });
  const refused = c.handshake.checkResponse(rejectResponse(403));
  assert.deepEqual([refused.accepted, refused.status, refused.reason], [false, 403, "Forbidden"]);
  assert.throws(() => clientRequest("http://h/"), { name: "HandshakeError", code: "UNSUPPORTED_SCHEME" });
  assert.throws(() => clientRequest("ws://h/#frag"), { name: "HandshakeError", code: "FRAGMENT_IN_URI" });
  assert.throws(() => clientRequest("ws://h:0/"), { name: "HandshakeError", code: "INVALID_PORT" });
  const secure = clientRequest(new URL("wss://example.com/a"));
  assert.deepEqual([secure.port, secure.secure], [443, true]);
});
