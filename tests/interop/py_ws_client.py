#!/usr/bin/env python3
"""Interop test: Python `websockets` (asyncio client) against one of our echo servers.

    py_ws_client.py --server-cmd "cargo run --release --example echo_server -- --port {port}"

Picks a free port on 127.0.0.1, starts the server in its own process group, waits for
`listening on 127.0.0.1:P` on its stdout, runs every case with a timeout, prints
`ok <name>` or `FAIL <name>: <why>` per case and finally `N passed, N failed`.
Exits non-zero if any case failed. The server's process group is always killed.

The integrity_* cases echo corpus.py (next to this script: real-world-like text, images
and random bytes at every boundary size) and a 1,000-message image stream, comparing
SHA-256 digests; with --deflate they run compressed, against Python's independent zlib.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shlex
import signal
import socket
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import Awaitable, Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode

import corpus  # next to this script, so on sys.path when it runs

MIB = 1024 * 1024
MAX_MESSAGE = 16 * MIB  # DESIGN.md §5: echo servers take messages up to 16 MiB
SIZES = [0, 125, 126, 65535, 65536, MAX_MESSAGE]

URL = ""  # set in main()


class CaseFailure(Exception):
    pass


def check(cond: bool, why: str) -> None:
    if not cond:
        raise CaseFailure(why)


def describe(data: str | bytes) -> str:
    kind = "text" if isinstance(data, str) else "binary"
    head = data[:16]
    return f"{kind} len={len(data)} starting {head!r}"


# Set by --deflate: every case then runs with permessage-deflate offered, and the
# deflate-only cases run too.
DEFLATE = False


def ws_connect(**kwargs) -> connect:
    options = dict(
        compression="deflate" if DEFLATE else None,
        max_size=MAX_MESSAGE,
        ping_interval=None,  # no unsolicited pings: the ping case is explicit
        open_timeout=10,
        close_timeout=10,
        proxy=None,
    )
    options.update(kwargs)
    return connect(URL, **options)


async def echo_once(ws: ClientConnection, message, expected=None) -> None:
    """Sends `message` (a str, bytes, or a list of fragments) and checks the echo."""
    if expected is None:
        expected = message
    await ws.send(message)
    reply = await ws.recv()
    check(type(reply) is type(expected), f"sent {describe(expected)}, got {describe(reply)}")
    check(reply == expected, f"sent {describe(expected)}, got a different {describe(reply)}")


async def expect_closed(ws: ClientConnection, code: int, timeout: float) -> None:
    """Waits for the server to fail the connection and checks the close code it sent."""
    try:
        await asyncio.wait_for(ws.recv(), timeout)
        raise CaseFailure("expected the connection to close")
    except ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, "no close frame received")
    check(rcvd.code == code, f"close code {rcvd.code}, expected {code}")


async def round_trip(messages: list, expected: list | None = None) -> None:
    async with ws_connect() as ws:
        for i, m in enumerate(messages):
            await echo_once(ws, m, None if expected is None else expected[i])
        await ws.close()
    check(ws.close_code == 1000, f"close code {ws.close_code}, expected 1000")


def pattern_bytes(n: int) -> bytes:
    return bytes(i % 251 for i in range(min(n, 251))) * (n // 251) + bytes(i % 251 for i in range(n % 251))


def pattern_text(n: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return (alphabet * (n // len(alphabet) + 1))[:n]


# ---- cases ---------------------------------------------------------------------------------

CASES: list[tuple[str, Callable[[], Awaitable[None]], float]] = []


DEFLATE_CASES: set[str] = set()


def case(name: str, timeout: float = 30.0, deflate_only: bool = False):
    def register(fn):
        CASES.append((name, fn, timeout))
        if deflate_only:
            DEFLATE_CASES.add(name)
        return fn

    return register


def size_cases() -> None:
    for n in SIZES:
        label = "16MiB" if n == MAX_MESSAGE else str(n)
        timeout = 120.0 if n == MAX_MESSAGE else 30.0

        async def text_case(n=n):
            await round_trip([pattern_text(n)])

        async def binary_case(n=n):
            await round_trip([pattern_bytes(n)])

        case(f"text_{label}", timeout)(text_case)
        case(f"binary_{label}", timeout)(binary_case)


size_cases()


@case("text_non_ascii")
async def _():
    await round_trip(["héllo wörld ✓", "日本語のテキスト", "emoji 😀🎉 and 𝄞"])


@case("text_non_ascii_1MiB")
async def _():
    # Multi-byte characters over many TCP reads: every chunk boundary in the server may
    # fall inside a character, and the whole message must still validate.
    text = ("€😀ü日" * (MIB // 10 + 1))[: MIB // 2]
    await round_trip([text])


@case("fragmented_text")
async def _():
    await round_trip([["Hello, ", "fragmented ", "world"]], ["Hello, fragmented world"])


@case("fragmented_binary")
async def _():
    frags = [b"\x00\x01", b"", b"\xff" * 70000, b"end"]
    await round_trip([frags], [b"".join(frags)])


@case("fragmented_text_split_utf8")
async def _():
    # One character split across two fragments (RFC 6455 §5.6: valid only as a whole).
    async with ws_connect() as ws:
        await ws.send([b"price: \xe2\x82", b"\xac 5"], text=True)
        reply = await ws.recv()
        check(reply == "price: € 5", f"got {reply!r}")
        await ws.close()


@case("fragmented_many")
async def _():
    frags = [pattern_text(64) for _ in range(4096)]
    await round_trip([frags], ["".join(frags)])


@case("pipelined_1000")
async def _():
    # Many frames per TCP read on the server side.
    async with ws_connect() as ws:
        sent = [f"message {i}" if i % 2 else pattern_bytes(i % 300) for i in range(1000)]
        for m in sent:
            await ws.send(m)
        for i, m in enumerate(sent):
            reply = await ws.recv()
            check(reply == m, f"message {i}: sent {describe(m)}, got {describe(reply)}")
        await ws.close()


@case("ping_pong")
async def _():
    async with ws_connect() as ws:
        for payload in [b"", b"ping payload", bytes(range(125))]:
            pong = await ws.ping(payload)  # resolves only on a pong with the same payload
            await asyncio.wait_for(pong, 10)
        # Data still flows after control frames.
        await echo_once(ws, "after pings")
        await ws.close()


@case("ping_between_fragments")
async def _():
    async with ws_connect() as ws:

        async def fragments():
            yield "first "
            pong = await ws.ping(b"mid-message")
            await asyncio.wait_for(pong, 10)
            yield "second"

        await ws.send(fragments())
        reply = await ws.recv()
        check(reply == "first second", f"got {reply!r}")
        await ws.close()


async def close_case(code: int, reason: str) -> None:
    async with ws_connect() as ws:
        await echo_once(ws, "before close")
        await ws.close(code, reason)
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, f"no close frame received (close code {ws.close_code})")
    check(rcvd.code == code, f"server closed with {rcvd.code}, expected the echo {code}")
    # RFC 6455 §5.5.1 only requires the code to be echoed; the reason may be echoed or empty.
    check(rcvd.reason in (reason, ""), f"unexpected close reason {rcvd.reason!r}")


@case("close_1000_reason")
async def _():
    await close_case(1000, "normal closure, thanks")


@case("close_4000")
async def _():
    await close_case(4000, "application code")


@case("close_no_status")
async def _():
    # An empty Close body: the reply must not carry a code either (it would be 1005 locally).
    async with ws_connect() as ws:
        await echo_once(ws, "before close")
        await ws.close(None)  # websockets sends an empty Close body for code None
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, "no close frame received")
    check(rcvd.code == 1005, f"server replied with code {rcvd.code}, expected an empty body")


@case("protocol_error_reserved_opcode")
async def _():
    # A frame with reserved opcode 0x3: the server must fail the connection with 1002.
    async with ws_connect() as ws:
        writer = ws.transport
        writer.write(bytes([0x83, 0x80, 1, 2, 3, 4]))  # FIN, opcode 3, masked, empty
        await expect_closed(ws, 1002, 10)


@case("invalid_utf8")
async def _():
    async with ws_connect() as ws:
        await ws.send(b"bad \xff\xfe text", text=True)
        await expect_closed(ws, 1007, 10)


@case("fragmented_4MiB_in_64B", timeout=120.0)
async def _():
    # DESIGN.md §5: 65,536 fragments of 64 bytes must pass.
    data = pattern_bytes(4 * MIB)
    frags = [data[i : i + 64] for i in range(0, len(data), 64)]
    await round_trip([frags], [data])


@case("message_too_big")
async def _():
    # A frame header announcing one byte over the 16 MiB limit: the server fails the
    # connection with 1009 (written raw so the client is not mid-write when it closes).
    async with ws_connect() as ws:
        header = bytes([0x82, 0x80 | 127]) + (MAX_MESSAGE + 1).to_bytes(8, "big") + b"\x01\x02\x03\x04"
        ws.transport.write(header + bytes(1024))
        await expect_closed(ws, 1009, 10)


@case("fragmented_too_big")
async def _():
    # 16 MiB in fragments, then one more byte: 1009 for the message, not the frame.
    async with ws_connect() as ws:
        chunk = bytes(MIB)
        try:
            await ws.send([chunk] * 16 + [b"x"])
            await asyncio.wait_for(ws.recv(), 30)
            raise CaseFailure("expected the connection to close")
        except ConnectionClosed:
            pass
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, "no close frame received")
    check(rcvd.code == 1009, f"close code {rcvd.code}, expected 1009")


@case("handshake_rejected")
async def _():
    # A plain HTTP GET without the upgrade headers gets an HTTP error, not a 101.
    host, port = URL.removeprefix("ws://").rstrip("/").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 10)
        parts = status.split()
        check(
            len(parts) >= 2 and parts[0].startswith(b"HTTP/1.") and parts[1][:1] == b"4",
            f"expected a 4xx status line, got {status!r}",
        )
    finally:
        writer.close()


@case("concurrent_50", timeout=60.0)
async def _():
    async def one(i: int) -> None:
        async with ws_connect() as ws:
            for j in range(20):
                m = f"conn {i} msg {j} " + "x" * (j * 37) if j % 2 else pattern_bytes(i * 100 + j)
                await echo_once(ws, m)
            await ws.close()
        check(ws.close_code == 1000, f"connection {i}: close code {ws.close_code}")

    await asyncio.gather(*(one(i) for i in range(50)))


# ---- server process --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, cmd: str, port: int, startup_timeout: float):
        self.cmd = cmd.replace("{port}", str(port))
        self.port = port
        self.startup_timeout = startup_timeout
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = tempfile.TemporaryFile()
        self.drain: asyncio.Task | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *shlex.split(self.cmd),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.stderr,
            start_new_session=True,  # own process group: killed as a whole
        )
        want = f"listening on 127.0.0.1:{self.port}"
        deadline = time.monotonic() + self.startup_timeout
        assert self.proc.stdout is not None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"server did not print {want!r} within {self.startup_timeout:.0f} s")
            try:
                line = await asyncio.wait_for(self.proc.stdout.readline(), left)
            except asyncio.TimeoutError:
                continue
            if not line:
                code = await self.proc.wait()
                raise RuntimeError(f"server exited with {code} before listening")
            if line.decode(errors="replace").strip() == want:
                break
        self.drain = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while await self.proc.stdout.read(65536):
            pass

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def stderr_tail(self, lines: int = 20) -> str:
        """The server's log lines about failures and errors, or its last lines."""
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace").splitlines()
        notable = [t for t in text if "fail" in t.lower() or "error" in t.lower()]
        return "\n".join((notable or text)[-lines:])

    async def stop(self) -> None:
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if self.proc.returncode is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                await asyncio.wait_for(self.proc.wait(), wait)
            except asyncio.TimeoutError:
                pass
        # Stragglers in the group (e.g. a child of a wrapper) go too.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.drain is not None:
            self.drain.cancel()


