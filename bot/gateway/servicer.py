"""The wechaty puppet service over a :class:`~bot.transport.local_world.LocalWorld`.

One servicer is one logged-in WeChat account (its bot contact in the world), as a real gateway
serves one account per token. It answers the ``/wechaty.Puppet/...`` calls python-wechaty's
``PuppetService`` makes — the same questions :class:`~bot.transport.local_puppet.LocalPuppet`
answers in-process — and streams what happens in the world as puppet events.

Message ids on the wire are ``<epoch>.<world id>``: stable for as long as the world lives (and
across restarts when the world is journaled, which keeps its epoch), and never reused by a fresh
world, so a bot that stays up while the gateway restarts cannot mistake a new message for one it
has already handled.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import inspect
import json
import logging
import mimetypes
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.gateway import protocol as wire
from bot.gateway.protocol import GRPCError, Status, Stream, pb
from bot.transport.local_world import (
    Event,
    LocalWorld,
    Membership,
    Message,
    SendRefused,
    TopicChange,
    WorldError,
    bot_contact_id,
)

log = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r"[^\w.-]+")

VERSION = "agribot-gateway/1"
HEARTBEAT_SECONDS = 15.0  # an idle stream still carries something, so proxies keep it open
STREAM_BACKLOG = 10_000  # events a slow client may lag behind before its stream is ended


def _ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


class PuppetServicer:
    """``grpclib`` handler for one account of ``world``; see :meth:`__mapping__`."""

    def __init__(self, world: LocalWorld, account: str, token: str, *, epoch: str,
                 files: Path, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.world = world
        self.account = account
        self.self_id = bot_contact_id(account)
        world.contact(self.self_id)  # fail early for an account the world lacks
        self._token = token.encode()
        self.epoch = epoch
        self.heartbeat_seconds = heartbeat_seconds
        self.refused_tokens = 0  # calls refused for a wrong token, for tests and the log
        self._files = files  # what the bot sends is kept on disk, as WeChat keeps it
        self._streams: set[asyncio.Queue[Any]] = set()
        self._unsubscribe: Callable[[], None] | None = None

    # --- life ------------------------------------------------------------------------------------

    def open(self) -> None:
        self._unsubscribe = self.world.subscribe(self._on_world)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.end_streams()

    def end_streams(self) -> None:
        """End every open event stream normally, as a gateway does when its puppet restarts."""
        for queue in list(self._streams):
            _close(queue)

    @property
    def streams(self) -> int:
        return len(self._streams)

    # --- ids -------------------------------------------------------------------------------------

    def wire_id(self, message_id: int) -> str:
        return f"{self.epoch}.{message_id}"

    def world_id(self, wire_id: str) -> int:
        epoch, _, number = wire_id.rpartition(".")
        if epoch != self.epoch or not number.isdigit():
            raise WorldError(f"no message {wire_id}")
        return int(number)

    def _message(self, wire_id: str) -> Message:
        return self.world.message(self.world_id(wire_id))

    # --- the mapping grpclib serves --------------------------------------------------------------

    def __mapping__(self) -> dict[str, wire.Handler]:
        # Every unary method's request and reply types follow from its name (FooRequest,
        # FooResponse); only the event stream is different.
        unary: dict[str, Callable[[Any], Any]] = {
            "Start": self.start, "Stop": self.stop, "Logout": self.logout, "Ding": self.ding,
            "Version": self.version, "DirtyPayload": self.dirty_payload,
            "ContactList": self.contact_list, "ContactPayload": self.contact_payload,
            "ContactAlias": self.contact_alias, "TagContactList": self.tag_contact_list,
            "RoomList": self.room_list, "RoomPayload": self.room_payload,
            "RoomMemberList": self.room_member_list,
            "RoomMemberPayload": self.room_member_payload, "RoomAdd": self.room_add,
            "RoomDel": self.room_del, "RoomTopic": self.room_topic,
            "MessagePayload": self.message_payload, "MessageUrl": self.message_url,
            "MessageFile": self.message_file, "MessageImage": self.message_image,
            "MessageContact": self.message_contact, "MessageSendText": self.send_text,
            "MessageSendUrl": self.send_url, "MessageSendFile": self.send_file,
            "MessageSendContact": self.send_contact,
        }
        handlers = dict(self._unary(name, handle, getattr(pb, f"{name}Request"),
                                    getattr(pb, f"{name}Response"))
                        for name, handle in unary.items())
        handlers.update([wire.server_stream("Event", self._guard(self.events), pb.EventRequest,
                                            pb.EventResponse)])
        return handlers

    def _guard(self, method: wire.Method) -> wire.Method:
        """Refuse a call whose token (the ``:authority``) is not ours, before anything else."""
        async def guarded(stream: Stream[Any, Any]) -> None:
            if not hmac.compare_digest(wire.authority(stream).encode(), self._token):
                self.refused_tokens += 1
                if self.refused_tokens == 1 or self.refused_tokens % 100 == 0:
                    log.warning("gateway: refused %d call(s) with a wrong token",
                                self.refused_tokens)
                raise GRPCError(Status.UNAUTHENTICATED,
                                "invalid token: check WECHATY_PUPPET_SERVICE_TOKEN")
            await method(stream)
        return guarded

    def _unary(self, name: str, handle: Callable[[Any], Any], request: type,
               reply: type) -> tuple[str, wire.Handler]:
        async def method(stream: Stream[Any, Any]) -> None:
            message = await stream.recv_message()
            try:
                result = handle(message)
                if inspect.isawaitable(result):
                    result = await result
            except SendRefused as exc:  # what WeChat says when sending too fast
                raise GRPCError(Status.RESOURCE_EXHAUSTED, str(exc)) from None
            except WorldError as exc:
                raise GRPCError(Status.NOT_FOUND, str(exc)) from None
            await stream.send_message(result)
        return wire.unary(name, self._guard(method), request, reply)

    # --- base ------------------------------------------------------------------------------------

    def start(self, _request: Any) -> Any:
        log.info("gateway: the client started the puppet of %s", self.account)
        return pb.StartResponse()

    def stop(self, _request: Any) -> Any:
        return pb.StopResponse()  # the world goes on: WeChat does not stop for a client

    def logout(self, _request: Any) -> Any:
        return pb.LogoutResponse()

    def ding(self, request: Any) -> Any:
        self._broadcast(wire.event(pb.EventType.EVENT_TYPE_DONG, data=request.data or "dong"))
        return pb.DingResponse()

    def version(self, _request: Any) -> Any:
        return pb.VersionResponse(version=VERSION)

    def dirty_payload(self, _request: Any) -> Any:
        return pb.DirtyPayloadResponse()  # every payload is read fresh from the world

    def tag_contact_list(self, _request: Any) -> Any:
        return pb.TagContactListResponse(ids=[])  # no tags in the local world

    async def events(self, stream: Stream[Any, Any]) -> None:
        """Login and ready first, then everything this account sees, with heartbeats."""
        await stream.recv_message()
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=STREAM_BACKLOG)
        self._streams.add(queue)
        log.info("gateway: event stream opened for %s (%d open)", self.account, len(self._streams))
        try:
            await stream.send_message(wire.event(pb.EventType.EVENT_TYPE_LOGIN,
                                                 contactId=self.self_id))
            await stream.send_message(wire.event(pb.EventType.EVENT_TYPE_READY, data="ready"))
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self.heartbeat_seconds)
                except TimeoutError:
                    item = wire.event(pb.EventType.EVENT_TYPE_HEARTBEAT, data="heartbeat")
                if item is None:
                    break
                await stream.send_message(item)
        finally:
            self._streams.discard(queue)
            log.info("gateway: event stream closed for %s", self.account)

    # --- world → events --------------------------------------------------------------------------

    def _sees(self, message: Message) -> bool:
        if message.from_id == self.self_id or message.type == "system":
            return False
        if message.room_id is not None:
            return self.self_id in self.world.room(message.room_id).member_ids
        return message.to_id == self.self_id

    def _on_world(self, event: Event) -> None:
        # Runs inside the world's calls: turn the event into a response and never raise.
        try:
            response = self._event_for(event)
        except Exception:
            log.exception("gateway: could not encode a world event")
            return
        if response is not None:
            self._broadcast(response)

    def _event_for(self, event: Event) -> Any:
        if isinstance(event, Message):
            if not self._sees(event):
                return None
            return wire.event(pb.EventType.EVENT_TYPE_MESSAGE, messageId=self.wire_id(event.id))
        in_room = self.self_id in self.world.room(event.room_id).member_ids
        if not in_room and not (isinstance(event, Membership) and self.self_id in event.member_ids):
            return None
        if isinstance(event, TopicChange):
            return wire.event(pb.EventType.EVENT_TYPE_ROOM_TOPIC, changerId=event.by,
                              newTopic=event.new, oldTopic=event.old, roomId=event.room_id,
                              timestamp=_ms(event.ts))
        if event.joined:
            return wire.event(pb.EventType.EVENT_TYPE_ROOM_JOIN,
                              inviteeIdList=list(event.member_ids), inviterId=event.by,
                              roomId=event.room_id, timestamp=_ms(event.ts))
        return wire.event(pb.EventType.EVENT_TYPE_ROOM_LEAVE,
                          removeeIdList=list(event.member_ids), removerId=event.by,
                          roomId=event.room_id, timestamp=_ms(event.ts))

    def _broadcast(self, response: Any) -> None:
        for queue in list(self._streams):
            try:
                queue.put_nowait(response)
            except asyncio.QueueFull:  # a stuck client: end its stream, it reconnects
                log.warning("gateway: an event stream fell too far behind; ending it")
                self._streams.discard(queue)
                _close(queue)

    # --- contacts and rooms ----------------------------------------------------------------------

    def contact_list(self, _request: Any) -> Any:
        return pb.ContactListResponse(ids=[c.id for c in self.world.contacts()])

    def contact_payload(self, request: Any) -> Any:
        contact = self.world.contact(request.id)
        return pb.ContactPayloadResponse(id=contact.id, name=contact.name, friend=True,
                                         type=pb.ContactType.CONTACT_TYPE_PERSONAL)

    def contact_alias(self, request: Any) -> Any:
        self.world.contact(request.id)
        return pb.ContactAliasResponse(alias=request.alias or "")

    def room_list(self, _request: Any) -> Any:
        return pb.RoomListResponse(ids=[r.id for r in self.world.rooms_of(self.self_id)])

    def room_payload(self, request: Any) -> Any:
        room = self.world.room(request.id)
        return pb.RoomPayloadResponse(id=room.id, topic=room.topic, owner_id=room.owner_id,
                                      admin_ids=[room.owner_id],
                                      member_ids=list(room.member_ids))

    def room_member_list(self, request: Any) -> Any:
        return pb.RoomMemberListResponse(member_ids=list(self.world.room(request.id).member_ids))

    def room_member_payload(self, request: Any) -> Any:
        self.world.room(request.id)
        contact = self.world.contact(request.member_id)
        return pb.RoomMemberPayloadResponse(id=contact.id, name=contact.name, room_alias="")

    def room_add(self, request: Any) -> Any:
        self.world.join(request.id, request.contact_id, by=self.self_id)
        return pb.RoomAddResponse()

    def room_del(self, request: Any) -> Any:
        self.world.leave(request.id, request.contact_id, by=self.self_id)
        return pb.RoomDelResponse()

    def room_topic(self, request: Any) -> Any:
        if request.topic:
            self.world.set_topic(request.id, request.topic, by=self.self_id)
        return pb.RoomTopicResponse(topic=self.world.room(request.id).topic)

    # --- reading messages ------------------------------------------------------------------------

    def message_payload(self, request: Any) -> Any:
        message = self._message(request.id)
        return pb.MessagePayloadResponse(
            id=request.id, filename=message.file_name, text=message.text or message.title,
            timestamp=_ms(message.ts), type=wire.WIRE_MESSAGE_TYPES[message.type],
            from_id=message.from_id, room_id=message.room_id or "", to_id=message.to_id or "",
            mention_ids=list(message.mentions))

    def message_url(self, request: Any) -> Any:
        message = self._message(request.id)
        return pb.MessageUrlResponse(url_link=json.dumps({
            "url": message.url, "title": message.title, "description": message.description,
            "thumbnailUrl": message.thumbnail_url}, ensure_ascii=False))

    def message_file(self, request: Any) -> Any:
        return pb.MessageFileResponse(filebox=self._file_box(request.id))

    def message_image(self, request: Any) -> Any:
        return pb.MessageImageResponse(filebox=self._file_box(request.id))

    def message_contact(self, request: Any) -> Any:
        return pb.MessageContactResponse(id=self._message(request.id).text)

    def _file_box(self, wire_id: str) -> str:
        message = self._message(wire_id)
        if not message.file_path:
            raise WorldError(f"message {wire_id} holds no file")
        data = Path(message.file_path).read_bytes()
        return json.dumps({"boxType": 1, "name": message.file_name,
                           "base64": base64.b64encode(data).decode("ascii")})

    # --- sending ---------------------------------------------------------------------------------

    async def _send(self, conversation_id: str, type: Any, **fields: Any) -> str:
        self.world.check_send()
        message = self.world.post(conversation_id, self.self_id, type, **fields)
        return self.wire_id(message.id)

    async def send_text(self, request: Any) -> Any:
        message_id = await self._send(request.conversation_id, "text", text=request.text,
                                      mentions=tuple(request.mentonal_ids or ()))
        return pb.MessageSendTextResponse(id=message_id)

    async def send_url(self, request: Any) -> Any:
        try:
            card = json.loads(request.url_link)  # the client sends the UrlLinkPayload as JSON
        except json.JSONDecodeError:
            raise GRPCError(Status.INVALID_ARGUMENT, "url_link is not JSON") from None
        message_id = await self._send(
            request.conversation_id, "url", title=card.get("title") or "",
            url=card.get("url") or "", description=card.get("description") or "",
            thumbnail_url=card.get("thumbnailUrl") or "")
        return pb.MessageSendUrlResponse(id=message_id)

    async def send_file(self, request: Any) -> Any:
        try:
            box = json.loads(request.filebox)
            data = base64.b64decode(box.get("base64") or "")
            name = str(box["name"])
        except (json.JSONDecodeError, KeyError, ValueError, TypeError):
            raise GRPCError(Status.INVALID_ARGUMENT, "filebox is not a base64 FileBox") from None
        media = box.get("mediaType") or mimetypes.guess_type(name)[0] or ""
        kind = "image" if media.startswith("image/") else "file"
        self._files.mkdir(parents=True, exist_ok=True)
        path = self._files / f"{uuid.uuid4().hex}-{_SAFE_NAME.sub('_', name)[-100:]}"
        path.write_bytes(data)
        message_id = await self._send(request.conversation_id, kind, text=name, file_name=name,
                                      file_path=str(path), file_size=len(data))
        return pb.MessageSendFileResponse(id=message_id)

    async def send_contact(self, request: Any) -> Any:
        card = self.world.contact(request.contact_id)
        message_id = await self._send(request.conversation_id, "contact", text=card.id,
                                      title=card.name)
        return pb.MessageSendContactResponse(id=message_id)


def _close(queue: asyncio.Queue[Any]) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(None)
