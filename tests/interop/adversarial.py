#!/usr/bin/env python3
"""Adversarial raw-socket tests for any wsframe echo server (DESIGN.md section 5).

Starts the server given by --server-cmd on a free 127.0.0.1 port, then attacks it with
what the open internet sends: handshakes that never finish, oversized or malformed
requests, frames announcing 2^63-1 bytes, a million empty fragments, control frames
between every fragment, invalid UTF-8 at every position of a fragmented message,
every close code from 0 to 65535, and (with --deflate) a compression bomb. Each case
must either work or fail with the specific HTTP status or close code, and the server
must keep serving other connections throughout. Prints a table and "N passed, N failed".

    tests/interop/adversarial.py --server-cmd "build/bin/wsframe-echo-server --port {port}"
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import struct
import sys
import time
import zlib
from typing import Awaitable, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from py_ws_client import Server, free_port  # noqa: E402

PORT = 0
DEFLATE = False
KEY = b"\x11\x22\x33\x44"
TIMEOUT = 10.0


class Failure(Exception):
    pass


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, mask: bool = True,
          length: int | None = None) -> bytes:
    """A client frame, built byte by byte (RFC 6455 section 5.2); `length` overrides the header."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n <= 0xFFFF:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    return head + KEY + bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))


def request(extra: str = "", key: str | None = None, version: str = "13", method: str = "GET",
            http: str = "HTTP/1.1", target: str = "/") -> bytes:
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    lines = [f"{method} {target} {http}", f"Host: 127.0.0.1:{PORT}", "Upgrade: websocket", "Connection: Upgrade"]
    if key:
        lines.append(f"Sec-WebSocket-Key: {key}")
    if version:
        lines.append(f"Sec-WebSocket-Version: {version}")
    if DEFLATE:
        lines.append("Sec-WebSocket-Extensions: permessage-deflate")
    head = "\r\n".join(lines) + "\r\n" + extra
    return (head + "\r\n").encode()


class Conn:
    """A raw client connection with just enough framing to check the server's answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.r, self.w = reader, writer
        self.deflate = False

    @classmethod
    async def open(cls) -> "Conn":
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", PORT), TIMEOUT)
        return cls(r, w)

    async def http(self, req: bytes) -> tuple[int, str]:
        """Sends a request; returns the status and the response head."""
        self.w.write(req)
        await self.w.drain()
        head = await asyncio.wait_for(self.r.readuntil(b"\r\n\r\n"), TIMEOUT)
        text = head.decode(errors="replace")
        status = int(text.split(" ", 2)[1])
        self.deflate = "permessage-deflate" in text.lower()
        return status, text

    async def upgrade(self) -> None:
        status, head = await self.http(request())
        if status != 101:
            raise Failure(f"handshake answered {status}")

    def send(self, data: bytes) -> None:
        self.w.write(data)

    async def read_frame(self, timeout: float = TIMEOUT) -> tuple[int, int, bytes] | None:
        """(opcode, rsv, payload) of the next server frame, or None at EOF."""
        try:
            b = await asyncio.wait_for(self.r.readexactly(2), timeout)
        except asyncio.IncompleteReadError:
            return None
        except ConnectionResetError:
            return None
        n = b[1] & 0x7F
        if n == 126:
            n = struct.unpack(">H", await self.r.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", await self.r.readexactly(8))[0]
        payload = await asyncio.wait_for(self.r.readexactly(n), timeout)
        rsv = (b[0] >> 4) & 7
        if rsv & 4:
            d = zlib.decompressobj(-15)
            payload = d.decompress(payload + b"\x00\x00\xff\xff")
        return b[0] & 0x0F, rsv, payload

    async def expect_close(self, code: int | None, timeout: float = TIMEOUT) -> str:
        """Reads until the server's Close; checks its code and that TCP then closes."""
        while True:
            f = await self.read_frame(timeout)
            if f is None:
                raise Failure("connection closed without a Close frame")
            op, _, payload = f
            if op == 0x8:
                got = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                if got != code:
                    raise Failure(f"close code {got}, expected {code}")
                return f"close {got}"

    async def expect_echo(self, opcode: int, payload: bytes) -> None:
        f = await self.read_frame()
        if f is None:
            raise Failure("connection closed instead of echoing")
        op, _, got = f
        if (op, got) != (opcode, payload):
            raise Failure(f"echo was opcode {op} with {len(got)} bytes, expected {opcode} with {len(payload)}")

    def close(self) -> None:
        self.w.close()


CASES: list[tuple[str, str, Callable[[], Awaitable[str]]]] = []


