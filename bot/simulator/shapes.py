"""The simulator API's JSON: rooms with their members' roles, messages, live events.

Roles are per room, from the home, as the bot itself judges them (``Home.administers``):
the admins of the room's region or of any region above it are ``admin`` there, the home's
experts are ``expert``, a bot is ``bot``, everyone else (technicians, newcomers) is ``member``.

A private message carries ``bot``, the bot account on the other side of the chat: with several
accounts a person has one private chat per bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import Home
from bot.domain import Tier
from bot.transport.local_world import (
    Contact,
    Event,
    LocalWorld,
    Membership,
    Message,
    Role,
    Room,
    TopicChange,
)

Json = dict[str, Any]


class Shapes:
    """Turns the world's objects into the API's JSON for one home."""

    def __init__(self, world: LocalWorld, home: Home, bots: Sequence[str]) -> None:
        self.world = world
        self.home = home
        self.bots = list(bots)  # the bots this simulator serves, in the order of bot.yaml
        self._media = home.paths.media.resolve()
        self.uploads = home.paths.data / "simulator" / "uploads"  # what members sent

    # --- people ----------------------------------------------------------------------------------

    def role_in(self, room: Room | None, contact: Contact) -> Role:
        if contact.role == "bot":
            return "bot"
        group = self.home.groups.get(room.group_id or "") if room is not None else None
        if group is not None:
            if self.home.administers(contact.id, group.region):
                return "admin"
            # any expert of the home: the bot takes an answer from an expert wherever he sits
            return "expert" if contact.id in self.home.experts else "member"
        return contact.role  # a room the home does not know: the world's own view

    def member(self, room: Room, contact: Contact) -> Json:
        return {"id": contact.id, "name": contact.name, "role": self.role_in(room, contact)}

    def private_contacts(self) -> list[Json]:
        """Who may chat with a bot privately on the page: every admin and expert, each with the
        bots they have a chat with — those they share a room with, and any that wrote to them
        (a relay from another account's bot)."""
        people = [c for c in self.world.contacts() if c.role in ("admin", "expert")]
        wanted = {c.id for c in people}
        shared: dict[str, set[str]] = {}
        for room in self.world.rooms():  # one pass over the rooms, not one per person
            bots = [b for b in self.bots if b in room.member_ids]
            if bots:
                for member in wanted.intersection(room.member_ids):
                    shared.setdefault(member, set()).update(bots)
        shaped = []
        for contact in people:
            region = self._region_of(contact.id)
            near = shared.get(contact.id, set())
            shaped.append({"id": contact.id, "name": contact.name, "role": contact.role,
                           "region": region, "region_name": self._region_name(region),
                           "bots": [b for b in self.bots if b in near
                                    or self.world.private_messages(contact.id, bot_id=b)]})
        return shaped

    def _region_of(self, contact_id: str) -> str | None:
        expert = self.home.experts.get(contact_id)
        if expert is not None:
            return expert.region
        return next((a.region for a in self.home.admins if a.id == contact_id), None)

    def _region_name(self, region_id: str | None) -> str:
        region = self.home.regions.get(region_id or "")
        return region.name if region is not None else ""

    # --- rooms -----------------------------------------------------------------------------------

    def room(self, room: Room) -> Json:
        group = self.home.groups.get(room.group_id or "")
        tier: Tier | None = group.tier if group is not None else None
        region = self.home.regions.get(group.region) if group is not None else None
        # The page groups rooms under the region one level up: county groups under their city,
        # city groups under the province, the province's own under itself.
        area = self.home.regions.get(region.parent) if region and region.parent else region
        log = self.world.messages(room.id)
        return {
            "id": room.id,
            "topic": room.topic,
            "group_id": room.group_id,
            "tier": tier.value if tier else None,
            "tier_label": tier.label if tier else "",
            "region": region.id if region else None,
            "region_name": region.name if region else "",
            "area": area.name if area else "",
            "members": [self.member(room, c) for c in self.world.members(room.id)],
            "last_message": self.message(log[-1]) if log else None,
        }

    # --- messages --------------------------------------------------------------------------------

    def message(self, message: Message) -> Json:
        sender = self.world.contact(message.from_id)
        shaped: Json = {
            "id": message.id,
            "from": message.from_id,
            "from_name": sender.name,
            "type": message.type,
            "text": message.text,
            "title": message.title,
            "url": message.url,
            "description": message.description,
            "file": self._file(message),
            "mentions": list(message.mentions),
            "mention_names": [self._name(m) for m in message.mentions],
            "ts": message.ts.isoformat(),
        }
        if message.room_id is None:
            shaped["bot"] = message.bot_side
        return shaped

    def _name(self, contact_id: str) -> str:
        return self.world.contact(contact_id).name if self.world.has_contact(contact_id) \
            else contact_id

    def _file(self, message: Message) -> Json | None:
        if not (message.file_name or message.file_path):
            return None
        return {"name": message.file_name or Path(message.file_path).name,
                "size": message.file_size, "url": self.media_url(message.file_path)}

    def media_url(self, file_path: str) -> str | None:
        """``/media/<path>`` for a file inside the home's media folder, ``/uploads/<path>`` for
        one a member sent, else ``None``."""
        if not file_path:
            return None
        where = Path(file_path).resolve()
        for prefix, root in (("/media/", self._media), ("/uploads/", self.uploads.resolve())):
            if where.is_relative_to(root):
                return prefix + where.relative_to(root).as_posix()
        return None

    # --- live events -----------------------------------------------------------------------------

    def event(self, event: Event) -> Json:
        if isinstance(event, Message):
            if event.room_id is not None:
                return {"kind": "message", "room_id": event.room_id,
                        "message": self.message(event)}
            return {"kind": "private", "contact_id": event.person_side, "bot": event.bot_side,
                    "message": self.message(event)}
        room = self.world.room(event.room_id)
        if isinstance(event, TopicChange):
            return {"kind": "topic", "room_id": room.id, "topic": event.new}
        assert isinstance(event, Membership)
        return {"kind": "members", "room_id": room.id, "joined": event.joined,
                "member_ids": list(event.member_ids),
                "members": [self.member(room, c) for c in self.world.members(room.id)]}
