"""``WeComFake``: the local world served over the WeCom 智能机器人 long connection, with the
simulator beside it.

``async with WeComFake(home, bot_id=..., secret=...) as fake:`` builds the world the local
transport serves (:meth:`LocalWorld.from_home`), optionally restored from a journal (the
gateway's, so message ids and the world survive a restart), and serves one account's view of it
to the official SDK on ``wss://host:port/`` exactly as Tencent's server does, media included on
``/media/<token>`` (encrypted with each message's own key). Unless ``sim_port`` is None the
simulator page and API run over the same world on ``fake.sim_port``, with ``/api/wecom/…``
routes to look at the connection and to redeliver a message or send an ``enter_chat``.

TLS is not optional: the SDK only speaks ``wss://`` (quirk 3 of
:mod:`bot.transport.wecom_protocol`); the certificate lives in the home's
``data/wecom-fake/tls`` and is reused, so a client that trusts it keeps trusting a restarted
fake.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.config import Home
from bot.gateway.journal import Journal, ReplayClock
from bot.transport import wecom_protocol as wp
from bot.transport.account_view import AccountView, BadPayload, Record, Seen, timestamp_ms
from bot.transport.capabilities import WECOM
from bot.transport.local_world import LocalWorld, SendRefused, WorldError
from bot.transport.wecom_ids import WeComIds
from bot.wecom_fake import api
from bot.wecom_fake.face import Media, WeComFace
from bot.wecom_fake.session import Session
from bot.wecom_fake.tls import Certificate, certificate

log = logging.getLogger(__name__)

DEFAULT_PORT = 8789
MEDIA_TTL = timedelta(minutes=5)  # as documented: a media URL is valid for five minutes
REMEMBERED = 10_000  # callbacks that can still be replied to, media URLs still served


class WeComFake:
    def __init__(self, home: Home, *, bot_id: str, secret: str, account: str | None = None,
                 host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 sim_port: int | None = 8080, journal: Path | None = None,
                 clock: Clock | None = None, tls_dir: Path | None = None) -> None:
        if not bot_id or not secret:
            raise ValueError("the WeCom fake needs a bot id and a secret")
        self.home = home
        self.account = account or home.bot.accounts[0].id
        self.host = host
        self.port = port
        self.sim_port = sim_port
        self._bot_id = bot_id
        self._secret = secret
        self._journal_path = journal
        self.tls_dir = tls_dir or home.paths.data / "wecom-fake" / "tls"
        self.clock = ReplayClock(clock or SystemClock())
        self.world: LocalWorld | None = None
        self.journal: Journal | None = None
        self.face: WeComFace | None = None
        self.certificate: Certificate | None = None
        self.live: Session | None = None
        self.sessions: set[Session] = set()
        self.delivered: list[dict[str, str]] = []  # every callback sent, for tests and the API
        self.refused_subscriptions = 0
        self.replaced = 0
        self._callbacks: OrderedDict[str, str] = OrderedDict()  # req_id → its conversation
        self._media: OrderedDict[str, tuple[Media, Any]] = OrderedDict()
        self._numbers = itertools.count(1)
        self._events = itertools.count(1)
        self._unsubscribe: Any = None
        self._runner: web.AppRunner | None = None
        self._simulator: Any = None
        self.activity = asyncio.Event()  # set on every frame handled and connection ended

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> WeComFake:
        try:
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._stop()

    @property
    def url(self) -> str:
        return f"wss://{self._url_host}:{self.port}/"

    @property
    def subscribed(self) -> bool:
        return self.live is not None and self.live.subscribed

    @property
    def _url_host(self) -> str:
        return "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host

    async def _start(self) -> None:
        world = self.world = LocalWorld.from_home(self.home, self.clock)
        if self._journal_path is not None:
            self.journal = Journal.open(self._journal_path, world, self.clock)
            epoch = self.journal.epoch
            log.info("wecom-fake: journal %s, %d events replayed", self._journal_path,
                     self.journal.replayed)
        else:
            epoch = secrets.token_hex(4)  # a fresh world must not reuse an earlier one's msgids
        view = AccountView(world, self.account, prefix=epoch, sight=WECOM.sight)
        self.face = WeComFace(view, WeComIds(self.home), self._bot_id)
        self.certificate = certificate(self.tls_dir)
        self._unsubscribe = view.watch(self._on_record)
        app = web.Application()
        app.router.add_get("/", self._websocket)
        app.router.add_get("/media/{token}", self._serve_media)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port,
                           ssl_context=self.certificate.server_context())
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("wecom-fake: long connection for %s on %s", self.account, self.url)
        if self.sim_port is not None:
            from bot.simulator.server import SimulatorServer

            self._simulator = SimulatorServer(world, self.home, port=self.sim_port,
                                              ready=lambda: self.subscribed,
                                              accounts=[self.account], routes=api.routes(self))
            await self._simulator.__aenter__()
            self.sim_port = self._simulator.port

    async def _stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for session in list(self.sessions):
            session.close_after(wp.CLOSE_RESTART)  # quirk 9: a code that makes the SDK return
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._simulator is not None:
            await self._simulator.__aexit__(None, None, None)
            self._simulator = None
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    # --- connections -----------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        session = Session(ws, self, next(self._numbers))
        self.sessions.add(session)
        await session.run()
        return ws

    def subscribe(self, session: Session, bot_id: str, secret: str) -> bool:
        ok = hmac.compare_digest(bot_id.encode(), self._bot_id.encode()) \
            & hmac.compare_digest(secret.encode(), self._secret.encode())
        if not ok:
            self.refused_subscriptions += 1
            log.warning("wecom-fake: refused a subscription (wrong bot id or secret)")
            return False
        old, self.live = self.live, session
        if old is not None and old is not session:
            # one live connection per bot: the old one hears why, then is closed
            self.replaced += 1
            old.push(wp.frame(wp.EVENT_CALLBACK, self._req_id("event"),
                              self._face.disconnected_body(self._msgid("disconnect"),
                                                           self._now_s())))
            old.subscribed = False
            old.close_after(wp.CLOSE_POLICY)
            log.info("wecom-fake: connection %d replaced connection %d", session.number,
                     old.number)
        else:
            log.info("wecom-fake: connection %d subscribed", session.number)
        return True

    def ended(self, session: Session) -> None:
        self.sessions.discard(session)
        if self.live is session:
            self.live = None

    def touched(self) -> None:
        self.activity.set()

    async def wait_until(self, check: Callable[[], bool], timeout: float) -> None:
        """Wait until ``check()`` holds, looking again after each frame the fake handles."""
        async def wait() -> None:
            while not check():
                self.activity.clear()
                await self.activity.wait()
        await asyncio.wait_for(wait(), timeout)

    # --- world → bot -----------------------------------------------------------------------------

    def _on_record(self, record: Record) -> None:
        if isinstance(record, Seen):
            self.deliver(record)

    def deliver(self, seen: Seen) -> str | None:
        """Send ``seen`` to the live connection as a msg_callback; its req_id, or None when no
        bot is connected (the platform does not keep messages for an offline bot)."""
        if not self.subscribed or self.live is None:
            log.info("wecom-fake: no bot connected, message %s not delivered", seen.id)
            return None
        media = self._face.media_of(seen)
        url = self._share(media) if media is not None else ""
        req_id = self._req_id("callback")
        self._remember(req_id, seen.conversation)
        body = self._face.message_body(seen, url, media)
        self.live.push(wp.frame(wp.MSG_CALLBACK, req_id, body))
        self._delivered({"msgid": seen.id, "req_id": req_id, "chattype": body["chattype"],
                         "conversation": seen.conversation})
        return req_id

    def redeliver(self, message_id: int) -> str | None:
        """Deliver a world message again under the same msgid (as the platform may)."""
        return self.deliver(self._face.view.message(self._face.view.wire_id(message_id)))

    def enter_chat(self, contact_id: str) -> str | None:
        """``contact_id`` opens the private chat with the bot: an enter_chat event."""
        if not self.subscribed or self.live is None:
            return None
        req_id = self._req_id("event")
        body = self._face.enter_chat_body(contact_id, self._msgid("enter"), self._now_s())
        self._remember(req_id, contact_id)
        self.live.push(wp.frame(wp.EVENT_CALLBACK, req_id, body))
        self._delivered({"msgid": body["msgid"], "req_id": req_id, "chattype": wp.SINGLE,
                         "conversation": contact_id})
        return req_id

    # --- bot → world -----------------------------------------------------------------------------

    def respond(self, req_id: str, cmd: str, body: Any) -> tuple[int, str]:
        conversation = self._callbacks.get(req_id)
        if conversation is None:
            return wp.UNKNOWN_REQ_ID, "req_id is no callback awaiting a reply"
        if cmd == wp.RESPOND_UPDATE:
            return wp.OK, "ok"  # the world has no cards to update
        return self._post(conversation, body)

    def send(self, body: Any) -> tuple[int, str]:
        chatid = body.get("chatid") if isinstance(body, dict) else None
        if not isinstance(chatid, str) or not chatid:
            return wp.BAD_FRAME, "aibot_send_msg needs a chatid"
        try:
            conversation = self._face.conversation_of(chatid)
        except WorldError:
            return wp.UNKNOWN_CHAT, "unknown chatid"
        return self._post(conversation, body)

    def _post(self, conversation: str, body: Any) -> tuple[int, str]:
        try:
            out = self._face.decode(conversation, body)
            if out is not None:
                self._face.post(out)
        except BadPayload as exc:
            return wp.BAD_FRAME, str(exc)[:200]
        except SendRefused as exc:
            return wp.RATE_LIMITED, str(exc)[:200]
        except WorldError:
            return wp.UNKNOWN_CHAT, "the bot is not in that chat"
        return wp.OK, "ok"

    # --- media -----------------------------------------------------------------------------------

    def _share(self, media: Media) -> str:
        token = secrets.token_urlsafe(18)
        self._media[token] = (media, self.clock.now() + MEDIA_TTL)
        while len(self._media) > REMEMBERED:
            self._media.popitem(last=False)
        return f"https://{self._url_host}:{self.port}/media/{token}"

    async def _serve_media(self, request: web.Request) -> web.StreamResponse:
        found = self._media.get(request.match_info["token"])
        if found is None or found[1] < self.clock.now():
            raise web.HTTPNotFound(text="expired or unknown media")
        media = found[0]
        try:
            data = await asyncio.to_thread(Path(media.path).read_bytes)
        except OSError:
            raise web.HTTPNotFound(text="the file is gone") from None
        sealed = wp.encrypt_media(data, media.aeskey)
        return web.Response(body=sealed, content_type="application/octet-stream", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(media.name)}"})

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def _face(self) -> WeComFace:
        assert self.face is not None, "the fake is not started"
        return self.face

    def _delivered(self, entry: dict[str, str]) -> None:
        self.delivered.append(entry)
        del self.delivered[:-REMEMBERED]  # the latest ones are what a person or a test looks at

    def _remember(self, req_id: str, conversation: str) -> None:
        self._callbacks[req_id] = conversation
        while len(self._callbacks) > REMEMBERED:
            self._callbacks.popitem(last=False)

    def _req_id(self, kind: str) -> str:
        return f"{kind}_{secrets.token_hex(8)}"

    def _msgid(self, kind: str) -> str:
        return f"{self._face.view.prefix}.{kind}.{next(self._events)}"

    def _now_s(self) -> int:
        return timestamp_ms(self.clock.now()) // 1000
