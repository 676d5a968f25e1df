"""The local world served to the real ``Wechaty`` class, as a python-wechaty puppet.

A subclass of ``wechaty.fake_puppet.FakePuppet`` (which python-wechaty ships for tests) that
encodes one account's :class:`~bot.transport.account_view.AccountView` of a :class:`LocalWorld`
for python-wechaty: payload requests are answered from the view, the view's records become
puppet events, and what the bot sends goes back through the view. Ids and visibility are the
view's; this module only knows wechaty's shapes.

Like ``PuppetService``, :meth:`start` logs in, reports ready and then runs until stopped, so
the adapter drives both the same way.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from bot.transport import wechaty_compat as wc
from bot.transport.account_view import AccountView, LinkCard, Record, Seen, timestamp_ms
from bot.transport.local_world import LocalWorld, TopicChange

_TYPES = {
    "text": wc.MessageType.MESSAGE_TYPE_TEXT,
    "url": wc.MessageType.MESSAGE_TYPE_URL,
    "file": wc.MessageType.MESSAGE_TYPE_ATTACHMENT,
    "image": wc.MessageType.MESSAGE_TYPE_IMAGE,
    "video": wc.MessageType.MESSAGE_TYPE_VIDEO,
    "contact": wc.MessageType.MESSAGE_TYPE_CONTACT,
    "system": wc.MessageType.MESSAGE_TYPE_UNSPECIFIED,
}


class LocalPuppet(wc.FakePuppet):  # type: ignore[misc]
    """Serves ``world`` to one ``Wechaty`` as the bot of ``account``."""

    reads_local_paths = True  # file boxes may carry a local path (see wechaty_compat.file_box)

    def __init__(self, world: LocalWorld, account: str, *, files: Path | None = None) -> None:
        super().__init__(wc.PuppetOptions(), name=f"local-{account}")
        # Message ids must be unique in the process: wechaty drops a message whose id any bot
        # has seen before (a global SingleIdContainer), and two accounts can share one world.
        self.view = AccountView(world, account, prefix=f"{world.tag}.{account}", files=files)
        self.account = account
        self.login_user_id = self.view.self_id
        self._stopped = asyncio.Event()
        self._unsubscribe: Any = None

    # --- life ------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopped.clear()
        self._unsubscribe = self.view.watch(self._emit)
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

    def wire_id(self, message_id: int) -> str:
        return self.view.wire_id(message_id)

    def world_id(self, wire_id: str) -> int:
        return self.view.world_id(wire_id)

    # --- view → wechaty events -------------------------------------------------------------------

    def _emit(self, record: Record) -> None:
        if isinstance(record, Seen):
            self.emitter.emit("message", wc.EventMessagePayload(message_id=record.id))
            return
        ts = timestamp_ms(record.ts)
        if isinstance(record, TopicChange):
            self.emitter.emit("room-topic", wc.EventRoomTopicPayload(
                changer_id=record.by, new_topic=record.new, old_topic=record.old,
                room_id=record.room_id, timestamp=ts))
        elif record.joined:
            self.emitter.emit("room-join", wc.EventRoomJoinPayload(
                invited_ids=list(record.member_ids), inviter_id=record.by,
                room_id=record.room_id, timestamp=ts))
        else:
            self.emitter.emit("room-leave", wc.EventRoomLeavePayload(
                removed_ids=list(record.member_ids), remover_id=record.by,
                room_id=record.room_id, timestamp=ts))

    # --- payloads --------------------------------------------------------------------------------

    async def contact_list(self) -> list[str]:
        return [c.id for c in self.view.contacts()]

    async def contact_payload(self, contact_id: str) -> Any:
        contact = self.view.contact(contact_id)
        return wc.ContactPayload(id=contact.id, name=contact.name, friend=True,
                                 type=wc.ContactType.CONTACT_TYPE_PERSONAL)

    async def contact_alias(self, contact_id: str, alias: str | None = None) -> str:
        self.view.contact(contact_id)
        return alias or ""

    async def room_list(self) -> list[str]:
        return [r.id for r in self.view.rooms()]

    async def room_search(self, query: Any = None) -> list[str]:
        return await self.room_list()

    async def room_payload(self, room_id: str) -> Any:
        room = self.view.room(room_id)
        return wc.RoomPayload(id=room.id, topic=room.topic, owner_id=room.owner_id,
                              admin_ids=[room.owner_id], member_ids=list(room.member_ids))

    async def room_members(self, room_id: str) -> list[str]:
        return list(self.view.room(room_id).member_ids)

    async def room_member_payload(self, room_id: str, contact_id: str) -> Any:
        contact = self.view.member(room_id, contact_id)
        return wc.RoomMemberPayload(id=contact.id, name=contact.name, room_alias="")

    async def room_add(self, room_id: str, contact_id: str) -> None:
        self.view.add_member(room_id, contact_id)

    async def room_delete(self, room_id: str, contact_id: str) -> None:
        self.view.remove_member(room_id, contact_id)

    async def room_topic(self, room_id: str, new_topic: str) -> Any:
        return self.view.topic(room_id, new_topic)

    async def message_search(self, query: Any = None) -> list[str]:
        return []

    async def message_payload(self, message_id: str) -> Any:
        seen = self.view.message(message_id)
        message = seen.message
        return wc.MessagePayload(
            id=seen.id, filename=message.file_name, text=seen.text,
            timestamp=seen.timestamp_ms, type=_TYPES[message.type], from_id=message.from_id,
            room_id=message.room_id or "", to_id=message.to_id or "",
            mention_ids=list(message.mentions))

    async def message_url(self, message_id: str) -> Any:
        card = self.view.message(message_id).card
        return wc.UrlLinkPayload(url=card.url, title=card.title, description=card.description,
                                 thumbnailUrl=card.thumbnail_url)

    async def message_file(self, message_id: str) -> Any:
        path, name = self.view.file(message_id)
        return wc.file_box(path, name)

    async def message_image(self, message_id: str, image_type: Any = None) -> Any:
        return await self.message_file(message_id)

    async def message_contact(self, message_id: str) -> str:
        return self.view.message(message_id).message.text

    async def dirty_payload(self, payload_type: Any, payload_id: str) -> None:
        """Nothing is cached here: every payload is read from the world when asked."""

    # --- sending ---------------------------------------------------------------------------------

    async def message_send_text(self, conversation_id: str, message: str,
                                mention_ids: list[str] | None = None) -> str:
        return self.view.send_text(conversation_id, message, mention_ids or ())

    async def message_send_url(self, conversation_id: str, url: str) -> str:
        # wechaty passes the UrlLinkPayload as JSON
        return self.view.send_card(conversation_id, LinkCard.from_json(url))

    async def message_send_file(self, conversation_id: str, file: Any) -> str:
        raw = getattr(file, "base64", b"")
        return self.view.send_file(conversation_id, file.name,
                                   media_type=getattr(file, "mediaType", None) or "",
                                   path=getattr(file, "localPath", "") or "",
                                   data=base64.b64decode(raw) if raw else None)

    async def message_send_contact(self, contact_id: str, conversation_id: str) -> str:
        return self.view.send_contact(conversation_id, contact_id)