def case(name: str, expected: str):
    def register(fn):
        CASES.append((name, expected, fn))
        return fn

    return register


async def protocol_case(frames: bytes, code: int) -> str:
    c = await Conn.open()
    try:
        await c.upgrade()
        c.send(frames)
        return await c.expect_close(code)
    finally:
        c.close()


async def echo_works() -> None:
    c = await Conn.open()
    try:
        await c.upgrade()
        c.send(frame(0x1, b"still serving"))
        await c.expect_echo(0x1, b"still serving")
    finally:
        c.close()


# ---- handshake --------------------------------------------------------------------------------


@case("oversized handshake (9 KiB of headers)", "HTTP 431 or 400")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request("X-Padding: " + "a" * 9216 + "\r\n"))
    except (asyncio.IncompleteReadError, ConnectionResetError):
        raise Failure("connection dropped without an HTTP answer")
    finally:
        c.close()
    if status not in (400, 431):
        raise Failure(f"status {status}")
    return f"HTTP {status}"


@case("unsupported version 8", "HTTP 426 + Sec-WebSocket-Version: 13")
async def _():
    c = await Conn.open()
    try:
        status, head = await c.http(request(version="8"))
    finally:
        c.close()
    if status != 426 or "sec-websocket-version: 13" not in head.lower():
        raise Failure(f"status {status}")
    return "HTTP 426, version 13 named"


@case("missing Sec-WebSocket-Key", "HTTP 400")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request(key=""))
    finally:
        c.close()
    if status != 400:
        raise Failure(f"status {status}")
    return "HTTP 400"


@case("key that is not 16 bytes of base64", "HTTP 400")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request(key="c2hvcnQ="))
    finally:
        c.close()
    if status != 400:
        raise Failure(f"status {status}")
    return "HTTP 400"


@case("POST instead of GET", "HTTP 4xx")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request(method="POST"))
    finally:
        c.close()
    if not 400 <= status < 500:
        raise Failure(f"status {status}")
    return f"HTTP {status}"


@case("HTTP/1.0 request", "HTTP 4xx")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request(http="HTTP/1.0"))
    finally:
        c.close()
    if not 400 <= status < 500:
        raise Failure(f"status {status}")
    return f"HTTP {status}"


@case("request-target neither a path nor an absolute URI", "HTTP 400 each; absolute ws:// URI upgrades")
async def _():
    for target in ("chat", "*", "ws:///chat", "ftp://127.0.0.1/"):
        c = await Conn.open()
        try:
            status, _ = await c.http(request(target=target))
        except (asyncio.IncompleteReadError, ConnectionResetError):
            raise Failure(f"{target}: connection dropped without an HTTP answer")
        finally:
            c.close()
        if status != 400:
            raise Failure(f"{target}: status {status}")
    c = await Conn.open()
    try:
        status, _ = await c.http(request(target=f"ws://127.0.0.1:{PORT}/chat"))
    finally:
        c.close()
    if status != 101:
        raise Failure(f"absolute URI: status {status}")
    return "HTTP 400 for 4 targets, 101 for ws://host/chat"


@case("header line folding (obs-fold) injection", "HTTP 400")
async def _():
    c = await Conn.open()
    try:
        status, _ = await c.http(request("X-Folded: a\r\n Sec-WebSocket-Protocol: evil\r\n"))
    except (asyncio.IncompleteReadError, ConnectionResetError):
        raise Failure("connection dropped without an HTTP answer")
    finally:
        c.close()
    if status != 400:
        raise Failure(f"status {status}")
    return "HTTP 400"


@case("handshake and first frame in one write", "upgrade, then the echo")
async def _():
    c = await Conn.open()
    try:
        c.send(request() + frame(0x1, b"pipelined"))
        head = await asyncio.wait_for(c.r.readuntil(b"\r\n\r\n"), TIMEOUT)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise Failure(head.split(b"\r\n")[0].decode())
        await c.expect_echo(0x1, b"pipelined")
    finally:
        c.close()
    return "echoed"


# ---- framing ----------------------------------------------------------------------------------


@case("frame announcing 2^63-1 bytes", "close 1009")
async def _():
    return await protocol_case(frame(0x2, length=(1 << 63) - 1)[:14], 1009)


@case("64-bit length with the high bit set", "close 1002")
async def _():
    return await protocol_case(bytes([0x82, 0xFF]) + b"\x80" + bytes(7) + KEY, 1002)


@case("unmasked client frame", "close 1002")
async def _():
    return await protocol_case(frame(0x1, b"hi", mask=False), 1002)


