"""One account as a WeCom 智能机器人 over its long connection, through Tencent's SDK unmodified.

Inbound callbacks become the core's :class:`~bot.core.messages.Inbound`; outbox rows go out
through :meth:`WeComAdapter.send` (the :class:`~bot.core.ports.Transport` port), paced by the
account's sender like any other transport. A text to a chat that has a fresh, unused ``req_id``
(someone just @-ed the bot there) answers it with ``aibot_respond_msg`` (one markdown stream
frame, ``finish: true``); anything else, and every push or relay, is ``aibot_send_msg``
(markdown, or a template card for a course link).

The connection is supervised here, not by the SDK (it is built with
``max_reconnect_attempts=0``): a session that ends is started again after
:class:`~bot.transport.backoff.Backoff`, a refused Bot ID / Secret is said once and retried at
that bounded pace, and a connection the server replaced (another process took this bot id:
``disconnected_event``) is said in one line and not taken back.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import re
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from bot import logsafe
from bot import messages as msg
from bot.clock import Clock, SystemClock
from bot.config import Home
from bot.core.messages import (
    FileOut,
    ImageOut,
    Inbound,
    LinkOut,
    MessageKind,
    Payload,
    Sent,
    TextOut,
    payload_kind,
)
from bot.core.ports import DeliveryError
from bot.tasks import TaskGroup
from bot.transport import wecom_frames as wf
from bot.transport import wecom_protocol as wp
from bot.transport.backoff import DEFAULT_BACKOFF, Backoff
from bot.transport.wecom_ids import WeComIds

log = logging.getLogger(__name__)
SDK_LOG = logging.getLogger("bot.transport.wecom_sdk")

REPLY_WINDOW_SECONDS = 300.0  # a req_id older than this is not answered on: aibot_send_msg
WATCH_SECONDS = 5.0  # how often a quietly closed socket is looked for (quirk 9)
SEEN_MSGIDS = 10_000  # a msgid delivered again (after a reconnect) is handled once
MEDIA_WANTED = Callable[[str | None, str], Awaitable[bool]]
_SAFE_NAME = re.compile(r"[^\w.-]+")
ClientFactory = Callable[[Any], Any]  # WSClientOptions -> a WSClient (tests pass their own)
Sleep = Callable[[float], Awaitable[None]]


class MissingCredentials(RuntimeError):
    """The account's Bot ID or Secret variable is unset: said in Chinese, names the variable."""


class _SdkLogger:
    """The SDK's logger (quirk 8): everything at DEBUG; the adapter says what matters once."""

    def debug(self, message: str, *args: Any) -> None:
        SDK_LOG.debug("%s %s", message, " ".join(map(str, args)))

    info = warn = error = debug


