#!/usr/bin/env python3
"""A small stand-in for the Autobahn|Testsuite fuzzingserver, to test an Autobahn client.

    mock_fuzzingserver.py --client-cmd "build/bin/wsframe-autobahn-client --url ws://127.0.0.1:{port} --agent wsframe-c"

Serves the fuzzingserver's client protocol with Python `websockets` on a free 127.0.0.1
port: /getCaseCount answers with the number of cases as a text message, /runCase?case=N
&agent=A runs case N (messages whole and fragmented, pings, protocol violations that the
client must fail with the right close code) and records its verdict, /updateReports?agent=A
records that the reports were asked for. Runs the client command ({port} replaced) with a
time limit, then checks the client's exit status and every recorded verdict. Prints
`ok NAME` / `FAIL NAME: why` per check and `N passed, N failed`; exits non-zero on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import sys
from typing import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MIB = 1 << 20


class CaseFailure(Exception):
    pass


def check(cond: bool, why: str) -> None:
    if not cond:
        raise CaseFailure(why)


async def expect_echo(ws: ServerConnection, sent, expected=None) -> None:
    """Sends `sent` (str, bytes, or a list of fragments) and checks the client's echo."""
    if expected is None:
        expected = sent
    await ws.send(sent)
    reply = await asyncio.wait_for(ws.recv(), 20)
    check(type(reply) is type(expected), f"sent {type(expected).__name__}, echo is {type(reply).__name__}")
    check(reply == expected, f"echo of a {len(expected)}-long {type(expected).__name__} differs")


async def close_and_expect(ws: ServerConnection, code: int, reason: str = "") -> None:
    await ws.close(code, reason)
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, "no Close from the client")
    check(rcvd.code == code, f"client answered our Close {code} with {rcvd.code}")


async def expect_failure(ws: ServerConnection, raw_frame: bytes, code: int) -> None:
    """Writes a raw (unmasked, server-side) frame that breaks RFC 6455; the client must
    fail the connection with `code`."""
    ws.transport.write(raw_frame)
    try:
        await asyncio.wait_for(ws.recv(), 10)
        raise CaseFailure("the client kept the connection open")
    except ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    check(rcvd is not None, "no Close from the client")
    check(rcvd.code == code, f"client closed with {rcvd.code}, expected {code}")


async def case_whole(ws: ServerConnection) -> None:
    for m in ["Hello, wsframe", "héllo wörld ✓ 😀", "", b"\x00\x01\xfe\xff", b"", bytes(range(256)) * 300]:
        await expect_echo(ws, m)
    await close_and_expect(ws, 1000)


async def case_fragmented(ws: ServerConnection) -> None:
    await expect_echo(ws, ["frag", "mented ", "text"], "fragmented text")
    # A character split across fragments (RFC 6455 §5.6: valid as a whole).
    await ws.send([b"price: \xe2\x82", b"\xac 5"], text=True)
    reply = await asyncio.wait_for(ws.recv(), 20)
    check(reply == "price: € 5", f"echo {reply!r}")
    data = bytes(i % 251 for i in range(MIB))
    await expect_echo(ws, [data[i : i + 65536] for i in range(0, len(data), 65536)], data)
    await close_and_expect(ws, 1000)


async def case_control(ws: ServerConnection) -> None:
    for payload in [b"", b"ping", bytes(125)]:
        pong = await ws.ping(payload)  # resolves on a Pong with the same payload
        await asyncio.wait_for(pong, 10)

    async def fragments():
        yield "before the ping, "
        pong = await ws.ping(b"mid-message")
        await asyncio.wait_for(pong, 10)
        yield "after it"

    await ws.send(fragments())
    reply = await asyncio.wait_for(ws.recv(), 20)
    check(reply == "before the ping, after it", f"echo {reply!r}")
    await close_and_expect(ws, 4000, "application code")


async def case_reserved_opcode(ws: ServerConnection) -> None:
    await expect_echo(ws, "still fine")
    await expect_failure(ws, bytes([0x83, 0x00]), 1002)  # opcode 0x3 is reserved (RFC 6455 §5.2)


async def case_invalid_utf8(ws: ServerConnection) -> None:
    await expect_failure(ws, bytes([0x81, 0x04]) + b"a\xff\xfeb", 1007)  # RFC 6455 §8.1