@case("RSV2 and RSV3 set", "close 1002")
async def _():
    return await protocol_case(frame(0x1, b"hi", rsv=3), 1002)


@case("reserved opcodes 3 and 11", "close 1002 each")
async def _():
    for op in (0x3, 0xB):
        await protocol_case(frame(op, b""), 1002)
    return "close 1002 twice"


@case("ping with 126 bytes", "close 1002")
async def _():
    return await protocol_case(frame(0x9, bytes(126)), 1002)


@case("fragmented ping", "close 1002")
async def _():
    return await protocol_case(frame(0x9, b"a", fin=False), 1002)


@case("continuation without a message", "close 1002")
async def _():
    return await protocol_case(frame(0x0, b"x"), 1002)


@case("new text frame inside a fragmented message", "close 1002")
async def _():
    return await protocol_case(frame(0x1, b"a", fin=False) + frame(0x1, b"b"), 1002)


@case("close with a 1-byte body", "close 1002")
async def _():
    return await protocol_case(frame(0x8, b"\x03"), 1002)


@case("close reason that is not UTF-8", "close 1007")
async def _():
    return await protocol_case(frame(0x8, b"\x03\xe8\xff\xfe"), 1007)


@case("a million empty fragments", "echo, or close 1009")
async def _():
    c = await Conn.open()
    try:
        await c.upgrade()
        empty = frame(0x0, b"", fin=False)
        c.send(frame(0x1, b"", fin=False))
        for _ in range(100):
            c.send(empty * 10_000)
            await c.w.drain()
        c.send(frame(0x0, b"x"))
        f = await c.read_frame(60)
        if f is None:
            raise Failure("connection closed without a Close frame")
        op, _, payload = f
        if (op, payload) == (0x1, b"x"):
            return "echoed"
        if op == 0x8 and struct.unpack(">H", payload[:2])[0] == 1009:
            return "close 1009"
        raise Failure(f"opcode {op} {payload[:8]!r}")
    finally:
        c.close()


@case("ping and pong between every fragment", "a pong per ping, then the echo")
async def _():
    c = await Conn.open()
    try:
        await c.upgrade()
        parts = [bytes([65 + i % 26]) * 10 for i in range(100)]
        for i, p in enumerate(parts):
            op = 0x1 if i == 0 else 0x0
            last = i == len(parts) - 1
            c.send(frame(op, p, fin=last))
            if not last:
                c.send(frame(0x9, str(i).encode()) + frame(0xA, b"unsolicited"))
        for i in range(len(parts) - 1):
            f = await c.read_frame()
            if f is None or f[0] != 0xA or f[2] != str(i).encode():
                raise Failure(f"expected pong {i}, got {f and (f[0], f[2][:8])}")
        await c.expect_echo(0x1, b"".join(parts))
    finally:
        c.close()
    return "99 pongs, then the echo"


# Invalid sequences from Markus Kuhn's UTF-8 decoder stress test.
KUHN_INVALID = [
    b"\x80",  # lone continuation byte
    b"\xc0\xaf",  # overlong '/'
    b"\xe0\x80\xaf",  # overlong '/', 3 bytes
    b"\xed\xa0\x80",  # UTF-16 surrogate
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xfe",  # impossible byte
    b"\xce\xba\xe1\xbd",  # cut short, then the message ends
]


@case("invalid UTF-8 at every position of a fragmented message", "close 1007 every time")
async def _():
    runs = 0

    async def one(bad: bytes, pos: int, size: int) -> None:
        msg = b"x" * pos + bad + (b"" if bad == KUHN_INVALID[-1] else b"yz")
        pieces = [msg[i:i + size] for i in range(0, len(msg), size)]
        data = b"".join(
            frame(0x1 if i == 0 else 0x0, p, fin=i == len(pieces) - 1) for i, p in enumerate(pieces)
        )
        try:
            await protocol_case(data, 1007)
        except Failure as e:
            raise Failure(f"{bad!r} at {pos} in {size}-byte fragments: {e}")

    jobs = [(bad, pos, size) for bad in KUHN_INVALID for pos in range(8) for size in (1, 2, 3)]
    for i in range(0, len(jobs), 16):
        await asyncio.gather(*(one(*j) for j in jobs[i:i + 16]))
        runs += len(jobs[i:i + 16])
    return f"close 1007 in {runs} connections"


