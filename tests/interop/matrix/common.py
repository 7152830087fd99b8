"""Shared payloads and the case script of the interop matrix (README.md beside this file).

The Python client drivers wrap their library in an adapter (see `Adapter`) and hand it to
`run_suite`, which runs the cases in the contract's order and prints one JSON line per case.
The Python servers use `fragments_of`, `emit` and the constants.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from typing import Awaitable, Callable

PROTOCOLS = ["matrix.v1", "matrix.v2"]
SIZES = [0, 125, 126, 65535, 65536, 4194304]
MAX_MESSAGE = 16 * 1024 * 1024
FRAGMENTED_TEXT = "matrix-fragmented wörld 😀"
FRAGMENTS = ["matrix-", "fragmented w", "örld 😀"]
PIPELINED = 1000
PING_PAYLOAD = b"matrix-ping"
SERVER_PING_PAYLOAD = b"matrix-server-ping"
CLOSE_CODE = 4001
CLOSE_REASON = "matrix-bye ü"
CASE_TIMEOUT = 30.0

_ASCII_PERIOD = bytes(0x20 + (i * 7) % 95 for i in range(95))
_BINARY_PERIOD = bytes((i * 167 + 13) % 251 for i in range(251))


def _repeat(period: bytes, n: int) -> bytes:
    return (period * (n // len(period) + 1))[:n]


def ascii_text(n: int) -> str:
    """Byte i is 0x20 + (i * 7) % 95."""
    return _repeat(_ASCII_PERIOD, n).decode("ascii")


def utf8_text(n: int) -> str:
    """floor(n/4) copies of U+1F600, then n % 4 copies of 'a': n bytes of UTF-8."""
    return "\U0001F600" * (n // 4) + "a" * (n % 4)


def binary(n: int) -> bytes:
    """Byte i is (i * 167 + 13) % 251."""
    return _repeat(_BINARY_PERIOD, n)


def fragments_of(text: str) -> list[str]:
    """How the independent servers split a `matrix-fragmented` echo: three pieces, by
    characters (never inside a code point)."""
    if len(text) < 3:
        return [text[:1], text[1:]]
    a = len(text) // 3
    b = 2 * len(text) // 3
    return [text[:a], text[a:b], text[b:]]


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def first_difference(a: bytes, b: bytes) -> str:
    if len(a) != len(b):
        return f"length {len(b)}, expected {len(a)}"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"echo differs at byte {i}"
    return "equal"


class CaseFailure(Exception):
    pass


class NotApplicable(Exception):
    pass


class Adapter:
    """What run_suite needs from a client library. Messages are ("text", str) or
    ("binary", bytes)."""

    name = "?"
    protocol: str | None = None
    extensions: str = ""
    can_fragment = False
    can_ping = False

    async def send_text(self, text: str) -> None: raise NotImplementedError
    async def send_binary(self, data: bytes) -> None: raise NotImplementedError
    async def send_fragments(self, pieces: list[str]) -> None: raise NotImplementedError
    async def recv(self) -> tuple[str, str | bytes]: raise NotImplementedError

    async def ping(self, payload: bytes) -> None:
        """Sends a Ping and returns when the Pong with the same payload arrived."""
        raise NotImplementedError

    async def close(self, code: int, reason: str) -> tuple[int | None, str | None, bool]:
        """Closes with code and reason; returns the server's (code, reason, clean)."""
        raise NotImplementedError


async def _expect(ad: Adapter, kind: str, payload: str | bytes) -> None:
    got_kind, got = await ad.recv()
    if got_kind != kind:
        raise CaseFailure(f"echo is {got_kind}, expected {kind} (length {len(got)})")
    want = payload.encode() if isinstance(payload, str) else payload
    have = got.encode() if isinstance(got, str) else bytes(got)
    if len(want) > 256:
        if hashlib.sha256(want).digest() != hashlib.sha256(have).digest():
            raise CaseFailure(first_difference(want, have))
    elif want != have:
        raise CaseFailure(f"echo {have[:64]!r} ({len(have)} bytes), expected {want[:64]!r}")


