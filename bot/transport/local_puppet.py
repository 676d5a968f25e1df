"""The local world served to the real ``Wechaty`` class, as a python-wechaty puppet.

A subclass of ``wechaty.fake_puppet.FakePuppet`` (which python-wechaty ships for tests) that
answers every payload request from a :class:`LocalWorld`, turns what happens in the world into
puppet events, and records what the bot sends back into the world. One puppet per account:
it sees the rooms its bot is in and the private chats with its bot.

Like ``PuppetService``, :meth:`start` logs in, reports ready and then runs until stopped, so
the adapter drives both the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from bot.transport import wechaty_compat as wc
from bot.transport.local_world import (
    LocalWorld,
    Membership,
    Message,
    TopicChange,
    WorldError,
    bot_contact_id,
)

log = logging.getLogger(__name__)

_TYPES = {
    "text": wc.MessageType.MESSAGE_TYPE_TEXT,
    "url": wc.MessageType.MESSAGE_TYPE_URL,
    "file": wc.MessageType.MESSAGE_TYPE_ATTACHMENT,
    "image": wc.MessageType.MESSAGE_TYPE_IMAGE,
    "contact": wc.MessageType.MESSAGE_TYPE_CONTACT,
    "system": wc.MessageType.MESSAGE_TYPE_UNSPECIFIED,
}


def _ms(message_ts: Any) -> int:
    return int(message_ts.timestamp() * 1000)


class LocalPuppet(wc.FakePuppet):  # type: ignore[misc]
    """Serves ``world`` to one ``Wechaty`` as the bot of ``account``."""

    reads_local_paths = True  # file boxes may carry a local path (see wechaty_compat.file_box)

    def __init__(self, world: LocalWorld, account: str) -> None:
        super().__init__(wc.PuppetOptions(), name=f"local-{account}")
        self.world = world
        self.account = account
        self.login_user_id = bot_contact_id(account)
        world.contact(self.login_user_id)  # fail early for an account the world lacks
        # Message ids must be unique in the process: wechaty drops a message whose id any bot
        # has seen before (a global SingleIdContainer), and two accounts can share one world.
        self._prefix = f"{world.tag}.{account}."
        self._stopped = asyncio.Event()
        self._unsubscribe: Any = None

    # --- life ------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopped.clear()
        self._unsubscribe = self.world.subscribe(self._on_world)
        self.emitter.emit("login", wc.EventLoginPayload(contact_id=self.login_user_id))
        self.emitter.emit("ready", wc.EventReadyPayload(data="ready"))
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopped.set()

    def self_id(self) -> str:
        return str(self.login_user_id)

    # --- ids -------------------------------------------------------------------------------------

    def wire_id(self, message_id: int) -> str:
        return f"{self._prefix}{message_id}"

    def world_id(self, wire_id: str) -> int:
        if not wire_id.startswith(self._prefix):
            raise WorldError(f"no message {wire_id}")
        try:
            return int(wire_id[len(self._prefix):])
        except ValueError:
            raise WorldError(f"no message {wire_id}") from None

    # --- world → wechaty -------------------------------------------------------------------------

    def _sees(self, message: Message) -> bool:
        if message.from_id == self.login_user_id or message.type == "system":
            return False
        if message.room_id is not None:
            return self.login_user_id in self.world.room(message.room_id).member_ids
        return message.to_id == self.login_user_id

    def _on_world(self, event: Message | Membership | TopicChange) -> None:
        if isinstance(event, Message):
            if self._sees(event):
                self.emitter.emit("message", wc.EventMessagePayload(
                    message_id=self.wire_id(event.id)))
            return
        if self.login_user_id not in self.world.room(event.room_id).member_ids \
                and not (isinstance(event, Membership) and self.login_user_id in event.member_ids):
            return
        ts = _ms(event.ts)
        if isinstance(event, TopicChange):
            self.emitter.emit("room-topic", wc.EventRoomTopicPayload(
                changer_id=event.by, new_topic=event.new, old_topic=event.old,
                room_id=event.room_id, timestamp=ts))
        elif event.joined:
            self.emitter.emit("room-join", wc.EventRoomJoinPayload(
                invited_ids=list(event.member_ids), inviter_id=event.by,
                room_id=event.room_id, timestamp=ts))
        else:
            self.emitter.emit("room-leave", wc.EventRoomLeavePayload(
                removed_ids=list(event.member_ids), remover_id=event.by,
                room_id=event.room_id, timestamp=ts))

    # --- payloads --------------------------------------------------------------------------------

    async def contact_list(self) -> list[str]:
        return [c.id for c in self.world.contacts()]

    async def contact_payload(self, contact_id: str) -> Any:
        contact = self.world.contact(contact_id)
        return wc.ContactPayload(id=contact.id, name=contact.name, friend=True,
                                 type=wc.ContactType.CONTACT_TYPE_PERSONAL)

    async def contact_alias(self, contact_id: str, alias: str | None = None) -> str:
        self.world.contact(contact_id)
        return alias or ""

    async def room_list(self) -> list[str]:
        return [r.id for r in self.world.rooms_of(self.login_user_id)]

    async def room_search(self, query: Any = None) -> list[str]:
        return await self.room_list()

    async def room_payload(self, room_id: str) -> Any:
        room = self.world.room(room_id)
        return wc.RoomPayload(id=room.id, topic=room.topic, owner_id=room.owner_id,
                              admin_ids=[room.owner_id], member_ids=list(room.member_ids))

    async def room_members(self, room_id: str) -> list[str]:
        return list(self.world.room(room_id).member_ids)

    async def room_member_payload(self, room_id: str, contact_id: str) -> Any:
        contact = self.world.contact(contact_id)
        return wc.RoomMemberPayload(id=contact.id, name=contact.name, room_alias="")

    async def room_add(self, room_id: str, contact_id: str) -> None:
        self.world.join(room_id, contact_id, by=self.login_user_id)

    async def room_delete(self, room_id: str, contact_id: str) -> None:
        self.world.leave(room_id, contact_id, by=self.login_user_id)

    async def room_topic(self, room_id: str, new_topic: str) -> Any:
        if new_topic:
            self.world.set_topic(room_id, new_topic, by=self.login_user_id)
        return self.world.room(room_id).topic

    async def message_search(self, query: Any = None) -> list[str]:
        return []

    async def message_payload(self, message_id: str) -> Any:
        message = self.world.message(self.world_id(message_id))
        return wc.MessagePayload(
            id=message_id, filename=message.file_name, text=message.text or message.title,
            timestamp=_ms(message.ts), type=_TYPES[message.type], from_id=message.from_id,
            room_id=message.room_id or "", to_id=message.to_id or "",
            mention_ids=list(message.mentions))

    async def message_url(self, message_id: str) -> Any:
        message = self.world.message(self.world_id(message_id))
        return wc.UrlLinkPayload(url=message.url, title=message.title,
                                 description=message.description,
                                 thumbnailUrl=message.thumbnail_url)

    async def message_file(self, message_id: str) -> Any:
        message = self.world.message(self.world_id(message_id))
        if not message.file_path:
            raise WorldError(f"message {message_id} holds no local file")
        return wc.file_box(message.file_path, message.file_name)

    async def message_image(self, message_id: str, image_type: Any = None) -> Any:
        return await self.message_file(message_id)

    async def message_contact(self, message_id: str) -> str:
        return self.world.message(self.world_id(message_id)).text

    async def dirty_payload(self, payload_type: Any, payload_id: str) -> None:
        """Nothing is cached here: every payload is read from the world when asked."""

    # --- sending ---------------------------------------------------------------------------------

    def _send(self, conversation_id: str, type: Any, **fields: Any) -> str:
        self.world.check_send()
        message = self.world.post(conversation_id, self.login_user_id, type, **fields)
        return self.wire_id(message.id)

    async def message_send_text(self, conversation_id: str, message: str,
                                mention_ids: list[str] | None = None) -> str:
        return self._send(conversation_id, "text", text=message,
                          mentions=tuple(mention_ids or ()))

    async def message_send_url(self, conversation_id: str, url: str) -> str:
        card = json.loads(url)  # wechaty passes the UrlLinkPayload as JSON
        return self._send(conversation_id, "url", title=card.get("title") or "",
                          url=card.get("url") or "", description=card.get("description") or "",
                          thumbnail_url=card.get("thumbnailUrl") or "")

    async def message_send_file(self, conversation_id: str, file: Any) -> str:
        media = getattr(file, "mediaType", None) or ""
        return self._send(conversation_id, "image" if media.startswith("image/") else "file",
                          text=file.name, file_name=file.name,
                          file_path=getattr(file, "localPath", "") or "",
                          file_size=wc.file_box_size(file))

    async def message_send_contact(self, contact_id: str, conversation_id: str) -> str:
        card = self.world.contact(contact_id)
        return self._send(conversation_id, "contact", text=card.id, title=card.name)