def credentials(home: Home, account: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """The account's Bot ID and Secret from the variables bot.yaml names."""
    config = next(a for a in home.bot.accounts if a.id == account)
    names = config.wecom
    if names is None:
        raise MissingCredentials(msg.WECOM_NEEDS_CREDENTIALS)
    found = []
    for env, what in ((names.bot_id_env, "Bot ID"), (names.secret_env, "Secret")):
        value = environ.get(env, "").strip()
        if not value:
            raise MissingCredentials(msg.WECOM_MISSING_ENV.format(account=account, env=env,
                                                                  what=what))
        found.append(value)
    return found[0], found[1]


class WeComAdapter:
    """Runs one account: ``async with WeComAdapter(...) as a: await a.wait_ready()``."""

    def __init__(self, account: str, home: Home, *,
                 on_message: Callable[[Inbound], Any] | None = None,
                 on_ready: Callable[[list[Any]], Coroutine[Any, Any, None]] | None = None,
                 clock: Clock | None = None, sleep: Sleep = asyncio.sleep,
                 backoff: Backoff = DEFAULT_BACKOFF, media_dir: Path | None = None,
                 media_wanted: MEDIA_WANTED | None = None,
                 environ: Mapping[str, str] | None = None,
                 client_factory: ClientFactory | None = None) -> None:
        self.account = account
        self.home = home
        env = os.environ if environ is None else environ
        self._bot_id, self._secret = credentials(home, account, env)
        for secret in (self._bot_id, self._secret):  # never in a log line, ours or a library's
            logsafe.hide(secret, __name__, SDK_LOG.name, "websockets", "aiohttp")
        self._names = next(a for a in home.bot.accounts if a.id == account).wecom
        self._url = wp.ws_url(dict(env))
        self._ca = env.get(wp.CA_FILE_ENV, "").strip()
        self._factory = client_factory or wp.WSClient
        self._on_message = on_message
        self._on_ready = on_ready
        self.clock = clock or SystemClock()
        self._sleep = sleep
        self.backoff = backoff
        self.watch_seconds = WATCH_SECONDS
        self._media_dir = media_dir
        self._media_wanted = media_wanted
        self.ids = WeComIds(home)
        self._people = {a.id: a.name for a in home.admins}
        self._people.update((e.id, e.name) for e in home.experts.values())
        self.client: Any = None
        self.replaced = False
        self.sessions = 0  # connections tried: a refused secret must not spin
        self._ready = asyncio.Event()
        self._ended: asyncio.Event | None = None
        self._closing = False
        self._last_reported = ""
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._requests: dict[str, deque[tuple[str, float]]] = {}  # chat → fresh req_ids
        self._tasks = TaskGroup()
        self._task: asyncio.Task[None] | None = None

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> WeComAdapter:
        if self._ca:
            wp.trust_certificate(self._ca)
        self._closing = False
        self._task = self._tasks.spawn(self._supervise(), name=f"wecom:{self.account}")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._closing = True
        self._end_session()
        if self._task is not None:
            if self.client is None:
                self._task.cancel()  # in the backoff wait: nothing to finish
            await asyncio.wait({self._task}, timeout=10)
        await self._tasks.aclose()
        self._task = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _supervise(self) -> None:
        failures = 0
        while not self._closing and not self.replaced:
            self._ended = ended = asyncio.Event()
            self.sessions += 1
            self.client = client = self._factory(wp.WSClientOptions(
                bot_id=self._bot_id, secret=self._secret, ws_url=self._url,
                max_reconnect_attempts=0, logger=_SdkLogger()))
            self._wire(client)
            try:
                await client.connect()
                await self._until_ended(client, ended)
            finally:
                was_ready = self._ready.is_set()
                self._ready.clear()
                self._requests.clear()  # a req_id belongs to the connection it came on
                self._disconnect(client)
                self.client = None
            if self._closing or self.replaced:
                return
            failures = 0 if was_ready else failures + 1
            delay = self.backoff.delay(max(failures - 1, 0))
            log.warning("account %s: reconnecting to WeCom in %.1fs (attempt %d)",
                        self.account, delay, self.sessions)
            await self._sleep(delay)

    async def _until_ended(self, client: Any, ended: asyncio.Event) -> None:
        """Until the session ends. A server's normal close (1000/1001) ends the SDK's receive
        loop without a word (quirk 9): a socket found closed ends the session here."""
        while not ended.is_set():
            try:
                await asyncio.wait_for(ended.wait(), self.watch_seconds)
            except TimeoutError:
                if not client.is_connected:
                    log.info("account %s: the WeCom socket closed quietly", self.account)
                    self._end_session()

    def _end_session(self) -> None:
        if self._ended is not None:
            self._ended.set()

    @staticmethod
    def _disconnect(client: Any) -> None:
        try:
            client.disconnect()
        except Exception:
            log.debug("disconnect failed", exc_info=True)

    def _report(self, text: str) -> None:
        """The same failure on every reconnect is said once, until a session gets ready."""
        if text != self._last_reported:
            self._last_reported = text
            log.error("%s", logsafe.scrub(text))

    # --- SDK events ------------------------------------------------------------------------------

    def _wire(self, client: Any) -> None:
        client.on("authenticated", self._authenticated)
        client.on("disconnected", lambda _reason: self._end_session())
        client.on("error", self._error)
        client.on("message", self._message)
        client.on(f"event.{wp.DISCONNECTED_EVENT}", self._replaced)

    def _authenticated(self) -> None:
        self._last_reported = ""
        self._ready.set()
        log.info("%s", msg.WECOM_READY.format(account=self.account))
        if self._on_ready is not None:
            self._tasks.spawn(self._on_ready([]), name=f"wecom-ready:{self.account}")

    def _error(self, exc: BaseException) -> None:
        text = str(exc)
        if "Authentication failed" in text:  # quirk 5: only an error event, then a close
            assert self._names is not None
            self._report(msg.WECOM_BAD_SECRET.format(
                account=self.account, code=wf.errcode_of_auth(text),
                bot_id_env=self._names.bot_id_env, secret_env=self._names.secret_env,
                cap=int(self.backoff.cap)))
        elif "Max reconnect attempts" not in text:  # that one only says the session is over
            self._report(f"account {self.account}: WeCom connection: {type(exc).__name__}: "
                         f"{text}")
        self._end_session()

    def _replaced(self, _frame: Any) -> None:
        """Another process subscribed with this bot id (quirk 4): stop here, for good."""
        if self.client is not None:
            self._disconnect(self.client)  # in the handler, before the close arrives
        self.replaced = True
        log.warning("%s", msg.WECOM_REPLACED.format(account=self.account))
        self._end_session()

    def _message(self, frame: Any) -> None:
        self._tasks.spawn(self._receive(frame), name=f"wecom-msg:{self.account}")

    async def _receive(self, frame: Any) -> None:
        body = frame.get("body") if isinstance(frame, dict) else None
        got = wf.read_message(body)
        if got is None:
            log.warning("account %s: unreadable WeCom message dropped", self.account)
            return
        if got.msgid in self._seen:
            log.info("duplicate msgid %s ignored", got.msgid)
            return
        self._seen[got.msgid] = None
        if len(self._seen) > SEEN_MSGIDS:
            self._seen.popitem(last=False)
        chat = got.chatid or got.userid
        self._requests.setdefault(chat, deque()).append(
            (wp.req_id(frame), self.clock.now().timestamp()))
        try:
            inbound = await self._to_inbound(got)
            if self._on_message is not None:
                result = self._on_message(inbound)
                if inspect.isawaitable(result):
                    await result
        except Exception:
            log.exception("account %s: handler failed on %s", self.account, got.msgid)

    async def _to_inbound(self, got: wf.Received) -> Inbound:
        sender = self.ids.contact(got.userid)
        media = None
        if got.media_url and self._media_wanted is not None \
                and await self._media_wanted(got.chatid, sender):
            media = await self._save_media(got)
        return Inbound(
            message_id=got.msgid, account=self.account, room_id=got.chatid, sender_id=sender,
            sender_name=self._people.get(sender, sender), text=got.text, ts=self.clock.now(),
            kind=got.kind, mentions_bot=got.chatid is not None, quote=got.quote, media=media)

    async def _save_media(self, got: wf.Received) -> str | None:
        """Download and decrypt (the SDK's AES-256-CBC with the message's own key) a photo sent
        privately, so the expert gets it. Best effort: the message arrives either way."""
        if self._media_dir is None or self.client is None or got.media_url is None:
            return None
        try:
            data, name = await self.client.download_file(got.media_url, got.aeskey)
            suffix = {MessageKind.IMAGE: ".jpg", MessageKind.VIDEO: ".mp4"}.get(got.kind, "")
            safe = _SAFE_NAME.sub("_", f"{got.msgid}-{name or 'media' + suffix}")[-120:]
            self._media_dir.mkdir(parents=True, exist_ok=True)
            path = self._media_dir / safe
            await asyncio.to_thread(path.write_bytes, data)
        except Exception as exc:
            log.info("media of message %s not saved: %s: %s", got.msgid, type(exc).__name__,
                     logsafe.scrub(str(exc)))
            return None
        return str(path)

    # --- outbound (the Transport port) -----------------------------------------------------------

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        client = self.client
        if client is None or not self._ready.is_set():
            raise DeliveryError(f"account {self.account} is not connected to WeCom")
        chat = address if to_room else self.ids.userid(address)
        try:
            sent_id = await self._send(client, chat, payload, to_room)
        except DeliveryError:
            raise
        except Exception as exc:
            raise _delivery_error(exc) from exc
        return Sent(sent_id, {"kind": payload_kind(payload), "account": self.account})

    async def _send(self, client: Any, chat: str, payload: Payload, to_room: bool) -> str:
        if isinstance(payload, TextOut):
            userids = [self.ids.userid(m) for m in payload.mentions] if to_room else []
            content = wf.markdown(payload, userids)
            request = self._fresh_request(chat)
            if request is not None:
                try:
                    stream_id, text = wf.stream_reply(uuid.uuid4().hex, content)
                    await client.reply_stream({"headers": {"req_id": request}}, stream_id,
                                              text, finish=True)
                    return request
                except Exception as exc:  # expired or refused: the same text, unprompted
                    log.info("reply on %s refused (%s); sending instead", request, exc)
            body = wf.markdown_body(content)
        elif isinstance(payload, LinkOut):
            body = wf.card_body(payload)
        elif isinstance(payload, FileOut) and payload.fallback is not None:
            # SDK 1.0.2 uploads no files: the sender falls back to the file's link card
            raise DeliveryError(f"{payload.name}: WeCom bot sends no files", retryable=False)
        else:
            assert isinstance(payload, FileOut | ImageOut)
            body = wf.markdown_body(msg.WECOM_NO_FILE.format(name=payload.name))
        ack = await client.send_message(chat, body)
        return wp.req_id(ack) or uuid.uuid4().hex

    def _fresh_request(self, chat: str) -> str | None:
        """The oldest unused req_id of ``chat`` still inside the reply window (each is used
        once: a second reply to the same message goes unprompted)."""
        waiting = self._requests.get(chat)
        now = self.clock.now().timestamp()
        while waiting:
            request, at = waiting.popleft()
            if now - at <= REPLY_WINDOW_SECONDS and request:
                return request
        return None


def _delivery_error(exc: BaseException) -> DeliveryError:
    code = wf.errcode(exc)
    text = logsafe.scrub(f"{type(exc).__name__}: {exc}")
    if code == wp.RATE_LIMITED:
        return DeliveryError(f"rate limited: {text}", rate_limited=True)
    if code is not None and code not in wp.RETRYABLE and code == wp.UNKNOWN_CHAT:
        return DeliveryError(text, retryable=False)
    return DeliveryError(text)