async def _case(name: str, body: Callable[[], Awaitable[str | None]]) -> bool:
    """Runs one case with the time bound; prints its line. Returns False when the
    connection is unusable afterwards."""
    try:
        detail = await asyncio.wait_for(body(), CASE_TIMEOUT)
        line = {"case": name, "ok": True}
        if detail:
            line["detail"] = detail
        emit(line)
        return True
    except NotApplicable as e:
        emit({"case": name, "ok": None, "detail": str(e)})
        return True
    except CaseFailure as e:
        emit({"case": name, "ok": False, "detail": str(e)})
        return True
    except asyncio.TimeoutError:
        emit({"case": name, "ok": False, "detail": f"timed out after {CASE_TIMEOUT:.0f} s"})
        return True
    except Exception as e:  # the connection broke
        emit({"case": name, "ok": False, "detail": f"{type(e).__name__}: {e}"})
        return False


async def run_suite(ad: Adapter) -> None:
    emit({"open": True, "protocol": ad.protocol, "extensions": ad.extensions})

    cases: list[tuple[str, Callable[[], Awaitable[str | None]]]] = []

    async def subprotocol():
        if ad.protocol != "matrix.v1":
            raise CaseFailure(f"selected {ad.protocol!r}, expected 'matrix.v1'")

    cases.append(("subprotocol", subprotocol))

    def echo_case(kind: str, payload: str | bytes):
        async def body():
            if kind == "text":
                await ad.send_text(payload)
            else:
                await ad.send_binary(payload)
            await _expect(ad, kind, payload)
        return body

    for n in SIZES:
        cases.append((f"text-ascii-{n}", echo_case("text", ascii_text(n))))
        cases.append((f"text-utf8-{n}", echo_case("text", utf8_text(n))))
        cases.append((f"binary-{n}", echo_case("binary", binary(n))))

    async def fragmented():
        if ad.can_fragment:
            await ad.send_fragments(FRAGMENTS)
            who = f"client sent {len(FRAGMENTS)} fragments"
        else:
            await ad.send_text(FRAGMENTED_TEXT)
            who = (f"{ad.name} cannot send fragments: sent whole; "
                   "the echo is fragmented only if the server fragments")
        await _expect(ad, "text", FRAGMENTED_TEXT)
        return who

    cases.append(("fragmented", fragmented))

    async def pipelined():
        for i in range(PIPELINED):
            await ad.send_text(f"pipelined-{i}")
        for i in range(PIPELINED):
            kind, got = await ad.recv()
            if kind != "text" or got != f"pipelined-{i}":
                raise CaseFailure(f"echo {i} is {kind} {got!r}, expected 'pipelined-{i}'")

    cases.append((f"pipelined-{PIPELINED}", pipelined))

    async def ping():
        if ad.can_ping:
            await ad.ping(PING_PAYLOAD)
            return "client Ping 'matrix-ping', Pong with the same payload"
        await ad.send_text("matrix-ping-me")
        kind, got = await ad.recv()
        if got == "matrix-pong-ok":
            return "server pinged, client's Pong arrived"
        if got == "matrix-ping-me":
            raise NotApplicable(f"{ad.name} cannot ping and the server does not ping")
        raise CaseFailure(f"server answered {got!r}")

    cases.append(("ping", ping))

    for name, body in cases:
        if not await _case(name, body):
            break

    async def close():
        code, reason, clean = await ad.close(CLOSE_CODE, CLOSE_REASON)
        if code != CLOSE_CODE or reason != CLOSE_REASON:
            raise CaseFailure(f"server's Close {code} {reason!r}, expected {CLOSE_CODE} {CLOSE_REASON!r}")
        if not clean:
            raise CaseFailure("closing handshake not clean")
        return f"server's Close {code} {reason!r}, clean"

    await _case(f"close-{CLOSE_CODE}", close)


def client_args(argv: list[str] | None = None):
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--deflate", action="store_true")
    return p.parse_args(argv)


def server_args(argv: list[str] | None = None):
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--deflate", action="store_true")
    return p.parse_args(argv)