# ---- permessage-deflate (RFC 7692), with --deflate -------------------------------------------


def negotiated_deflate(ws: ClientConnection) -> bool:
    return any(e.name == "permessage-deflate" for e in ws.protocol.extensions)


@case("deflate_negotiated", deflate_only=True)
async def _():
    async with ws_connect() as ws:
        check(negotiated_deflate(ws), f"extensions negotiated: {ws.protocol.extensions}")
        await echo_once(ws, '{"price": 101.25, "qty": 3}' * 40)
        await ws.close()


@case("deflate_json_feed", timeout=60, deflate_only=True)
async def _():
    async with ws_connect() as ws:
        for size in (0, 1024, MIB, 16 * MIB):
            line = '{"sym":"ACME","bid":101.25,"ask":101.5,"ts":1732000000},'
            text = (line * (size // len(line) + 1))[:size]
            await echo_once(ws, text)
            await echo_once(ws, text.encode())
        await ws.close()


@case("deflate_no_context_takeover", deflate_only=True)
async def _():
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True
    )
    async with ws_connect(compression=None, extensions=[factory]) as ws:
        check(negotiated_deflate(ws), "not negotiated")
        for _ in range(3):
            await echo_once(ws, "same message, again and again " * 20)
        await ws.close()


@case("deflate_small_windows", deflate_only=True)
async def _():
    for bits in (9, 12, 15):
        factory = ClientPerMessageDeflateFactory(server_max_window_bits=bits, client_max_window_bits=bits)
        async with ws_connect(compression=None, extensions=[factory]) as ws:
            check(negotiated_deflate(ws), f"not negotiated with window {bits}")
            await echo_once(ws, pattern_text(300_000))
            await echo_once(ws, pattern_bytes(70_000))
            await ws.close()


@case("deflate_bomb_1009", deflate_only=True)
async def _():
    # 64 MiB of zeros deflates to ~64 KiB: the server must stop inflating at its
    # 16 MiB limit and fail with 1009 (RFC 7692 §8), written raw with RSV1 set.
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = z.compress(bytes(64 * MIB)) + z.flush(zlib.Z_SYNC_FLUSH)
    payload = payload[:-4]
    key = b"\x01\x02\x03\x04"
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    header = bytes([0xC2, 0x80 | 127]) + len(payload).to_bytes(8, "big") + key
    async with ws_connect() as ws:
        check(negotiated_deflate(ws), "not negotiated")
        ws.transport.write(header + masked)
        await expect_closed(ws, 1009, 20)
    # The server keeps serving others.
    await round_trip(["still here"])


# ---- data integrity (issue 9): real-world payloads, compared by SHA-256 ----------------------
#
# The cases above send friendly payloads; these send corpus.py's (compressible and
# multilingual text, U+FEFF, boundary code points, images, random bytes, every boundary
# size) and a long stream of image slices. With --deflate the client's compressor and
# inflater are Python's zlib, independent of the server's, so a server that drops or
# corrupts deflate output shows up here as a digest mismatch or an inflate failure.

STREAM_MESSAGES = 1000
STREAM_SLICE = 64 * 1024
# Messages in flight while streaming: below websockets' receive queue (max_queue, 16), so
# the client never stops reading while it waits to send and the echoes cannot stall.
STREAM_WINDOW = 8


def digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def mismatch(sent: str | bytes, got: str | bytes) -> str | None:
    """Why `got` is not an exact echo of `sent` (type, length, SHA-256, first difference)."""
    if type(got) is not type(sent):
        return f"sent {describe(sent)}, got {describe(got)}"
    if digest(got) == digest(sent):
        return None
    a = sent.encode() if isinstance(sent, str) else sent
    b = got.encode() if isinstance(got, str) else got
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (
        f"sent {len(a)} bytes sha256 {digest(a)[:12]}, got {len(b)} bytes sha256 {digest(b)[:12]}, "
        f"first difference at byte {at}"
    )


def closed_why(ws: ClientConnection) -> str:
    rcvd, sent = ws.protocol.close_rcvd, ws.protocol.close_sent
    why = (
        f"connection closed (server sent {rcvd.code if rcvd else 'no close'}, "
        f"client sent {f'{sent.code} {sent.reason!r}' if sent else 'no close'})"
    )
    if sent is not None and (rcvd is None or ws.protocol.close_rcvd_then_sent is False):
        # websockets fails the connection itself when it cannot inflate an echo, and says
        # 1009 "frame exceeds limit" when inflating leaves output past the message's end.
        why += ": the client could not decode an echo"
    return why


def check_deflate(ws: ClientConnection) -> None:
    # With --deflate an integrity case that silently ran uncompressed would prove nothing.
    if DEFLATE:
        check(negotiated_deflate(ws), f"permessage-deflate not negotiated: {ws.protocol.extensions}")


async def echo_items(items: tuple[tuple[str, str | bytes], ...]) -> None:
    """Echoes every item over one connection, compared by type and SHA-256. After a failure
    it reconnects (a corrupted deflate context poisons what follows), so every item is tried;
    the failure counts them all and names the first six."""
    failures: list[str] = []
    pending = list(items)
    while pending:
        async with ws_connect() as ws:
            check_deflate(ws)
            while pending:
                name, data = pending.pop(0)
                try:
                    await ws.send(data)
                    why = mismatch(data, await ws.recv())
                except ConnectionClosed:
                    why = closed_why(ws)
                if why is not None:
                    failures.append(f"{name}: {why}")
                    break
            if not pending:
                await ws.close()
    shown = "; ".join(failures[:6]) + ("; ..." if len(failures) > 6 else "")
    check(not failures, f"{len(failures)} of {len(items)} items: {shown}")


def integrity_cases() -> None:
    # One case per corpus group, so a failure names the kind of data; sized groups move
    # about 7 MB each way.
    for group in corpus.GROUPS:

        async def group_case(group=group):
            await echo_items(corpus.corpus_groups()[group])

        case(f"integrity_{group}", timeout=90.0)(group_case)


integrity_cases()


@case("integrity_text_bom_fragmented")
async def _():
    # U+FEFF split over fragments and in a second message: a streaming UTF-8 decoder that
    # strips a BOM at the start of its input, or of each message, loses it here.
    async with ws_connect() as ws:
        check_deflate(ws)
        for frags in (["\ufeff", "abc"], ["\ufeff", "\ufeff"], ["x", "\ufeff"]):
            await echo_once(ws, frags, "".join(frags))
        await ws.send([b"\xef", b"\xbb\xbf", b"abc"], text=True)
        reply = await ws.recv()
        check(reply == "\ufeffabc", f"bytes EF | BB BF | abc: got {reply!r}")
        await ws.close()


_STREAM: list[bytes] = []  # built once (about 1 s), shared by the stream cases


def stream_slices() -> list[bytes]:
    if not _STREAM:
        data = corpus.image_stream(STREAM_MESSAGES * STREAM_SLICE)
        _STREAM.extend(data[i : i + STREAM_SLICE] for i in range(0, len(data), STREAM_SLICE))
    return _STREAM


@dataclass
class InflateStats:
    compressed: int = 0  # messages the server sent compressed (RSV1 on the first frame)
    decoded: int = 0  # whole messages through the inflater so far: the index of the next


def watch_inflater(ws: ClientConnection) -> InflateStats:
    """Wraps the negotiated permessage-deflate extension's decode to count messages, so a
    failure to inflate can be pinned to a message (websockets only says the connection
    closed). Counts nothing without the extension."""
    stats = InflateStats()
    for ext in ws.protocol.extensions:
        if ext.name == "permessage-deflate":
            decode = ext.decode

            def counting(frame: Frame, *, max_size: int | None = None, decode=decode) -> Frame:
                data = frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)
                if data and frame.rsv1:
                    stats.compressed += 1
                out = decode(frame, max_size=max_size)
                if data and frame.fin:
                    stats.decoded += 1
                return out

            ext.decode = counting
    return stats


