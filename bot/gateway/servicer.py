"""The wechaty puppet service over a :class:`~bot.transport.local_world.LocalWorld`.

One servicer is one logged-in WeChat account (its bot contact in the world), as a real gateway
serves one account per token. It encodes that account's
:class:`~bot.transport.account_view.AccountView` — the view
:class:`~bot.transport.local_puppet.LocalPuppet` encodes in-process — as the
``/wechaty.Puppet/...`` calls python-wechaty's ``PuppetService`` makes, and streams the view's
records as puppet events.

Message ids on the wire are ``<epoch>.<world id>``: stable for as long as the world lives (and
across restarts when the world is journaled, which keeps its epoch), and never reused by a fresh
world, so a bot that stays up while the gateway restarts cannot mistake a new message for one it
has already handled.
"""

from __future__ import annotations

import base64
import hmac
import inspect
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.broadcast import Broadcast
from bot.gateway import protocol as wire
from bot.gateway.protocol import GRPCError, Status, Stream, pb
from bot.transport.account_view import (
    AccountView,
    BadPayload,
    LinkCard,
    Record,
    Seen,
    timestamp_ms,
)
from bot.transport.local_world import LocalWorld, SendRefused, TopicChange, WorldError

log = logging.getLogger(__name__)

VERSION = "agribot-gateway/1"
HEARTBEAT_SECONDS = 15.0  # an idle stream still carries something, so proxies keep it open
STREAM_BACKLOG = 10_000  # events a slow client may lag behind before its stream is ended


