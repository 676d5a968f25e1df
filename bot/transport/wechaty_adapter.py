"""One WeChat account through python-wechaty: inbound as core dataclasses, outbound as a
:class:`~bot.core.ports.Transport`.

Runs a real ``Wechaty`` over any puppet: the :class:`~bot.transport.local_puppet.LocalPuppet`
or ``PuppetService`` for real WeChat (:func:`service_puppet_factory`). The puppet's session is
supervised: when it ends or fails (the service dropped), a fresh ``Wechaty`` and puppet are
started after an exponential backoff, and ``on_ready`` fires again so rooms are re-bound.

Two states: :attr:`connected` (logged in, the puppet ready: messages can be sent to rooms bound
in an earlier run) comes at once; :attr:`ready` (every room listed and ``on_ready`` done) comes
after a round trip per room, tens of seconds to minutes for thousands of rooms, so the sender
goes by ``connected`` and the listing runs beside it.

Callbacks may be plain functions or coroutines; one that raises is logged with the message id
and the bot carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from bot import messages as msg
from bot.chat.rooms import RoomInfo
from bot.clock import Clock, SystemClock
from bot.core.messages import (
    Inbound,
    MembershipChange,
    MessageKind,
    Payload,
    Sent,
)
from bot.core.ports import DeliveryError
from bot.tasks import TaskGroup
from bot.transport import wechaty_compat as wc
from bot.transport import wechaty_outbound as outbound
from bot.transport.backoff import DEFAULT_BACKOFF, Backoff
from bot.transport.text import parse_mentions, parse_quote
from bot.transport.wechaty_outbound import DEFAULT_MAX_FILE_BYTES

log = logging.getLogger(__name__)

_MEDIA_KINDS = frozenset({MessageKind.IMAGE, MessageKind.VIDEO, MessageKind.FILE})
# (room id or None, sender id) → whether a feature will use this message's file: fetching and
# keeping every photo of every group would fill the disk with files nobody reads
MediaWanted = Callable[[str | None, str], bool | Awaitable[bool]]  # may ask the database
_SAFE_NAME = re.compile(r"[^\w.-]+")

Callback = Callable[[Any], Awaitable[None] | None]
ErrorCallback = Callable[[BaseException], None]
PuppetFactory = Callable[[], Any]
Sleep = Callable[[float], Awaitable[None]]

# Reading a message may wait (names, a media check in the database worker, a download); the next
# one waits at most this long for it to be handed over first, so one stuck read cannot hold the
# account's inbound for good.
HANDOVER_WAIT_SECONDS = 30.0

_KINDS = {
    "MESSAGE_TYPE_TEXT": MessageKind.TEXT,
    "MESSAGE_TYPE_IMAGE": MessageKind.IMAGE,
    "MESSAGE_TYPE_EMOTICON": MessageKind.IMAGE,
    "MESSAGE_TYPE_VIDEO": MessageKind.VIDEO,
    "MESSAGE_TYPE_AUDIO": MessageKind.AUDIO,
    "MESSAGE_TYPE_ATTACHMENT": MessageKind.FILE,
    "MESSAGE_TYPE_URL": MessageKind.URL,
}


def service_puppet_factory() -> PuppetFactory:
    """Puppets for real WeChat; token and endpoint come from the environment only."""
    return wc.service_puppet


class WechatyAdapter:
    """Runs one account: ``async with WechatyAdapter(...) as a: await a.wait_ready()``."""

    def __init__(self, account: str, puppet_factory: PuppetFactory, *,
                 on_message: Callback | None = None, on_membership: Callback | None = None,
                 on_ready: Callback | None = None, on_error: ErrorCallback | None = None,
                 on_connected: Callable[[], None] = lambda: None,
                 clock: Clock | None = None, sleep: Sleep = asyncio.sleep,
                 backoff: Backoff = DEFAULT_BACKOFF,
                 max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 media_dir: Path | None = None,
                 media_wanted: MediaWanted = lambda _room, _sender: True) -> None:
        self.account = account
        self._media_dir = media_dir
        self._media_wanted = media_wanted
        self._factory = puppet_factory
        self._on_message = on_message
        self._on_membership = on_membership
        self._on_ready = on_ready
        self._on_connected = on_connected  # a plain function: the sender may go now
        self._on_error = on_error
        self.clock = clock or SystemClock()
        self._sleep = sleep
        self.backoff = backoff
        self.max_file_bytes = max_file_bytes
        self.bot: Any = None  # the running Wechaty, None between sessions
        self._handed_over: asyncio.Future[None] | None = None  # the latest message's hand-over
        self.self_id = ""
        self.self_name = ""
        self.reconnects = 0
        self.last_error: BaseException | None = None
        self._last_reported = ""
        self._ready = asyncio.Event()
        self._connected = asyncio.Event()
        self._login = asyncio.Event()
        self._closing = False
        self._tasks = TaskGroup()
        self._task: asyncio.Task[None] | None = None

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> WechatyAdapter:
        self._closing = False
        self._task = self._tasks.spawn(self._supervise(), name=f"wechaty:{self.account}")
        self._task.add_done_callback(self._supervisor_done)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._closing = True
        if self.bot is not None:
            await wc.stop(self.bot)
        elif self._task is not None:
            self._task.cancel()  # between sessions, in the backoff wait: nothing to finish
        if self._task is not None:
            # The supervisor returns once the puppet has stopped; cancel it if it does not.
            await asyncio.wait({self._task}, timeout=10)
            await self._tasks.aclose()
            self._task = None

    @property
    def ready(self) -> bool:
        """Connected, and every room listed and handed to ``on_ready``."""
        return self._ready.is_set()

    @property
    def connected(self) -> bool:
        """Logged in and the puppet ready: sending works, whether or not rooms are listed."""
        return self._connected.is_set()

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Until logged in with rooms listed; raises if the supervisor died meanwhile."""
        waiter = asyncio.ensure_future(self._ready.wait())
        pending: set[asyncio.Future[Any]] = {waiter}
        if self._task is not None:
            pending.add(self._task)
        done, _ = await asyncio.wait(pending, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if self._task is not None and self._task.done():
                raise RuntimeError(f"account {self.account} stopped") from self.last_error
            raise TimeoutError(f"account {self.account} not ready after {timeout}s")

    async def _supervise(self) -> None:
        failures = 0
        while not self._closing:
            bot = wc.make_wechaty(self._factory(), name=self.account)
            self._wire(bot)
            self.bot = bot
            try:
                await wc.start(bot, on_error=self._report)
                if not self._closing:
                    log.warning("account %s: the puppet session ended", self.account)
            except Exception as exc:
                if self._closing:  # we closed the channel under it: expected, not a failure
                    log.debug("account %s: session ended on close: %r", self.account, exc)
                else:
                    self._report(exc)
            finally:
                was_ready = self._ready.is_set()
                self._ready.clear()
                self._connected.clear()
                self._login.clear()
                self.bot = None
                await wc.stop(bot)
            if self._closing:
                return
            failures = 0 if was_ready else failures + 1
            delay = self.backoff.delay(max(failures - 1, 0))
            self.reconnects += 1
            log.warning("account %s: reconnecting in %.1fs (attempt %d)",
                        self.account, delay, self.reconnects)
            await self._sleep(delay)

    def _supervisor_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._report(task.exception())  # type: ignore[arg-type]

    def _report(self, exc: BaseException) -> None:
        self.last_error = exc
        if wc.is_unauthenticated(exc):
            text = msg.WECHATY_BAD_TOKEN.format(account=self.account)
        else:
            text = f"account {self.account}: {type(exc).__name__}: {exc}"
        # The same failure on every reconnect (gateway down, token refused) is said once, until
        # a session gets ready again; the reconnect lines show it is still being retried.
        if text == self._last_reported:
            log.debug("%s (again)", text)
        else:
            self._last_reported = text
            log.error("%s", text)
        if self._on_error is not None:
            try:
                self._on_error(exc)  # a plain function: errors can arrive outside the loop's tasks
            except Exception:
                log.exception("the error callback failed")

    # --- events ----------------------------------------------------------------------------------

    def _wire(self, bot: Any) -> None:
        bot.on("login", self._handle_login)
        bot.on("ready", self._handle_ready)
        bot.on("message", self._handle_message)
        bot.on("room-join", self._handle_join)
        bot.on("room-leave", self._handle_leave)
        bot.on("room-topic", self._handle_topic)

    async def _handle_login(self, contact: Any) -> None:
        self.self_id = contact.contact_id
        self.self_name = contact.name
        self._login.set()

    async def _handle_ready(self, _payload: Any) -> None:
        """Connected now; then list the rooms. This handler runs as a task of its own (pyee's),
        so the listing holds back neither the event stream nor the sender."""
        await self._login.wait()
        self._connected.set()
        log.info("account %s: connected as %s; listing rooms", self.account, self.self_id)
        try:
            self._on_connected()
        except Exception:
            log.exception("account %s: the connected callback failed", self.account)
        if await self._announce_rooms():
            self._last_reported = ""
            self._ready.set()
            log.info("account %s: ready as %s", self.account, self.self_id)

    async def _announce_rooms(self) -> bool:
        try:
            rooms = await self.rooms()
        except Exception as exc:
            self._report(exc)
            return False
        await self._call(self._on_ready, rooms, "ready")
        return True

    async def rooms(self) -> list[RoomInfo]:
        """The rooms this account is in, as the platform names them now."""
        puppet = self.bot.puppet
        me = puppet.self_id()
        rooms = []
        for room_id in await puppet.room_list():
            payload = await puppet.room_payload(room_id)
            members = tuple(m for m in (payload.member_ids or ()) if m != me)
            rooms.append(RoomInfo(room_id, payload.topic or "", members))
        return rooms

    async def _handle_message(self, msg: Any) -> None:
        """Read the message, then hand it over in the order messages arrived: a photo whose
        media check or download takes a while must not be overtaken by the 「#结束」 sent after
        it (the reads still run side by side)."""
        previous = self._handed_over
        self._handed_over = mine = asyncio.get_running_loop().create_future()
        try:
            try:
                inbound = await self.to_inbound(msg)
            except Exception:
                log.exception("account %s: could not read message %s", self.account,
                              getattr(msg, "message_id", "?"))
                return
            if previous is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(previous), HANDOVER_WAIT_SECONDS)
            if inbound is not None:
                await self._call(self._on_message, inbound, inbound.message_id)
        finally:
            mine.set_result(None)

    async def _handle_join(self, room: Any, invitees: list[Any], _inviter: Any,
                           _date: Any) -> None:
        await self._membership(room, invitees, joined=True)

    async def _handle_leave(self, room: Any, leavers: list[Any], _remover: Any,
                            _date: Any) -> None:
        await self._membership(room, leavers, joined=False)

    async def _handle_topic(self, *_args: Any) -> None:
        await self._announce_rooms()

    async def _membership(self, room: Any, people: list[Any], *, joined: bool) -> None:
        change = MembershipChange(
            account=self.account, room_id=room.room_id,
            member_ids=tuple(p.contact_id for p in people),
            member_names=tuple(p.name for p in people), joined=joined, ts=self.clock.now())
        if self.self_id in change.member_ids:
            await self._announce_rooms()  # the bot itself was added or removed
            return
        await self._call(self._on_membership, change, f"{room.room_id}:{joined}")

    async def _call(self, callback: Callback | None, value: Any, ref: str) -> None:
        if callback is None:
            return
        try:
            result = callback(value)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("account %s: handler failed on %s", self.account, ref)

    # --- inbound ---------------------------------------------------------------------------------

    async def to_inbound(self, msg: Any) -> Inbound | None:
        """A wechaty ``Message`` as the core's :class:`Inbound`; ``None`` for our own."""
        payload = msg.payload
        sender = payload.from_id or ""
        if not sender or sender == self.self_id:
            return None
        kind = _KINDS.get(getattr(payload.type, "name", ""), MessageKind.OTHER)
        room_id = payload.room_id or None
        raw = payload.text or ""
        mention_ids = [m for m in (payload.mention_ids or []) if m]
        quote = None
        text = raw
        mentions_bot = self.self_id in mention_ids
        if kind is MessageKind.TEXT:
            reply = parse_quote(raw)
            quote, text = reply.quote, reply.text
            names = await self._names(room_id, mention_ids)
            parsed = parse_mentions(text, [*names.values(), self.self_name])
            text = parsed.body
            if not mention_ids and room_id and parsed.names:
                by_name = {name: cid for cid, name in (await self._names(room_id, None)).items()}
                mention_ids = [by_name[n] for n in parsed.names if n in by_name]
            mentions_bot = mentions_bot or (bool(self.self_name)
                                            and self.self_name in parsed.names)
        elif not raw:
            text = payload.filename or ""
        wanted = False
        if kind in _MEDIA_KINDS:
            answer = self._media_wanted(room_id, sender)
            wanted = await answer if inspect.isawaitable(answer) else answer
        media = await self._save_media(msg) if wanted else None
        return Inbound(
            message_id=msg.message_id, account=self.account, room_id=room_id,
            sender_id=sender, sender_name=msg.talker().name or sender, text=text,
            ts=self._timestamp(payload.timestamp), kind=kind, mentions=tuple(mention_ids),
            mentions_bot=mentions_bot, quote=quote, media=media)

    async def _save_media(self, msg: Any) -> str | None:
        """Keep a photo, video or file under ``media_dir`` so features can pass it on (an
        expert gets the photo of a sick plant, not a note to go and look). Best effort: a
        message whose media cannot be fetched still arrives, without it."""
        if self._media_dir is None:
            return None
        try:
            box = await msg.to_file_box()
            name = _SAFE_NAME.sub("_", f"{msg.message_id}-{box.name or 'media'}")[-120:]
            path = self._media_dir / name
            self._media_dir.mkdir(parents=True, exist_ok=True)
            await box.to_file(str(path), overwrite=True)
        except Exception as exc:
            log.info("media of message %s not saved: %s: %s", msg.message_id,
                     type(exc).__name__, exc)
            return None
        return str(path)

    async def _names(self, room_id: str | None, ids: list[str] | None) -> dict[str, str]:
        """Display names by contact id: the given ids, or every member of the room."""
        puppet = self.bot.puppet
        if ids is None:
            ids = await puppet.room_members(room_id) if room_id else []
        names = {}
        for contact_id in ids:
            try:
                names[contact_id] = (await puppet.contact_payload(contact_id)).name
            except Exception:
                log.debug("no name for %s", contact_id)
        return names

    def _timestamp(self, value: int) -> datetime:
        if not value:
            return self.clock.now()
        seconds = value / 1000 if value > 2_145_888_000 else value  # ms from most puppets
        return datetime.fromtimestamp(seconds, UTC)

    # --- outbound (the Transport port) -----------------------------------------------------------

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        bot = self.bot
        if bot is None or not self._connected.is_set():
            raise DeliveryError(f"account {self.account} is not connected")
        return await outbound.send(bot, self.account, address, payload, to_room=to_room,
                                   names=self._names, max_file_bytes=self.max_file_bytes)