@case("every close code 0..65535", "echoed if valid, else close 1002")
async def _():
    valid = lambda c: 1000 <= c <= 1003 or 1007 <= c <= 1014 or 3000 <= c <= 4999  # noqa: E731
    bad: list[str] = []

    async def one(code: int) -> None:
        try:
            await protocol_case(frame(0x8, struct.pack(">H", code)), code if valid(code) else 1002)
        except Failure as e:
            bad.append(f"{code}: {e}")

    codes = list(range(65536))
    for i in range(0, len(codes), 64):
        await asyncio.gather(*(one(c) for c in codes[i:i + 64]))
    if bad:
        raise Failure(f"{len(bad)} codes wrong, e.g. {bad[:3]}")
    return "65536 codes as RFC 6455 section 7.4 says"


@case("data after the close handshake", "only the close echo")
async def _():
    c = await Conn.open()
    try:
        await c.upgrade()
        c.send(frame(0x8, b"\x03\xe8") + frame(0x1, b"late"))
        out = await c.expect_close(1000)
        f = await c.read_frame(3)
        if f is not None:
            raise Failure(f"frame after close: opcode {f[0]}")
    finally:
        c.close()
    return out + ", then EOF"


@case("compression bomb (64 MiB of zeros)", "close 1009 (with --deflate)")
async def _():
    if not DEFLATE:
        return "skipped: run with --deflate"
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = (z.compress(bytes(64 << 20)) + z.flush(zlib.Z_SYNC_FLUSH))[:-4]
    c = await Conn.open()
    try:
        await c.upgrade()
        if not c.deflate:
            raise Failure("permessage-deflate was not negotiated")
        c.send(frame(0x2, payload, rsv=4))
        return await c.expect_close(1009, 30)
    finally:
        c.close()


# ---- runner -----------------------------------------------------------------------------------


async def slowloris() -> str:
    """A handshake trickling one byte at a time, never finished: dropped, nobody blocked."""
    c = await Conn.open()
    start = time.monotonic()
    req = request()
    try:
        for b in req[:-4]:
            c.send(bytes([b]))
            await c.w.drain()
            await asyncio.sleep(0.1)
            if c.r.at_eof():
                break
        data = await asyncio.wait_for(c.r.read(4096), 30)
        return f"dropped after {time.monotonic() - start:.1f} s" + (" with an HTTP answer" if data else "")
    except (ConnectionResetError, BrokenPipeError):
        return f"dropped after {time.monotonic() - start:.1f} s"
    finally:
        c.close()


async def run(args: argparse.Namespace) -> int:
    global PORT, DEFLATE
    DEFLATE = args.deflate
    PORT = free_port()
    server = Server(args.server_cmd, PORT, 60.0)
    rows: list[tuple[str, str, str, bool]] = []
    try:
        await server.start()
        loris = asyncio.ensure_future(slowloris())
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        await echo_works()
        rows.append(("slowloris handshake does not block others", "other clients served",
                     f"echo in {(time.monotonic() - t0) * 1000:.0f} ms", True))
        for name, expected, fn in CASES:
            if args.only and not any(s in name for s in args.only):
                continue
            try:
                outcome = await asyncio.wait_for(fn(), args.case_timeout)
                ok = True
            except Failure as e:
                outcome, ok = f"FAIL: {e}", False
            except asyncio.TimeoutError:
                outcome, ok = f"FAIL: timed out after {args.case_timeout:.0f} s", False
            except Exception as e:  # noqa: BLE001 - any error fails the case
                outcome, ok = f"FAIL: {type(e).__name__}: {e}", False
            if ok:
                try:
                    await echo_works()
                except Exception as e:  # noqa: BLE001
                    outcome, ok = f"FAIL: server stopped serving others: {e}", False
            if not server.alive():
                outcome, ok = f"FAIL: server exited with {server.proc.returncode}", False
            rows.append((name, expected, outcome, ok))
            if not server.alive():
                break
        try:
            outcome = await asyncio.wait_for(loris, 40)
            ok = "dropped" in outcome
        except asyncio.TimeoutError:
            outcome, ok = "FAIL: still connected after 40 s", False
        rows.append(("slowloris handshake (1 byte / 100 ms)", "dropped by a timeout", outcome, ok))
    finally:
        await server.stop()
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    print(f"{'case':<{w1}}  {'expected':<{w2}}  outcome")
    for name, expected, outcome, ok in rows:
        print(f"{name:<{w1}}  {expected:<{w2}}  {outcome}")
    passed = sum(r[3] for r in rows)
    failed = len(rows) - passed
    if failed:
        tail = server.stderr_tail()
        if tail:
            print("server stderr (tail):\n" + tail)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server-cmd", required=True, help="server command line; {port} is replaced")
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate; run the bomb case")
    p.add_argument("--only", action="append", help="run only cases whose name contains this")
    p.add_argument("--case-timeout", type=float, default=120.0)
    return asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