async def stream_case(
    factory: ClientPerMessageDeflateFactory | None = None, takeover: bool = True, window_bits: int = 15
) -> None:
    """1,000 consecutive 64 KiB slices of one noisy greyscale image over one connection,
    STREAM_WINDOW in flight, each echo checked in order by SHA-256. With deflate and context
    takeover every message is compressed against the ones before it, so one dropped byte
    in the server's compressor breaks this message and every later one."""
    kwargs = {} if factory is None else {"compression": None, "extensions": [factory]}
    deflating = DEFLATE or factory is not None
    slices = stream_slices()
    check(len(slices) == STREAM_MESSAGES, f"stream has {len(slices)} slices")
    async with ws_connect(**kwargs) as ws:
        if deflating:
            check(negotiated_deflate(ws), f"permessage-deflate not negotiated: {ws.protocol.extensions}")
            ext = ws.protocol.extensions[0]
            # The server may decline context takeover; then this case would not test it.
            check(
                ext.remote_no_context_takeover != takeover,
                f"server_no_context_takeover={ext.remote_no_context_takeover}, case needs {not takeover}",
            )
            # Python inflates with the window the server agreed to: it must not be larger.
            check(
                ext.remote_max_window_bits <= window_bits,
                f"server_max_window_bits={ext.remote_max_window_bits}, asked for {window_bits}",
            )
        inflated = watch_inflater(ws)
        in_flight: list[int] = []

        def closed(i: int) -> CaseFailure:
            # With deflate the inflater's count names the echo that broke (the close may
            # only surface later, on a send or on the receive of an earlier echo); without
            # it, `i` is the message being sent or awaited.
            at = inflated.decoded if deflating else i
            return CaseFailure(f"message {at} of {STREAM_MESSAGES}: {closed_why(ws)}")

        async def check_next() -> None:
            i = in_flight.pop(0)
            try:
                reply = await ws.recv()
            except ConnectionClosed:
                raise closed(i) from None
            why = mismatch(slices[i], reply)
            check(why is None, f"message {i} of {STREAM_MESSAGES}: {why}")

        for i, data in enumerate(slices):
            try:
                await ws.send(data)
            except ConnectionClosed:
                raise closed(i) from None
            in_flight.append(i)
            if len(in_flight) >= STREAM_WINDOW:
                await check_next()
        while in_flight:
            await check_next()
        await ws.close()
    check(ws.close_code == 1000, f"close code {ws.close_code}, expected 1000")
    if deflating:
        # The server's compressor must actually have run (RFC 7692 lets a sender skip it).
        check(inflated.compressed > 0, "the server sent no message compressed")


