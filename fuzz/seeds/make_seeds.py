#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets: valid frames, handshakes and
UTF-8, so the fuzzer starts from inputs that reach deep states."""
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus")


def frame(fin, op, payload, mask=b"\x37\xfa\x21\x3d", rsv=0):
    b = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        b += bytes([m | n])
    elif n <= 0xFFFF:
        b += bytes([m | 126]) + struct.pack(">H", n)
    else:
        b += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        b += mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    else:
        b += payload
    return b


def write(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


frames = {
    "hello_masked": frame(True, 1, b"Hello"),
    "hello_unmasked": frame(True, 1, b"Hello", mask=None),
    "fragmented": frame(False, 1, b"Hel") + frame(True, 9, b"p") + frame(True, 0, b"lo"),
    "binary_256": frame(True, 2, bytes(range(256))),
    "binary_64k": frame(True, 2, b"\xaa" * 65536),
    "close_1000": frame(True, 8, b"\x03\xe8bye"),
    "close_empty": frame(True, 8, b""),
    "ping_pong": frame(True, 9, b"ping") + frame(True, 10, b"pong"),
    "utf8_split": frame(False, 1, "€".encode()[:1]) + frame(True, 0, "€".encode()[1:]),
    "rsv1": frame(True, 1, b"x", rsv=4),
}
for name, data in frames.items():
    # First byte: role/split control for `connection`, split point for `frame_decoder`.
    write("connection", name + "_server", b"\x08" + data)
    write("connection", name + "_client", b"\x09" + frame(True, 1, b"Hello", mask=None) + data)
    write("frame_decoder", name, b"\x03" + data[:14])
    # c_api: bit 0 role (0 server), bit 1 deflate, the rest the read size.
    write("c_api", name + "_server", b"\x40" + data)
    write("c_api", name + "_server_deflate", b"\x42" + data)
    write("c_api", name + "_client", b"\x41" + frame(True, 1, b"Hello", mask=None) + data)

request = (
    b"GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
    b"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)
write("handshake_server", "rfc_request", request)
write("c_api", "rfc_request", b"\x40" + request)
write("handshake_server", "old_version", request.replace(b"Version: 13", b"Version: 8"))
write("handshake_server", "with_frame", request + frame(True, 1, b"Hello"))
# The client target's request uses the nonce [7; 16]: its accept key is fixed.
import base64
import hashlib

key = base64.b64encode(bytes([7] * 16))
accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
response = (
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: " + accept + b"\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
)
write("handshake_client", "accepted", response)
write("handshake_client", "redirect", b"HTTP/1.1 302 Found\r\nLocation: ws://other/\r\n\r\n")
write("handshake_client", "unauthorized", b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
for name, text in {"ascii": "hello", "cjk": "漢字テキスト", "emoji": "🦀€", "bad": "ok"}.items():
    data = text.encode() + (b"\xed\xa0\x80" if name == "bad" else b"")
    write("utf8", name, bytes([len(data) // 2]) + data)
# deflate: first byte = role/level control, then RSV1 frames with deflated payloads.
for name, payload in {"hello": b"\xf2\x48\xcd\xc9\xc9\x07\x00", "stored": b"\x00\x05\x00\xfa\xffHello\x00",
                      "empty": b"\x00", "bfinal": b"\xf3\x48\xcd\xc9\xc9\x07\x00\x00"}.items():
    write("deflate", name + "_server", b"\x60" + frame(True, 1, payload, rsv=4))
    write("deflate", name + "_client", b"\x61" + frame(True, 2, payload, mask=None, rsv=4))
write("deflate", "fragmented", b"\x60" + frame(False, 1, b"\xf2\x48\xcd", rsv=4) + frame(True, 0, b"\xc9\xc9\x07\x00"))

# deflate_compressor: one parameter byte (bit 0 role, bit 1 no context takeover, bits 2-4
# window - 8, bits 5-7 level), then messages: 0 + u16 length + bytes, 1 + u24 length + seed
# (noise), 2 + count (the previous message repeated).
def literal(b):
    return b"\x00" + struct.pack(">H", len(b)) + b


def noise(n, seed):
    return b"\x01" + struct.pack(">I", n)[1:] + bytes([seed])


text = "The quick brown fox, Grüße, こんにちは, 🦀 \ufeff".encode() * 40
for name, params in {"client_default": 0x1D | 0xC0, "server_no_takeover_w9": 0x06, "client_w8_level0": 0x01}.items():
    write("deflate_compressor", name,
          bytes([params]) + literal(text) + noise(31746, 3) + literal(b"") + noise(65536, 5) + b"\x02\x04")
print("seeds written to", os.path.normpath(root))
