#!/usr/bin/env python3
"""Interop test: the C line clients against a Python `websockets` echo server on 127.0.0.1.

    client_test.py --client build/bin/wsframe-client
    client_test.py --tls --client build/bin/wsframe-wss-client

The client gets stdin lines and must print each echo as `< text` (wsframe-client between
its `connected: URL` and `closed: CODE "REASON"` lines), answer the server's pings, print
binary messages as `< [binary, N bytes]`, close with 1000 at the end of stdin and exit 0;
a server-initiated close ends it too. With --tls the server speaks TLS with a self-signed
certificate made for this run (`openssl req`), and the cases cover
certificate verification: --cafile accepts it, --insecure skips the check, the system store
and a wrong host name refuse it. Prints `ok NAME` / `FAIL NAME: why` and
`N passed, N failed`; exits non-zero on failure. Every client runs with a time limit and is
killed by PID if it overruns.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MIB = 1 << 20


@dataclass
class Seen:
    """What the server observed, per path."""

    messages: dict[str, list] = field(default_factory=dict)
    close_codes: dict[str, int | None] = field(default_factory=dict)
    pongs: dict[str, bool] = field(default_factory=dict)


SEEN = Seen()


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path
    got = SEEN.messages.setdefault(path, [])
    if path == "/ping":
        pong = await ws.ping(b"are you there")
        try:
            await asyncio.wait_for(pong, 10)
            SEEN.pongs[path] = True
        except asyncio.TimeoutError:
            SEEN.pongs[path] = False
    try:
        async for message in ws:
            got.append(message)
            await ws.send(message)
            if path == "/binary":
                await ws.send(bytes(range(10)))  # data that arrives while the client closes
            if path == "/server-closes" and len(got) == 2:
                await ws.close(4001, "enough")
                break
    except ConnectionClosed:
        pass  # a Close crossed our echo: the client decides when it has what it needs
    finally:
        rcvd = ws.protocol.close_rcvd
        SEEN.close_codes[path] = rcvd.code if rcvd is not None else None


@dataclass
class Run:
    status: int | None
    stdout: str
    stderr: str


async def run_client(argv: list[str], stdin: bytes, timeout: float = 30.0) -> Run:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # killed as a group, by PID, on timeout
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
        return Run(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
    except asyncio.TimeoutError:
        os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        return Run(None, "", f"timed out after {timeout:.0f} s")


class CaseFailure(Exception):
    pass


def check(cond: bool, why: str) -> None:
    if not cond:
        raise CaseFailure(why)


# wsframe-client prints its events on stdout too (DESIGN.md §5): `connected: URL` first
# and `closed: CODE "REASON"` last; wsframe-wss-client reports them on stderr.
EVENTS = True


def expect_clean(run: Run, expected_stdout: str, closed: str = 'closed: 1000 ""') -> None:
    check(run.status == 0, f"exit status {run.status}; stderr: {run.stderr.strip()[-500:]}")
    stdout = run.stdout
    if EVENTS:
        first, _, stdout = stdout.partition("\n")
        check(first.startswith("connected: ws://127.0.0.1:"), f"first line {first[:200]!r}")
        check(stdout.endswith(f"{closed}\n"), f"last line of {stdout[-200:]!r}, expected {closed!r}")
        stdout = stdout[: len(stdout) - len(closed) - 1]
    check(stdout == expected_stdout, f"stdout {stdout[:300]!r}, expected {expected_stdout[:300]!r}")


def make_cert(tmp: str) -> tuple[str, str]:
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )
    return cert, key


async def main_async(args: argparse.Namespace) -> int:
    global EVENTS
    EVENTS = not args.tls
    client = shlex.split(args.client)
    scheme = "wss" if args.tls else "ws"
    tmp = tempfile.mkdtemp(prefix="wsframe-client-test-")
    ssl_ctx = None
    extra: list[str] = []
    if args.tls:
        cert, key = make_cert(tmp)
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.load_cert_chain(cert, key)
        extra = ["--cafile", cert]

    cases = []

    def case(name):
        def register(fn):
            cases.append((name, fn))
            return fn

        return register

    async with serve(handler, "127.0.0.1", 0, ssl=ssl_ctx, max_size=16 * MIB, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        base = f"{scheme}://127.0.0.1:{port}"
        print(f"{os.path.basename(client[0])} -> Python websockets {'TLS ' if args.tls else ''}echo server on {base}")

        @case("lines echoed, closed with 1000")
        async def _():
            lines = ["hello", "héllo wörld ✓", "", "日本語 😀", "last line without a newline"]
            run = await run_client([*client, "--url", base + "/lines", *extra], ("\n".join(lines)).encode())
            expect_clean(run, "".join(f"< {line}\n" for line in lines))
            check(SEEN.messages["/lines"] == lines, f"server got {SEEN.messages['/lines']!r}")
            check(SEEN.close_codes["/lines"] == 1000, f"close code {SEEN.close_codes['/lines']}")

        @case("CRLF lines and a 1 MiB line")
        async def _():
            big = "x" * MIB
            run = await run_client([*client, "--url", base + "/big", *extra], f"a\r\n{big}\r\nb\n".encode())
            expect_clean(run, f"< a\n< {big}\n< b\n")

        @case("server ping answered with the same payload")
        async def _():
            run = await run_client([*client, "--url", base + "/ping", *extra], b"after the ping\n")
            expect_clean(run, "< after the ping\n")
            check(SEEN.pongs.get("/ping") is True, "no matching pong")

        @case("binary message printed as its size")
        async def _():
            run = await run_client([*client, "--url", base + "/binary", *extra], b"text\n")
            expect_clean(run, "< text\n< [binary, 10 bytes]\n")

        @case("server-initiated close (4001) ends the client cleanly")
        async def _():
            # stdin stays open: the server's Close must end the session by itself.
            argv = [*client, "--url", base + "/server-closes", *extra]
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True,
            )
            try:
                assert proc.stdin is not None
                proc.stdin.write(b"one\ntwo\n")
                await proc.stdin.drain()
                out, err = await asyncio.wait_for(proc.communicate(), 20)
            except asyncio.TimeoutError:
                os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
                raise CaseFailure("the client did not exit after the server's Close")
            expect_clean(Run(proc.returncode, out.decode(), err.decode()), "< one\n< two\n", 'closed: 4001 "enough"')
            check(SEEN.close_codes["/server-closes"] == 4001, f"client answered with {SEEN.close_codes['/server-closes']}")

        @case("invalid UTF-8 line skipped, the rest still sent")
        async def _():
            run = await run_client([*client, "--url", base + "/utf8", *extra], b"ok 1\nbad \xff\nok 2\n")
            expect_clean(run, "< ok 1\n< ok 2\n")

        if args.tls:

            @case("--insecure accepts the self-signed certificate")
            async def _():
                run = await run_client([*client, "--url", base + "/insecure", "--insecure"], b"no verification\n")
                expect_clean(run, "< no verification\n")

            @case("the system CA store refuses the self-signed certificate")
            async def _():
                run = await run_client([*client, "--url", base + "/untrusted"], b"never sent\n")
                check(run.status not in (0, None), f"exit status {run.status}")
                check("certificate" in run.stderr.lower(), f"stderr: {run.stderr.strip()[-300:]}")
                check("/untrusted" not in SEEN.messages, "the WebSocket opened anyway")

            @case("a host name the certificate does not name is refused")
            async def _():
                run = await run_client([*client, "--url", f"wss://localhost:{port}/wrong-name", *extra], b"x\n")
                check(run.status not in (0, None), f"exit status {run.status}")
                check("/wrong-name" not in SEEN.messages, "the WebSocket opened anyway")
        else:

            @case("wss:// URL refused with a pointer to the TLS client")
            async def _():
                run = await run_client([*client, "--url", f"wss://127.0.0.1:{port}/"], b"")
                check(run.status == 2, f"exit status {run.status}")

            @case("unreachable server: non-zero exit")
            async def _():
                run = await run_client([*client, "--url", "ws://127.0.0.1:1/"], b"")
                check(run.status not in (0, None), f"exit status {run.status}")

        passed = failed = 0
        for name, fn in cases:
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(fn(), 60)
                why = None
            except CaseFailure as e:
                why = str(e)
            except Exception as e:  # noqa: BLE001 - any error is the case's failure
                why = f"{type(e).__name__}: {e}"
            ms = (time.monotonic() - t0) * 1000
            if why is None:
                passed += 1
                print(f"ok {name} ({ms:.0f} ms)", flush=True)
            else:
                failed += 1
                print(f"FAIL {name}: {why}", flush=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client", required=True, help="the client binary (and any leading arguments)")
    p.add_argument("--tls", action="store_true", help="TLS server with a self-signed certificate; wss:// URLs")
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
