#!/usr/bin/env python3
"""The C echo server under valgrind: a short interop run, then SIGINT/SIGTERM with live
connections. No memory errors, no leaks, exit status 0.

    valgrind_echo.py --server build/bin/wsframe-echo-server

1. tests/interop/py_ws_client.py runs a subset of its cases against the server under
   valgrind (memcheck, full leak check), then again with permessage-deflate (server
   --deflate, client --deflate, plus the deflate cases); each log must show a clean exit
   with 0 errors and every heap block freed.
2. For SIGINT and for SIGTERM: the server under valgrind holds an open WebSocket in the
   middle of a fragmented message and a connection stalled mid-handshake when the signal
   arrives; it must exit 0 with 0 errors and every heap block freed.
Prints `ok NAME` / `FAIL NAME: why` and `N passed, N failed`. Servers run in their own
process groups on free 127.0.0.1 ports and are killed by PID if they overrun.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PY_CLIENT = os.path.join(ROOT, "tests", "interop", "py_ws_client.py")
CASES = [
    "text_0", "binary_125", "binary_65536", "text_non_ascii", "fragmented_text", "fragmented_binary",
    "pipelined_1000", "ping", "close", "protocol_error", "invalid_utf8", "message_too_big",
    "handshake_rejected", "concurrent_50",
]
DEFLATE_CASES = ["text_0", "binary_65536", "fragmented_text", "ping", "close_4000", "protocol_error", "deflate_negotiated",
                 "deflate_no_context_takeover", "deflate_small_windows", "deflate_bomb_1009"]
VALGRIND = ["valgrind", "--leak-check=full", "--show-leak-kinds=all", "--errors-for-leak-kinds=definite,possible"]


def log_verdict(path: str) -> str | None:
    """None if the valgrind log shows a normal exit, no errors and no leaks; else why not."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError as e:
        return f"no valgrind log: {e}"
    if "HEAP SUMMARY" not in text:
        return "no HEAP SUMMARY: the server did not exit normally"
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    if m is None or m.group(1) != "0":
        return "memory errors:\n" + text[-3000:]
    if "All heap blocks were freed" not in text:
        return "heap blocks left at exit:\n" + text[-3000:]
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def interop_run(server: str, log: str, deflate: bool) -> list[tuple[str, str | None]]:
    flags = " --deflate" if deflate else ""
    label = "under valgrind, deflate" if deflate else "under valgrind"
    cmd = " ".join(shlex.quote(a) for a in [*VALGRIND, f"--log-file={log}", server, "--port"]) + " {port}" + flags
    argv = [sys.executable, PY_CLIENT, "--server-cmd", cmd] + (["--deflate"] if deflate else [])
    for c in DEFLATE_CASES if deflate else CASES:
        argv += ["--only", c]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return [(f"interop run {label}", "timed out after 300 s")]
    results: list[tuple[str, str | None]] = []
    for line in out.splitlines():
        if line.startswith("ok "):
            results.append((f"{label}: {line[3:]}", None))
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(": ")
            results.append((f"{label}: {name}", why or "failed"))
    if not results:
        results.append((f"interop run {label}", f"no cases ran:\n{out[-2000:]}"))
    results.append((f"valgrind after the run {label}: clean exit, 0 errors, all heap blocks freed", log_verdict(log)))
    return results


def recv_until(sock: socket.socket, marker: bytes, timeout: float = 30.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def signal_run(server: str, sig: signal.Signals, log: str) -> str | None:
    port = free_port()
    proc = subprocess.Popen(
        [*VALGRIND, f"--log-file={log}", server, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    socks: list[socket.socket] = []
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if line.strip() != f"listening on 127.0.0.1:{port}":
            return f"server printed {line!r}"
        # An upgraded connection in the middle of a fragmented message (buffers allocated).
        ws = socket.create_connection(("127.0.0.1", port), timeout=30)
        socks.append(ws)
        ws.sendall(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        if b"101" not in recv_until(ws, b"\r\n\r\n"):
            return "no 101"
        key = b"\x0a\x0b\x0c\x0d"
        payload = bytes(1000)
        ws.sendall(bytes([0x02, 0x80 | 126]) + len(payload).to_bytes(2, "big") + key +
                   bytes(b ^ key[i % 4] for i, b in enumerate(payload)))  # first fragment, FIN clear
        # A connection stalled mid-handshake.
        half = socket.create_connection(("127.0.0.1", port), timeout=30)
        socks.append(half)
        half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(1.0)  # let the server take both in
        os.killpg(proc.pid, sig)
        try:
            status = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            return f"still running 60 s after {sig.name}"
        if status != 0:
            return f"exit status {status} after {sig.name}"
        return log_verdict(log)
    finally:
        for s in socks:
            s.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", required=True, help="the echo server binary")
    args = p.parse_args()
    server = os.path.abspath(args.server)
    results: list[tuple[str, str | None]] = []
    with tempfile.TemporaryDirectory(prefix="wsframe-valgrind-") as tmp:
        print(f"valgrind memcheck -> {args.server}", flush=True)
        results += interop_run(server, os.path.join(tmp, "interop.log"), deflate=False)
        results += interop_run(server, os.path.join(tmp, "deflate.log"), deflate=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            why = signal_run(server, sig, os.path.join(tmp, f"{sig.name}.log"))
            results.append((f"{sig.name} with live connections: exit 0, 0 errors, all heap blocks freed", why))
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


if __name__ == "__main__":
    sys.exit(main())
