#!/usr/bin/env python3
"""Interop matrix client driver: Python `aiohttp` (ClientSession.ws_connect).

    aiohttp_client.py --url ws://127.0.0.1:P/ [--deflate]

Runs the cases of tests/interop/matrix/README.md over one connection and prints one JSON
line each. aiohttp has no way to send a fragmented message (every frame it writes has FIN
set), so the `fragmented` case sends the text whole and checks the echo (which the
independent servers fragment). It sends Pings (ws.ping) and, with autoping off, hands Pongs
to receive(). Its close() keeps the server's close code but drops the reason, so the close
case sends the Close frame with send_frame(CLOSE) and reads the server's Close with
autoclose off. --deflate offers permessage-deflate (compress=15); without it, compress=0.
"""

from __future__ import annotations

import asyncio
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import MAX_MESSAGE, PROTOCOLS, Adapter, CaseFailure, client_args, run_suite  # noqa: E402

import aiohttp  # noqa: E402
from aiohttp import WSMsgType  # noqa: E402


class AiohttpAdapter(Adapter):
    name = "aiohttp"
    can_fragment = False
    can_ping = True

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.protocol = ws.protocol
        # The handshake response is not public on ClientWebSocketResponse.
        resp = getattr(ws, "_response", None)
        self.extensions = resp.headers.get("Sec-WebSocket-Extensions", "") if resp is not None else ""
        if not self.extensions and ws.compress:
            self.extensions = f"permessage-deflate (window bits {ws.compress})"
        self.pongs: list[bytes] = []

    async def send_text(self, text):
        await self.ws.send_str(text)

    async def send_binary(self, data):
        await self.ws.send_bytes(data)

    async def _next(self):
        """The next frame-level message, answering Pings and keeping Pongs aside."""
        while True:
            msg = await self.ws.receive()
            if msg.type is WSMsgType.PING:
                await self.ws.pong(msg.data)
                continue
            return msg

    async def recv(self):
        while True:
            msg = await self._next()
            if msg.type is WSMsgType.PONG:
                self.pongs.append(msg.data)
                continue
            if msg.type is WSMsgType.TEXT:
                return "text", msg.data
            if msg.type is WSMsgType.BINARY:
                return "binary", msg.data
            raise ConnectionError(f"received {msg.type.name} {msg.data!r} {msg.extra!r}")

    async def ping(self, payload):
        await self.ws.ping(payload)
        while True:
            msg = await self._next()
            if msg.type is WSMsgType.PONG:
                if msg.data == payload:
                    return
                self.pongs.append(msg.data)
                continue
            raise CaseFailure(f"expected a Pong, received {msg.type.name} {msg.data!r}")

    async def close(self, code, reason):
        await self.ws.send_frame(struct.pack("!H", code) + reason.encode(), WSMsgType.CLOSE)
        while True:
            msg = await self._next()
            if msg.type is WSMsgType.CLOSE:
                # The server's Close, in reply to ours: the handshake is complete.
                return msg.data, msg.extra, True
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.PONG):
                continue  # data sent before the server saw our Close
            raise CaseFailure(f"expected the server's Close, received {msg.type.name} {msg.data!r}")


async def main() -> int:
    args = client_args()
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(
                args.url,
                protocols=PROTOCOLS,
                compress=15 if args.deflate else 0,
                max_msg_size=MAX_MESSAGE,
                autoping=False,
                autoclose=False,
                heartbeat=None,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=10),
            )
        except Exception as e:
            print(f"aiohttp_client: connect {args.url} failed: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        try:
            await run_suite(AiohttpAdapter(ws))
        finally:
            # After the closing handshake this only releases the connection (no second Close).
            if not ws.closed and not ws._closing:  # noqa: SLF001
                await ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
