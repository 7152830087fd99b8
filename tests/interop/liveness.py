#!/usr/bin/env python3
"""Liveness of a wsframe client (DESIGN.md §5): heartbeat and reconnect, against servers
this script controls (Python `websockets`, and a raw TCP server that accepts the upgrade,
then never answers).

    liveness.py --client-cmd "target/release/examples/echo_client --url {url}"

The client is run with `--heartbeat SECS` and/or `--reconnect` appended, its stdin a pipe,
and its output lines read as they come (`connected: URL`, `reconnect: attempt N in D ms`,
`closed: ...`, `heartbeat: ping`, `heartbeat: peer dead after D ms`, `< text`). Cases:

- a server that drops every connection (no Close: abnormal, 1006), then stays down for
  5.5 s: the client reconnects, and every delay follows the policy of wsframe::backoff
  (attempt 1 uniform in 0-5 s, attempt n >= 2 in [w/2, w] with w = 5 s * 2^(n-2)), and
  the time it really waited matches the delay it printed;
- a server that completes the handshake and then goes silent: with --heartbeat 1 the
  client pings after 1 s and declares the peer dead 1 s later, then reconnects;
- a clean close (1000, 1001) ends the client without a reconnect; 1012 (service restart)
  makes it reconnect;
- stdin lines are echoed, and the end of stdin closes with 1000 and exits 0;
- a Close at the end of stdin that the server answers by cutting TCP is an abnormal
  closure: `closed: abnormal (...)` and exit status 1.

Every server is on 127.0.0.1 with a free port; every case has a time limit; the client's
process group is killed at the end of each case. Last line: `N passed, N failed`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import re
import shlex
import signal
import socket
import sys
import time
from typing import Awaitable, Callable

from websockets.asyncio.server import ServerConnection, serve

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
FIRST_WINDOW_MS = 5000
# The delay the client printed against the time it really waited: scheduling and a
# failed connect's own time come on top, never off.
SLACK_BEFORE_MS = 150
SLACK_AFTER_MS = 1500


class CaseFailure(Exception):
    pass


def check(cond: bool, why: str) -> None:
    if not cond:
        raise CaseFailure(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """The client under test, its output lines stamped with the time they arrived."""

    def __init__(self, cmd: str, url: str, extra: list[str]):
        self.argv = shlex.split(cmd.replace("{url}", url)) + extra
        self.lines: list[tuple[float, str]] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._new = asyncio.Event()

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        while line := await self.proc.stdout.readline():
            self.lines.append((time.monotonic(), line.decode(errors="replace").rstrip("\n")))
            self._new.set()

    async def wait_for(self, pattern: str, timeout: float, after: int = 0) -> tuple[int, float, re.Match]:
        """The first output line from index `after` on that matches `pattern`."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        i = after
        while True:
            while i < len(self.lines):
                m = rx.search(self.lines[i][1])
                if m:
                    return i, self.lines[i][0], m
                i += 1
            left = deadline - time.monotonic()
            if left <= 0:
                raise CaseFailure(f"no line matching {pattern!r} in {timeout} s; output: {self.output()}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except asyncio.TimeoutError:
                pass

    def output(self) -> str:
        return " | ".join(line for _, line in self.lines[-12:])

    def send_line(self, line: str) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(line.encode() + b"\n")

    def end_stdin(self) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.close()

    async def wait_exit(self, timeout: float) -> int:
        assert self.proc
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            raise CaseFailure(f"client still running after {timeout} s; output: {self.output()}")

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await self.proc.wait()


class EchoServer:
    """A websockets echo server that can drop its connections without a Close."""

    def __init__(self, port: int, on_connect: Callable[[ServerConnection], Awaitable[None]] | None = None):
        self.port = port
        self.on_connect = on_connect
        self.server = None
        self.connections: set[ServerConnection] = set()

    async def handler(self, ws: ServerConnection) -> None:
        self.connections.add(ws)
        try:
            if self.on_connect:
                await self.on_connect(ws)
            async for message in ws:
                await ws.send(message)
        except Exception:
            pass
        finally:
            self.connections.discard(ws)

    async def start(self) -> None:
        self.server = await serve(self.handler, "127.0.0.1", self.port, ping_interval=None)

    async def drop(self) -> None:
        """Stops listening and cuts every connection at the TCP level: no Close frame."""
        for ws in list(self.connections):
            ws.transport.abort()
        if self.server:
            self.server.close(close_connections=False)
            await self.server.wait_closed()
            self.server = None


def check_delay(attempt: int, delay: int, max_ms: int) -> None:
    if attempt == 1:
        lo, hi = 0, min(FIRST_WINDOW_MS, max_ms)
    else:
        hi = min(FIRST_WINDOW_MS * 2 ** (attempt - 2), max_ms)
        lo = hi // 2
    check(lo <= delay <= hi, f"attempt {attempt}: delay {delay} ms outside [{lo}, {hi}]")


CASES: list[tuple[str, Callable[[str], Awaitable[None]], float]] = []


def case(name: str, timeout: float):
    def register(fn):
        CASES.append((name, fn, timeout))
        return fn

    return register


@case("reconnect_after_the_server_drops_and_restarts", 30)
async def _(cmd: str) -> None:
    port = free_port()
    server = EchoServer(port)
    await server.start()
    client = Client(cmd, f"ws://127.0.0.1:{port}/", ["--reconnect", "--reconnect-max", "30"])
    try:
        await client.start()
        await client.wait_for(r"^connected: ", 10)
        client.send_line("before")
        await client.wait_for(r"^< before$", 5)
        await server.drop()
        i, _, _ = await client.wait_for(r"^closed: abnormal", 5)
        # Down for 5.5 s: the first attempt (at most 5 s) fails, a later one connects.
        restart = asyncio.create_task(asyncio.sleep(5.5))
        attempts = []
        while True:
            i, t_line, m = await client.wait_for(r"^reconnect: attempt (\d+) in (\d+) ms|^connected: ", 20, i + 1)
            if m.group(0).startswith("connected"):
                break
            attempt, delay = int(m.group(1)), int(m.group(2))
            check_delay(attempt, delay, 30_000)
            attempts.append((attempt, delay, t_line))
            if restart.done() and server.server is None:
                await server.start()
            # The next line (a failed connect or the connection) comes after the delay.
            j, t_next, _ = await client.wait_for(r"^(closed|connected): ", 20, i + 1)
            waited = (t_next - t_line) * 1000
            check(
                delay - SLACK_BEFORE_MS <= waited <= delay + SLACK_AFTER_MS,
                f"attempt {attempt}: printed {delay} ms, waited {waited:.0f} ms",
            )
            if not restart.done():
                await restart
            if server.server is None:
                await server.start()
            i = j - 1
        check([a for a, _, _ in attempts] == list(range(1, len(attempts) + 1)), f"attempts {attempts}")
        check(len(attempts) >= 2, f"the server was down 5.5 s, so attempt 1 had to fail: {attempts}")
        client.send_line("after")
        await client.wait_for(r"^< after$", 5)
        print(f"  delays: {', '.join(f'attempt {a} {d} ms' for a, d, _ in attempts)}")
    finally:
        await client.stop()
        await server.drop()


async def accept_upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Reads the client's request and answers 101 with the right Sec-WebSocket-Accept."""
    head = await reader.readuntil(b"\r\n\r\n")
    key = re.search(rb"(?im)^sec-websocket-key:\s*(\S+)", head)
    accept = base64.b64encode(hashlib.sha1(key.group(1) + GUID.encode()).digest()) if key else b""
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    await writer.drain()


async def silent_server(port: int, accepted: list[float]) -> asyncio.base_events.Server:
    """Completes the opening handshake, then reads and ignores everything: no Pong."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_upgrade(reader, writer)
        accepted.append(time.monotonic())
        try:
            while await reader.read(4096):
                pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port)


@case("heartbeat_declares_a_silent_server_dead_then_reconnects", 20)
async def _(cmd: str) -> None:
    port = free_port()
    accepted: list[float] = []
    server = await silent_server(port, accepted)
    client = Client(cmd, f"ws://127.0.0.1:{port}/", ["--heartbeat", "1", "--reconnect"])
    try:
        await client.start()
        i, t_conn, _ = await client.wait_for(r"^connected: ", 10)
        i, t_ping, _ = await client.wait_for(r"^heartbeat: ping$", 5, i + 1)
        i, t_dead, _ = await client.wait_for(r"^heartbeat: peer dead", 5, i + 1)
        ping_after, dead_after = t_ping - t_conn, t_dead - t_conn
        check(0.9 <= ping_after <= 1.6, f"ping {ping_after:.2f} s after connecting, expected about 1 s")
        check(1.9 <= dead_after <= 2.8, f"declared dead {dead_after:.2f} s after connecting, expected about 2 s")
        i, _, m = await client.wait_for(r"^reconnect: attempt 1 in (\d+) ms", 5, i + 1)
        check_delay(1, int(m.group(1)), 30_000)
        await client.wait_for(r"^connected: ", 10, i + 1)
        check(len(accepted) >= 2, f"the server saw {len(accepted)} connections")
        print(f"  ping after {ping_after:.2f} s, dead after {dead_after:.2f} s (interval 1 s + timeout 1 s)")
    finally:
        await client.stop()
        server.close()


async def closing_server_case(cmd: str, code: int, reconnects: bool) -> None:
    port = free_port()
    closes = 0

    async def close_at_once(ws: ServerConnection) -> None:
        nonlocal closes
        closes += 1
        await ws.close(code, "bye")

    server = EchoServer(port, close_at_once)
    await server.start()
    client = Client(cmd, f"ws://127.0.0.1:{port}/", ["--reconnect"])
    try:
        await client.start()
        i, _, _ = await client.wait_for(r"^connected: ", 10)
        i, _, _ = await client.wait_for(rf"^closed: {code} ", 5, i + 1)
        if reconnects:
            i, _, m = await client.wait_for(r"^reconnect: attempt 1 in (\d+) ms", 5, i + 1)
            check_delay(1, int(m.group(1)), 30_000)
            await client.wait_for(r"^connected: ", 10, i + 1)
        else:
            status = await client.wait_exit(5)
            check(status == 0, f"exit status {status}")
            check(not any("reconnect" in line for _, line in client.lines), f"reconnected: {client.output()}")
    finally:
        await client.stop()
        await server.drop()


@case("clean_close_1000_does_not_reconnect", 20)
async def _(cmd: str) -> None:
    await closing_server_case(cmd, 1000, reconnects=False)


@case("going_away_1001_does_not_reconnect", 20)
async def _(cmd: str) -> None:
    await closing_server_case(cmd, 1001, reconnects=False)


@case("service_restart_1012_reconnects", 20)
async def _(cmd: str) -> None:
    await closing_server_case(cmd, 1012, reconnects=True)


@case("stdin_lines_are_echoed_and_its_end_closes_with_1000", 20)
async def _(cmd: str) -> None:
    port = free_port()
    server = EchoServer(port)
    await server.start()
    client = Client(cmd, f"ws://127.0.0.1:{port}/", ["--heartbeat", "5"])
    try:
        await client.start()
        await client.wait_for(r"^connected: ", 10)
        for line in ["one", "twö", "\u202fthree 🦀"]:
            client.send_line(line)
            await client.wait_for("^< " + re.escape(line) + "$", 5)
        client.end_stdin()
        await client.wait_for(r"^closed: 1000", 5)
        status = await client.wait_exit(5)
        check(status == 0, f"exit status {status}")
    finally:
        await client.stop()
        await server.drop()


@case("unanswered_close_after_stdin_ends_exits_non_zero", 20)
async def _(cmd: str) -> None:
    # The end of stdin sends a Close; this server cuts TCP instead of answering it, so
    # the closing handshake never completes: an abnormal closure, exit status 1 (no
    # --reconnect: nothing to retry; a heartbeat too slow to fire here).
    port = free_port()
    closed = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_upgrade(reader, writer)
        try:
            while data := await reader.read(4096):
                # A masked client Close: FIN + opcode 8 in the first byte of a frame.
                if data[0] == 0x88:
                    closed.set()
                    break
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    client = Client(cmd, f"ws://127.0.0.1:{port}/", ["--heartbeat", "60"])
    try:
        await client.start()
        await client.wait_for(r"^connected: ", 10)
        client.end_stdin()
        await asyncio.wait_for(closed.wait(), 5)
        await client.wait_for(r"^closed: abnormal ", 5)
        status = await client.wait_exit(5)
        check(status == 1, f"exit status {status}")
    finally:
        await client.stop()
        server.close()


async def run(cmd: str, only: str | None) -> int:
    passed = failed = 0
    for name, fn, timeout in CASES:
        if only and only not in name:
            continue
        started = time.monotonic()
        try:
            await asyncio.wait_for(fn(cmd), timeout)
            passed += 1
            print(f"ok {name} ({time.monotonic() - started:.1f} s)")
        except (CaseFailure, asyncio.TimeoutError, OSError) as e:
            failed += 1
            print(f"FAIL {name}: {e or 'timed out'}")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--client-cmd", required=True, help="the client; {url} is replaced")
    p.add_argument("--only", help="run the cases whose name contains this")
    args = p.parse_args()
    return asyncio.run(run(args.client_cmd, args.only))


if __name__ == "__main__":
    sys.exit(main())
