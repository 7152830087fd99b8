#!/usr/bin/env python3
"""The Python `websockets` peer of the echo round trips (benches/node/echo.mjs).

    websockets_echo_server.py --port P

An asyncio `websockets` server that echoes every message with its type, messages up to
16 MiB, no compression, no keepalive pings. Prints `listening on 127.0.0.1:P` when ready
(`--port 0` picks a free port); runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def echo(ws: ServerConnection) -> None:
    try:
        async for msg in ws:
            await ws.send(msg)
    except ConnectionClosed:
        pass


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with serve(
        echo, "127.0.0.1", args.port, compression=None, max_size=16 << 20, ping_interval=None
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"websockets {websockets.__version__}", flush=True)
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