class PuppetServicer:
    """``grpclib`` handler for one account of ``world``; see :meth:`__mapping__`."""

    def __init__(self, world: LocalWorld, account: str, token: str, *, epoch: str,
                 files: Path, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.view = AccountView(world, account, prefix=epoch, files=files)
        self.account = account
        self.self_id = self.view.self_id
        self._token = token.encode()
        self.epoch = epoch
        self.refused_tokens = 0  # calls refused for a wrong token, for tests and the log
        self._events: Broadcast[Any] = Broadcast(
            f"gateway {account}", backlog=STREAM_BACKLOG, heartbeat_seconds=heartbeat_seconds,
            heartbeat=wire.event(pb.EventType.EVENT_TYPE_HEARTBEAT, data="heartbeat"))
        self._unsubscribe: Callable[[], None] | None = None

    # --- life ------------------------------------------------------------------------------------

    def open(self) -> None:
        self._unsubscribe = self.view.watch(self._on_record)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.end_streams()

    def end_streams(self) -> None:
        """End every open event stream normally, as a gateway does when its puppet restarts."""
        self._events.close()

    @property
    def streams(self) -> int:
        return len(self._events)

    def publish(self, event: Any) -> None:
        """Send one ``EventResponse`` on every open stream (as a flaky gateway repeats one)."""
        self._events.publish(event)

    def wire_id(self, message_id: int) -> str:
        return self.view.wire_id(message_id)

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
            except BadPayload as exc:
                raise GRPCError(Status.INVALID_ARGUMENT, str(exc)) from None
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
        self.publish(wire.event(pb.EventType.EVENT_TYPE_DONG, data=request.data or "dong"))
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
        with self._events.subscribe() as events:
            log.info("gateway: event stream opened for %s (%d open)", self.account,
                     len(self._events))
            try:
                await stream.send_message(wire.event(pb.EventType.EVENT_TYPE_LOGIN,
                                                     contactId=self.self_id))
                await stream.send_message(wire.event(pb.EventType.EVENT_TYPE_READY,
                                                     data="ready"))
                async for item in events:
                    await stream.send_message(item)
            finally:
                log.info("gateway: event stream closed for %s", self.account)

    # --- view → events ---------------------------------------------------------------------------

    def _on_record(self, record: Record) -> None:
        self.publish(_event_for(record))

    # --- contacts and rooms ----------------------------------------------------------------------

    def contact_list(self, _request: Any) -> Any:
        return pb.ContactListResponse(ids=[c.id for c in self.view.contacts()])

    def contact_payload(self, request: Any) -> Any:
        contact = self.view.contact(request.id)
        return pb.ContactPayloadResponse(id=contact.id, name=contact.name, friend=True,
                                         type=pb.ContactType.CONTACT_TYPE_PERSONAL)

    def contact_alias(self, request: Any) -> Any:
        self.view.contact(request.id)
        return pb.ContactAliasResponse(alias=request.alias or "")

    def room_list(self, _request: Any) -> Any:
        return pb.RoomListResponse(ids=[r.id for r in self.view.rooms()])

    def room_payload(self, request: Any) -> Any:
        room = self.view.room(request.id)
        return pb.RoomPayloadResponse(id=room.id, topic=room.topic, owner_id=room.owner_id,
                                      admin_ids=[room.owner_id],
                                      member_ids=list(room.member_ids))

    def room_member_list(self, request: Any) -> Any:
        return pb.RoomMemberListResponse(member_ids=list(self.view.room(request.id).member_ids))

    def room_member_payload(self, request: Any) -> Any:
        contact = self.view.member(request.id, request.member_id)
        return pb.RoomMemberPayloadResponse(id=contact.id, name=contact.name, room_alias="")

    def room_add(self, request: Any) -> Any:
        self.view.add_member(request.id, request.contact_id)
        return pb.RoomAddResponse()

    def room_del(self, request: Any) -> Any:
        self.view.remove_member(request.id, request.contact_id)
        return pb.RoomDelResponse()

    def room_topic(self, request: Any) -> Any:
        return pb.RoomTopicResponse(topic=self.view.topic(request.id, request.topic))

    # --- reading messages ------------------------------------------------------------------------

    def message_payload(self, request: Any) -> Any:
        seen = self.view.message(request.id)
        message = seen.message
        return pb.MessagePayloadResponse(
            id=seen.id, filename=message.file_name, text=seen.text,
            timestamp=seen.timestamp_ms, type=wire.WIRE_MESSAGE_TYPES[message.type],
            from_id=message.from_id, room_id=message.room_id or "", to_id=message.to_id or "",
            mention_ids=list(message.mentions))

    def message_url(self, request: Any) -> Any:
        return pb.MessageUrlResponse(url_link=self.view.message(request.id).card.to_json())

    def message_file(self, request: Any) -> Any:
        return pb.MessageFileResponse(filebox=self._file_box(request.id))

    def message_image(self, request: Any) -> Any:
        return pb.MessageImageResponse(filebox=self._file_box(request.id))

    def message_contact(self, request: Any) -> Any:
        return pb.MessageContactResponse(id=self.view.message(request.id).message.text)

    def _file_box(self, wire_id: str) -> str:
        path, name = self.view.file(wire_id)
        return json.dumps({"boxType": 1, "name": name,
                           "base64": base64.b64encode(path.read_bytes()).decode("ascii")})

    # --- sending ---------------------------------------------------------------------------------

    def send_text(self, request: Any) -> Any:
        return pb.MessageSendTextResponse(id=self.view.send_text(
            request.conversation_id, request.text, request.mentonal_ids or ()))

    def send_url(self, request: Any) -> Any:
        # the client sends the UrlLinkPayload as JSON
        return pb.MessageSendUrlResponse(id=self.view.send_card(
            request.conversation_id, LinkCard.from_json(request.url_link)))

    def send_file(self, request: Any) -> Any:
        # Only the bytes count: a path in a remote client's box names a file on its machine
        # (and must never make the gateway serve one of its own).
        try:
            box = json.loads(request.filebox)
            data = base64.b64decode(box["base64"], validate=True)
            name = str(box["name"])
            media_type = str(box.get("mediaType") or "")
        except (json.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
            raise GRPCError(Status.INVALID_ARGUMENT, "filebox is not a base64 FileBox") from None
        return pb.MessageSendFileResponse(id=self.view.send_file(
            request.conversation_id, name, media_type=media_type, data=data))

    def send_contact(self, request: Any) -> Any:
        return pb.MessageSendContactResponse(id=self.view.send_contact(
            request.conversation_id, request.contact_id))


def _event_for(record: Record) -> Any:
    if isinstance(record, Seen):
        return wire.event(pb.EventType.EVENT_TYPE_MESSAGE, messageId=record.id)
    ts = timestamp_ms(record.ts)
    if isinstance(record, TopicChange):
        return wire.event(pb.EventType.EVENT_TYPE_ROOM_TOPIC, changerId=record.by,
                          newTopic=record.new, oldTopic=record.old, roomId=record.room_id,
                          timestamp=ts)
    if record.joined:
        return wire.event(pb.EventType.EVENT_TYPE_ROOM_JOIN,
                          inviteeIdList=list(record.member_ids), inviterId=record.by,
                          roomId=record.room_id, timestamp=ts)
    return wire.event(pb.EventType.EVENT_TYPE_ROOM_LEAVE,
                      removeeIdList=list(record.member_ids), removerId=record.by,
                      roomId=record.room_id, timestamp=ts)