async def case_large(ws: ServerConnection) -> None:
    data = bytes(i * 7 % 256 for i in range(256)) * (4 * MIB // 256)
    await expect_echo(ws, [data[i : i + 64] for i in range(0, len(data), 64)], data)  # 65,536 fragments
    await expect_echo(ws, "x" * (2 * MIB))
    await close_and_expect(ws, 1000)


CASES: list[tuple[str, Callable[[ServerConnection], Awaitable[None]]]] = [
    ("text and binary messages echoed whole", case_whole),
    ("fragmented messages reassembled", case_fragmented),
    ("pings answered, also between fragments; close 4000 echoed", case_control),
    ("reserved opcode from the server fails with 1002", case_reserved_opcode),
    ("invalid UTF-8 from the server fails with 1007", case_invalid_utf8),
    ("4 MiB in 64-byte fragments and a 2 MiB text", case_large),
]


class Mock:
    def __init__(self) -> None:
        self.count_requests = 0
        self.verdicts: dict[int, str | None] = {}  # case number -> None (passed) or why
        self.agents: set[str] = set()
        self.report_agents: list[str] = []
        self.unknown: list[str] = []

    async def handler(self, ws: ServerConnection) -> None:
        url = urlsplit(ws.request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/getCaseCount":
            self.count_requests += 1
            await ws.send(str(len(CASES)))
            await ws.close()
        elif url.path == "/runCase":
            n = int(query.get("case", "0"))
            self.agents.add(query.get("agent", ""))
            if not 1 <= n <= len(CASES):
                self.unknown.append(ws.request.path)
                await ws.close(1008)
                return
            try:
                await asyncio.wait_for(CASES[n - 1][1](ws), 60)
                self.verdicts[n] = None
            except CaseFailure as e:
                self.verdicts[n] = str(e)
            except Exception as e:  # noqa: BLE001 - any error is the case's verdict
                self.verdicts[n] = f"{type(e).__name__}: {e}"
        elif url.path == "/updateReports":
            self.report_agents.append(query.get("agent", ""))
            await ws.close()
        else:
            self.unknown.append(ws.request.path)
            await ws.close(1008)


async def run_client(cmd: str, timeout: float) -> tuple[int | None, str]:
    proc = await asyncio.create_subprocess_exec(
        *shlex.split(cmd),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed by PID on timeout
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        return proc.returncode, out.decode(errors="replace")
    except asyncio.TimeoutError:
        os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        return None, f"timed out after {timeout:.0f} s"


async def main_async(args: argparse.Namespace) -> int:
    mock = Mock()
    async with serve(mock.handler, "127.0.0.1", 0, max_size=16 * MIB, ping_interval=None, close_timeout=5) as server:
        port = server.sockets[0].getsockname()[1]
        cmd = args.client_cmd.replace("{port}", str(port))
        print(f"mock fuzzingserver on 127.0.0.1:{port}; client: {cmd}", flush=True)
        status, output = await run_client(cmd, args.timeout)

    results: list[tuple[str, str | None]] = []
    results.append(("client exits 0", None if status == 0 else f"exit status {status}; output:\n{output[-2000:]}"))
    results.append(("getCaseCount requested once", None if mock.count_requests == 1 else f"{mock.count_requests} times"))
    for n, (name, _) in enumerate(CASES, 1):
        why = mock.verdicts.get(n, "case never run")
        results.append((f"case {n}: {name}", why))
    results.append(("runCase carried the agent", None if mock.agents == {args.agent} else f"agents {mock.agents}"))
    results.append((
        "updateReports requested for the agent",
        None if mock.report_agents == [args.agent] else f"requests: {mock.report_agents}",
    ))
    results.append(("no unknown requests", None if not mock.unknown else f"{mock.unknown}"))

    passed = failed = 0
    for name, why in results:
        if why is None:
            passed += 1
            print(f"ok {name}", flush=True)
        else:
            failed += 1
            print(f"FAIL {name}: {why}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client-cmd", required=True, help="client command line; {port} is replaced")
    p.add_argument("--agent", default="wsframe-c", help="the agent name the client was given")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds the client may run")
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
