#!/usr/bin/env python3
"""Adversarial mini-check: slow and stalled handshakes must not hold up other clients.

    slowloris.py --server-cmd "build/bin/wsframe-echo-server --port {port}" [--handshake-timeout 10]

Starts the server on a free 127.0.0.1 port (its own process group, stopped by PID), then:
a client that sends its handshake one byte per second while others are served promptly;
50 connections stalled mid-request while others are served; a whole session written one
byte per write; and the slow client dropped once the server's handshake timeout passes.
Prints `ok NAME` / `FAIL NAME: why` and `N passed, N failed`; exits non-zero on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import shlex
import signal
import socket
import sys
import time

from websockets.asyncio.client import connect

REQUEST = (
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
).encode()


class CaseFailure(Exception):
    pass


def check(cond: bool, why: str) -> None:
    if not cond:
        raise CaseFailure(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The server under test, in its own process group; stopped (and killed) by PID."""

    def __init__(self, cmd: str):
        self.port = free_port()
        self.cmd = cmd.replace("{port}", str(self.port))
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 60.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *shlex.split(self.cmd), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
        )
        assert self.proc.stdout is not None
        want = f"listening on 127.0.0.1:{self.port}".encode()
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if line.strip() != want:
            raise RuntimeError(f"server printed {line!r}, expected {want!r}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
                return
            except asyncio.TimeoutError:
                continue


async def echo_clients(url: str, clients: int, messages: int) -> float:
    """`clients` concurrent clients each echo `messages` messages; returns the seconds taken."""
    t0 = time.monotonic()

    async def one(i: int) -> None:
        async with connect(url, open_timeout=5, close_timeout=5, ping_interval=None, proxy=None) as ws:
            for j in range(messages):
                await ws.send(f"client {i} message {j}")
                reply = await asyncio.wait_for(ws.recv(), 5)
                check(reply == f"client {i} message {j}", f"echo {reply!r}")

    await asyncio.gather(*(one(i) for i in range(clients)))
    return time.monotonic() - t0


async def main_async(args: argparse.Namespace) -> int:
    server = Server(args.server_cmd)
    passed = failed = 0
    url = f"ws://127.0.0.1:{server.port}/"
    slow_writer: asyncio.StreamWriter | None = None
    slow_reader: asyncio.StreamReader | None = None
    slow_started = 0.0
    slow_task: asyncio.Task | None = None

    async def slow_feed() -> None:
        assert slow_writer is not None
        for b in REQUEST:
            slow_writer.write(bytes([b]))
            try:
                await slow_writer.drain()
            except ConnectionError:
                return
            await asyncio.sleep(1.0)

    async def case_slowloris_does_not_block():
        nonlocal slow_reader, slow_writer, slow_started, slow_task
        slow_reader, slow_writer = await asyncio.open_connection("127.0.0.1", server.port)
        slow_started = time.monotonic()
        slow_task = asyncio.ensure_future(slow_feed())
        await asyncio.sleep(1.5)  # a couple of bytes in
        took = await echo_clients(url, 5, 20)
        check(took < 3.0, f"5 clients x 20 echoes took {took:.1f} s beside the slowloris")

    async def case_stalled_handshakes():
        stalled = []
        for _ in range(50):
            r, w = await asyncio.open_connection("127.0.0.1", server.port)
            w.write(REQUEST[: len(REQUEST) // 2])
            await w.drain()
            stalled.append(w)
        try:
            took = await echo_clients(url, 10, 10)
            check(took < 3.0, f"10 clients x 10 echoes took {took:.1f} s beside 50 stalled handshakes")
        finally:
            for w in stalled:
                w.close()

    async def case_byte_at_a_time():
        # A valid session written one byte per write: handshake, a masked "hi", a Close.
        key = b"\x01\x02\x03\x04"
        frame = bytes([0x81, 0x82]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(b"hi"))
        close = bytes([0x88, 0x82]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(b"\x03\xe8"))
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        for b in REQUEST + frame + close:
            writer.write(bytes([b]))
            await writer.drain()
            await asyncio.sleep(0.001)
        data = await asyncio.wait_for(reader.read(-1), 10)  # until the server closes
        writer.close()
        head, _, frames = data.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 101 "), f"response {head[:40]!r}")
        accept = base64.b64encode(hashlib.sha1(b"dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        check(accept in head, "wrong Sec-WebSocket-Accept")
        check(frames == bytes([0x81, 0x02]) + b"hi" + bytes([0x88, 0x02, 0x03, 0xE8]), f"frames {frames.hex()}")

    async def case_slowloris_dropped():
        assert slow_reader is not None
        left = slow_started + args.handshake_timeout + 3.0 - time.monotonic()
        try:
            data = await asyncio.wait_for(slow_reader.read(-1), max(left, 0.1))
        except asyncio.TimeoutError:
            raise CaseFailure(f"still open {args.handshake_timeout + 3:.0f} s after connecting") from None
        except ConnectionError:
            data = b""
        after = time.monotonic() - slow_started
        check(after >= args.handshake_timeout - 1.0, f"dropped after {after:.1f} s, before the timeout")
        check(b"101" not in data, "the slow client was upgraded")

    cases = [
        ("a 1-byte-per-second handshake does not block other clients", case_slowloris_does_not_block),
        ("50 stalled handshakes do not block other clients", case_stalled_handshakes),
        ("a session written one byte per write is served", case_byte_at_a_time),
        (f"the slow client is dropped by the {args.handshake_timeout:.0f} s handshake timeout", case_slowloris_dropped),
    ]
    try:
        try:
            await server.start()
        except Exception as e:  # noqa: BLE001 - a failed start is one failure
            print(f"FAIL server_start: {e}")
            print("0 passed, 1 failed")
            return 1
        print(f"slowloris checks -> {server.cmd}", flush=True)
        for name, fn in cases:
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(fn(), 30)
                why = None
            except CaseFailure as e:
                why = str(e)
            except Exception as e:  # noqa: BLE001 - any error is the case's failure
                why = f"{type(e).__name__}: {e}"
            if why is None and not server.alive():
                why = "the server exited"
            if why is None:
                passed += 1
                print(f"ok {name} ({(time.monotonic() - t0) * 1000:.0f} ms)", flush=True)
            else:
                failed += 1
                print(f"FAIL {name}: {why}", flush=True)
    finally:
        if slow_task is not None:
            slow_task.cancel()
        if slow_writer is not None:
            slow_writer.close()
        await server.stop()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server-cmd", required=True, help="server command line; {port} is replaced")
    p.add_argument("--handshake-timeout", type=float, default=10.0, help="the server's handshake timeout, seconds")
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
