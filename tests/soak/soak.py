#!/usr/bin/env python3
"""Soak test: many concurrent connections echoing for a bounded time, with the server's
memory sampled before, during and after (DESIGN.md section 5 echo servers).

    tests/soak/soak.py --server-cmd "build/bin/wsframe-echo-server --port {port}" \\
        --connections 1000 --seconds 120

Every connection sends messages of random type and size (0 B to 64 KiB, some fragmented,
some pings) and checks every echo byte for byte. Connections are opened in waves, kept busy
for --seconds, then closed with a closing handshake. The server's resident set size (RSS,
from /proc) is sampled throughout. The run fails if any connection is lost or any echo is
wrong, or if RSS after all connections closed stays more than --rss-slack MiB above the
baseline taken once the server was warmed up. Ends with "N passed, N failed".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from adversarial import Conn, frame, request  # noqa: E402
import adversarial  # noqa: E402
from py_ws_client import Server, free_port  # noqa: E402


def rss_kib(pid: int) -> int:
    """Resident set size of `pid` and its children (a launcher may sit in between)."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Stats:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.pings = 0
        self.errors: list[str] = []


async def client(i: int, stop_at: float, stats: Stats, rng: random.Random) -> None:
    try:
        c = await Conn.open()
        c.w.write(request())
        head = await asyncio.wait_for(c.r.readuntil(b"\r\n\r\n"), 30)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(head.split(b"\r\n")[0].decode())
        while time.monotonic() < stop_at:
            pick = rng.random()
            if pick < 0.05:
                payload = rng.randbytes(rng.randrange(0, 126))
                c.send(frame(0x9, payload))
                await c.w.drain()
                f = await c.read_frame(60)
                if f is None or f[0] != 0xA or f[2] != payload:
                    raise RuntimeError("pong missing or wrong")
                stats.pings += 1
                continue
            size = rng.choice((0, 1, 125, 126, 1000, 4096, 65536 if pick > 0.97 else 2000))
            text = pick < 0.5
            payload = ("é" * (size // 2)).encode() if text else rng.randbytes(size)
            opcode = 0x1 if text else 0x2
            if pick > 0.9 and len(payload) > 3:
                cut = len(payload) // 3
                pieces = [payload[:cut], payload[cut:2 * cut], payload[2 * cut:]]
                c.send(b"".join(frame(opcode if k == 0 else 0, p, fin=k == 2) for k, p in enumerate(pieces)))
            else:
                c.send(frame(opcode, payload))
            await c.w.drain()
            f = await c.read_frame(60)
            if f is None:
                raise RuntimeError("connection closed by the server")
            if (f[0], f[2]) != (opcode, payload):
                raise RuntimeError(f"echo mismatch: opcode {f[0]} with {len(f[2])} bytes for {len(payload)}")
            stats.messages += 1
            stats.bytes += len(payload)
            await asyncio.sleep(rng.random() * 0.05)
        c.send(frame(0x8, struct.pack(">H", 1000)))
        await c.w.drain()
        await c.expect_close(1000, 30)
        c.close()
    except Exception as e:  # noqa: BLE001 - every failure is counted and reported
        stats.errors.append(f"connection {i}: {type(e).__name__}: {e}")


async def run(args: argparse.Namespace) -> int:
    port = free_port()
    adversarial.PORT = port
    server = Server(args.server_cmd, port, 60.0)
    await server.start()
    pid = server.proc.pid
    results: list[tuple[str, bool]] = []
    try:
        # Warm up (thread stacks, allocator arenas, lazily built tables), then take the baseline.
        warm = Stats()
        await asyncio.gather(*(client(i, time.monotonic() + 2, warm, random.Random(i)) for i in range(50)))
        await asyncio.sleep(1)
        baseline = rss_kib(pid)
        stats = Stats()
        samples: list[int] = []
        afters: list[int] = []
        for round_no in range(args.rounds):
            stop_at = time.monotonic() + args.seconds
            tasks = []
            for wave in range(0, args.connections, 100):
                for i in range(wave, min(wave + 100, args.connections)):
                    rng = random.Random(1000 + round_no * args.connections + i)
                    tasks.append(asyncio.ensure_future(client(i, stop_at, stats, rng)))
                await asyncio.sleep(0.2)

            async def sample() -> None:
                while not all(t.done() for t in tasks):
                    samples.append(rss_kib(pid))
                    await asyncio.sleep(1)

            sampler = asyncio.ensure_future(sample())
            await asyncio.gather(*tasks)
            await sampler
            await asyncio.sleep(2)
            afters.append(rss_kib(pid))
        after = afters[-1]
        peak = max(samples or [after])
        print(f"server pid {pid}: {args.connections} connections for {args.seconds:.0f} s, {args.rounds} round(s)")
        print(f"messages echoed and checked: {stats.messages} ({stats.bytes / 2**20:.1f} MiB), pings: {stats.pings}")
        print(f"RSS: baseline {baseline / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, after each round "
              + ", ".join(f"{a / 1024:.1f}" for a in afters) + " MiB")
        for e in stats.errors[:10]:
            print(f"  {e}")
        results.append((f"all {args.connections} connections echoed correctly until closed", not stats.errors))
        results.append(("messages were exchanged", stats.messages > args.connections))
        grew = (after - baseline) / 1024
        if args.high_water_ok:
            # WebAssembly memory never shrinks: require only that it stops growing.
            regrew = (after - afters[0]) / 1024
            results.append((f"RSS does not grow from round to round ({regrew:+.1f} MiB, slack {args.rss_slack} MiB)",
                            args.rounds > 1 and regrew <= args.rss_slack))
        else:
            results.append((f"RSS back near baseline after close ({grew:+.1f} MiB, slack {args.rss_slack} MiB)",
                            grew <= args.rss_slack))
        results.append(("server still running", server.alive()))
    finally:
        await server.stop()
    for name, ok in results:
        print(f"{'ok' if ok else 'FAIL'} {name}")
    passed = sum(ok for _, ok in results)
    print(f"{passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if passed == len(results) else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server-cmd", required=True, help="server command line; {port} is replaced")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--rss-slack", type=float, default=16.0, help="MiB above baseline allowed after close")
    p.add_argument("--rounds", type=int, default=1, help="repeat the whole load this many times")
    p.add_argument("--high-water-ok", action="store_true",
                   help="memory that never shrinks (wasm): require no growth between rounds instead")
    return asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