@case("integrity_stream_1000x64KiB", timeout=180.0)
async def _():
    # Plain, or with --deflate the default offer: context takeover both ways, 15-bit windows.
    await stream_case()


@case("deflate_stream_no_context_takeover", timeout=180.0, deflate_only=True)
async def _():
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True, compress_settings={"memLevel": 5}
    )
    await stream_case(factory, takeover=False)


@case("deflate_stream_window_bits_9", timeout=180.0, deflate_only=True)
async def _():
    # The smallest window zlib takes: Python inflates with a 512-byte window, so a server
    # compressor that reaches further back than it agreed to fails here.
    factory = ClientPerMessageDeflateFactory(
        server_max_window_bits=9, client_max_window_bits=9, compress_settings={"memLevel": 5}
    )
    await stream_case(factory, window_bits=9)


async def run(args: argparse.Namespace) -> int:
    global URL
    port = free_port()
    URL = f"ws://127.0.0.1:{port}/"
    server = Server(args.server_cmd, port, args.startup_timeout)
    passed = failed = 0
    try:
        try:
            await server.start()
        except Exception as e:  # noqa: BLE001 - any startup problem is one failure
            print(f"FAIL server_start: {e}", flush=True)
            tail = server.stderr_tail()
            if tail:
                print("server stderr (tail):\n" + tail, flush=True)
            print("0 passed, 1 failed", flush=True)
            return 1
        selected = [
            c
            for c in CASES
            if (not args.only or any(s in c[0] for s in args.only)) and (DEFLATE or c[0] not in DEFLATE_CASES)
        ]
        for name, fn, timeout in selected:
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(fn(), timeout)
            except CaseFailure as e:
                why = str(e)
            except asyncio.TimeoutError:
                why = f"timed out after {timeout:.0f} s"
            except Exception as e:  # noqa: BLE001 - report any error as the case's failure
                why = f"{type(e).__name__}: {e}"
            else:
                why = None
            if why is None and not server.alive():
                why = f"server exited with {server.proc.returncode}"
            ms = (time.monotonic() - t0) * 1000
            if why is None:
                passed += 1
                print(f"ok {name}" + (f" ({ms:.0f} ms)" if args.verbose else ""), flush=True)
            else:
                failed += 1
                print(f"FAIL {name}: {why}", flush=True)
            if not server.alive():
                break
        if failed:
            tail = server.stderr_tail()
            if tail:
                print("server stderr (tail):\n" + tail, flush=True)
    finally:
        await server.stop()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server-cmd", required=True, help="server command line; {port} is replaced")
    p.add_argument("--startup-timeout", type=float, default=60.0, help="seconds to wait for 'listening on'")
    p.add_argument("--only", action="append", help="run only cases whose name contains this (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each case's duration")
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate; run the deflate cases")
    args = p.parse_args()
    global DEFLATE
    DEFLATE = args.deflate
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
