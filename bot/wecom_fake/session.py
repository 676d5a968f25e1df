"""One WebSocket connection to the fake: its frames in, acks and callbacks out.

A session starts unsubscribed; ``aibot_subscribe`` with the right bot id and secret subscribes
it (and the server replaces any older session of the bot), a wrong pair gets
:data:`~bot.transport.wecom_protocol.INVALID_SECRET` and the socket is closed. Every command
gets one ack with its own ``req_id``; what it asks of the world is the server's
(:class:`Commands`). Frames go out through one queue and one writer, in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from bot.transport import wecom_protocol as wp

log = logging.getLogger(__name__)

OUTBOX = 10_000  # frames a client may lag behind before it is closed


class Commands(Protocol):
    """What the server does for a subscribed session; each returns (errcode, errmsg)."""

    def subscribe(self, session: Session, bot_id: str, secret: str) -> bool: ...
    def respond(self, req_id: str, cmd: str, body: Any) -> tuple[int, str]: ...
    def send(self, body: Any) -> tuple[int, str]: ...
    def ended(self, session: Session) -> None: ...
    def touched(self) -> None: ...  # a frame was handled: whoever waits on the fake looks again


class Session:
    def __init__(self, ws: web.WebSocketResponse, commands: Commands, number: int) -> None:
        self.ws = ws
        self.number = number
        self.subscribed = False
        self._commands = commands
        self._out: asyncio.Queue[wp.Frame | int] = asyncio.Queue()

    def push(self, frame: wp.Frame) -> None:
        """Send ``frame`` after everything queued before it; a client too far behind is closed."""
        if self._out.qsize() >= OUTBOX:
            log.warning("wecom-fake: connection %d is %d frames behind, closing it",
                        self.number, OUTBOX)
            self.close_after(wp.CLOSE_POLICY)
            return
        self._out.put_nowait(frame)

    def close_after(self, code: int) -> None:
        """Close with ``code`` once the frames already queued are written."""
        self._out.put_nowait(code)

    async def run(self) -> None:
        """Read frames until the socket closes; a writer task sends what is queued."""
        writer = asyncio.create_task(self._write(), name=f"wecom-fake writer {self.number}")
        try:
            async for message in self.ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    self._handle(message.data)
                    self._commands.touched()
                else:
                    break
        finally:
            self.subscribed = False
            self._commands.ended(self)
            self._commands.touched()
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)

    async def _write(self) -> None:
        while True:
            item = await self._out.get()
            if isinstance(item, int):
                await self.ws.close(code=item)
                return
            try:
                await self.ws.send_json(item)
            except (ConnectionError, RuntimeError):
                return  # the peer is gone; run() ends on its own

    def _handle(self, raw: str | bytes) -> None:
        try:
            frame = wp.parse(raw)
        except wp.BadFrame as exc:
            self.push(wp.ack(_loose_req_id(raw), wp.BAD_FRAME, f"invalid frame: {exc}"))
            return
        req_id, cmd, body = wp.req_id(frame), frame.get("cmd", ""), frame.get("body")
        if cmd == wp.SUBSCRIBE:
            self._subscribe(req_id, body)
        elif cmd not in wp.CLIENT_COMMANDS:
            self.push(wp.ack(req_id, wp.BAD_FRAME, f"unknown cmd {cmd!r}"[:120]))
        elif not self.subscribed:
            self.push(wp.ack(req_id, wp.NOT_SUBSCRIBED, "not subscribed: send aibot_subscribe"))
        elif cmd == wp.PING:
            self.push(wp.ack(req_id))
        elif cmd == wp.SEND_MSG:
            self.push(wp.ack(req_id, *self._commands.send(body)))
        else:
            self.push(wp.ack(req_id, *self._commands.respond(req_id, cmd, body)))

    def _subscribe(self, req_id: str, body: Any) -> None:
        bot_id = body.get("bot_id") if isinstance(body, dict) else None
        secret = body.get("secret") if isinstance(body, dict) else None
        if not isinstance(bot_id, str) or not isinstance(secret, str):
            self.push(wp.ack(req_id, wp.BAD_FRAME, "aibot_subscribe needs bot_id and secret"))
            return
        # the answer names neither value: errors and logs never carry a credential
        if not self._commands.subscribe(self, bot_id, secret):
            self.push(wp.ack(req_id, wp.INVALID_SECRET, "invalid bot_id or secret"))
            self.close_after(wp.CLOSE_POLICY)
            return
        self.subscribed = True
        self.push(wp.ack(req_id))


def _loose_req_id(raw: str | bytes) -> str:
    """The req_id of a frame that failed the envelope check, where one can still be read, so
    the client's pending call gets its answer."""
    try:
        value = json.loads(raw)
        req_id = value["headers"]["req_id"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return ""
    return req_id if isinstance(req_id, str) else ""
