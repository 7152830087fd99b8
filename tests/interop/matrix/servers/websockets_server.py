#!/usr/bin/env python3
"""Interop matrix server: Python `websockets` (asyncio API).

    websockets_server.py --port P [--deflate]

Follows the server contract of tests/interop/matrix/README.md: echoes every message with
its type, echoes a text starting with `matrix-fragmented` in three fragments, answers
`matrix-ping-me` with a Ping and then `matrix-pong-ok` / `matrix-pong-missing`, selects the
client's first subprotocol, takes 16 MiB messages, echoes the client's close code and reason
(websockets does that itself) and prints {"server_close": {...}} for each client Close.
--deflate enables permessage-deflate (websockets' defaults: window bits 12, memLevel 5);
without it, an offer is declined. Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import MAX_MESSAGE, SERVER_PING_PAYLOAD, emit, fragments_of, server_args  # noqa: E402

from websockets.asyncio.server import ServerConnection, serve  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402


def select_first(connection: ServerConnection, subprotocols):
    # websockets' own choice goes by the server's preference; the contract says the
    # client's first offer.
    return subprotocols[0] if subprotocols else None


async def handler(ws: ServerConnection) -> None:
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("matrix-fragmented"):
                await ws.send(fragments_of(msg))
            elif msg == "matrix-ping-me":
                waiter = await ws.ping(SERVER_PING_PAYLOAD)
                try:
                    await asyncio.wait_for(waiter, 10)
                    await ws.send("matrix-pong-ok")
                except asyncio.TimeoutError:
                    await ws.send("matrix-pong-missing")
            else:
                await ws.send(msg)
    except ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    if rcvd is not None:
        emit({"server_close": {"code": rcvd.code, "reason": rcvd.reason}})


async def main() -> None:
    args = server_args()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with serve(
        handler,
        "127.0.0.1",
        args.port,
        select_subprotocol=select_first,
        compression="deflate" if args.deflate else None,
        max_size=MAX_MESSAGE,
        ping_interval=None,
        close_timeout=5,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit_line = f"listening on 127.0.0.1:{port}"
        print(emit_line, flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
