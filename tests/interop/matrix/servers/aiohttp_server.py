#!/usr/bin/env python3
"""Interop matrix server: Python `aiohttp` (web.WebSocketResponse).

    aiohttp_server.py --port P [--deflate]

Follows the server contract of tests/interop/matrix/README.md: echoes every message with
its type, answers `matrix-ping-me` with a Ping and then `matrix-pong-ok` /
`matrix-pong-missing`, selects the client's first subprotocol, takes 16 MiB messages,
echoes the client's close code and reason and prints {"server_close": {...}} for each
client Close. aiohttp cannot send a fragmented message (every frame it writes has FIN set),
so a `matrix-fragmented` text is echoed whole. autoclose is off because aiohttp's own reply
to a Close is 1000 with no reason, not the client's code; autoping is off so that the Pong
to the server's Ping reaches the handler. --deflate accepts permessage-deflate
(compress=True); without it an offer is declined. Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import MAX_MESSAGE, SERVER_PING_PAYLOAD, emit, server_args  # noqa: E402

from aiohttp import WSMsgType, web  # noqa: E402

DEFLATE = False


async def wait_pong(ws: web.WebSocketResponse) -> bool:
    """Reads until the Pong to SERVER_PING_PAYLOAD (answering Pings meanwhile)."""
    while True:
        msg = await ws.receive()
        if msg.type is WSMsgType.PONG and msg.data == SERVER_PING_PAYLOAD:
            return True
        if msg.type is WSMsgType.PING:
            await ws.pong(msg.data)
        elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            return False


async def handler(request: web.Request) -> web.WebSocketResponse:
    offered = [p.strip() for h in request.headers.getall("Sec-WebSocket-Protocol", [])
               for p in h.split(",") if p.strip()]
    ws = web.WebSocketResponse(
        protocols=offered[:1],  # aiohttp picks the first offer it knows: know only that one
        compress=DEFLATE,
        max_msg_size=MAX_MESSAGE,
        autoping=False,
        autoclose=False,
        heartbeat=None,
    )
    await ws.prepare(request)
    while True:
        msg = await ws.receive()
        if msg.type is WSMsgType.TEXT:
            if msg.data == "matrix-ping-me":
                await ws.ping(SERVER_PING_PAYLOAD)
                try:
                    ok = await asyncio.wait_for(wait_pong(ws), 10)
                except asyncio.TimeoutError:
                    ok = False
                await ws.send_str("matrix-pong-ok" if ok else "matrix-pong-missing")
            else:
                await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
        elif msg.type is WSMsgType.PING:
            await ws.pong(msg.data)
        elif msg.type is WSMsgType.PONG:
            pass
        elif msg.type is WSMsgType.CLOSE:
            code, reason = msg.data, msg.extra or ""
            emit({"server_close": {"code": code, "reason": reason}})
            if code in (None, 1005):
                await ws.close()
            else:
                await ws.close(code=code, message=reason.encode())
            break
        else:  # CLOSING, CLOSED, ERROR
            break
    return ws


async def main() -> None:
    global DEFLATE
    args = server_args()
    DEFLATE = args.deflate
    app = web.Application(client_max_size=MAX_MESSAGE)
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1] if args.port == 0 else args.port  # noqa: SLF001
    print(f"listening on 127.0.0.1:{port}", flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
