#!/usr/bin/env python3
"""Interop matrix client driver: Python `websockets` (asyncio API).

    websockets_client.py --url ws://127.0.0.1:P/ [--deflate]

Runs the cases of tests/interop/matrix/README.md over one connection and prints one JSON
line each. websockets sends fragments (an iterable of str) and Pings (ping() returns a
waiter resolved by the Pong with the same payload). --deflate offers permessage-deflate
(the library's default offer: client_max_window_bits); without it nothing is offered.
"""

from __future__ import annotations

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import MAX_MESSAGE, PROTOCOLS, Adapter, CaseFailure, client_args, run_suite  # noqa: E402

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402


class WebsocketsAdapter(Adapter):
    name = "websockets"
    can_fragment = True
    can_ping = True

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.protocol = ws.subprotocol
        self.extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""

    async def send_text(self, text):
        await self.ws.send(text)

    async def send_binary(self, data):
        await self.ws.send(data)

    async def send_fragments(self, pieces):
        await self.ws.send(list(pieces))

    async def recv(self):
        msg = await self.ws.recv()
        return ("text", msg) if isinstance(msg, str) else ("binary", msg)

    async def ping(self, payload):
        waiter = await self.ws.ping(payload)
        await waiter  # resolved only by a Pong carrying this payload

    async def close(self, code, reason):
        await self.ws.close(code, reason)
        proto = self.ws.protocol
        rcvd = proto.close_rcvd
        if rcvd is None:
            raise CaseFailure("no Close frame from the server")
        clean = proto.close_sent is not None and proto.close_rcvd_then_sent is False
        return rcvd.code, rcvd.reason, clean


async def main() -> int:
    args = client_args()
    try:
        ws = await connect(
            args.url,
            subprotocols=PROTOCOLS,
            compression="deflate" if args.deflate else None,
            max_size=MAX_MESSAGE,
            ping_interval=None,
            open_timeout=30,
            close_timeout=10,
            proxy=None,
        )
    except Exception as e:
        print(f"websockets_client: connect {args.url} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        await run_suite(WebsocketsAdapter(ws))
    finally:
        try:
            await asyncio.wait_for(ws.close(), 10)
        except (ConnectionClosed, asyncio.TimeoutError, OSError):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
