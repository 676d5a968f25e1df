"""One account's view over the local world: its message ids, what it sees, and what happens in
the world as neutral records.

Every face that serves the world to a bot is an encoder of this view and nothing more: the
in-process puppet (:mod:`bot.transport.local_puppet`), the gRPC gateway
(:mod:`bot.gateway.servicer`), and a WeCom long-connection fake. None of them keeps ids,
visibility or history of its own; they turn :class:`Seen`, :class:`~.local_world.Membership`
and :class:`~.local_world.TopicChange` into their wire's shapes, and their wire's requests into
the calls below.

What a platform shows an account differs (WeChat delivers every group message and every join;
a WeCom 智能机器人 only messages that @ it, media only in private chat, no joins). That is a
:class:`Sight` the face passes in, never a fork of the view.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.transport.local_world import (
    Contact,
    Event,
    LocalWorld,
    Membership,
    Message,
    MessageType,
    Room,
    TopicChange,
    WorldError,
    bot_contact_id,
)

log = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r"[^\w.-]+")


class BadPayload(ValueError):
    """A face's client sent something malformed (a link card that is not a JSON object, a file
    with neither bytes nor a readable path); the face answers with its wire's "invalid"."""


@dataclass(frozen=True)
class Sight:
    """What a platform lets one account see of the world: a capability of the face."""

    room_messages: Literal["all", "mentions"] = "all"  # "mentions": only messages that @ it
    room_media: bool = True  # False: images, videos and files in groups never reach the bot
    memberships: bool = True  # False: no joins, leaves or topic changes


WECHAT = Sight()  # a personal WeChat account through wechaty sees everything in its rooms


@dataclass(frozen=True)
class LinkCard:
    url: str
    title: str = ""
    description: str = ""
    thumbnail_url: str = ""

    @classmethod
    def from_json(cls, raw: str | bytes) -> LinkCard:
        """The ``UrlLinkPayload`` JSON wechaty sends (camelCase ``thumbnailUrl``)."""
        try:
            card = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadPayload("the link card is not JSON") from None
        if not isinstance(card, dict):
            raise BadPayload("the link card is not a JSON object")
        fields = {key: card.get(key) or "" for key in ("url", "title", "description",
                                                         "thumbnailUrl")}
        if not all(isinstance(value, str) for value in fields.values()):
            raise BadPayload("the link card's fields must be strings")
        if not fields["url"]:
            raise BadPayload("the link card has no url")
        return cls(fields["url"], fields["title"], fields["description"],
                   fields["thumbnailUrl"])

    def to_json(self) -> str:
        return json.dumps({"url": self.url, "title": self.title, "description": self.description,
                           "thumbnailUrl": self.thumbnail_url}, ensure_ascii=False)


@dataclass(frozen=True)
class Seen:
    """A world message as one account sees it: under that account's id."""

    id: str
    message: Message

    @property
    def text(self) -> str:
        """What the platform shows as the message's text (a card shows its title)."""
        return self.message.text or self.message.title

    @property
    def conversation(self) -> str:
        """Where a reply to it goes: its room, or the person of the private chat."""
        m = self.message
        return m.room_id if m.room_id is not None else m.person_side or m.from_id

    @property
    def timestamp_ms(self) -> int:
        return timestamp_ms(self.message.ts)

    @property
    def card(self) -> LinkCard:
        m = self.message
        return LinkCard(m.url, m.title, m.description, m.thumbnail_url)


Record = Seen | Membership | TopicChange
OnRecord = Callable[[Record], None]


def timestamp_ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def file_kind(name: str, media_type: str = "") -> MessageType:
    """A sent file is an image when its media type (else its name) says so."""
    media = media_type or mimetypes.guess_type(name)[0] or ""
    return "image" if media.startswith("image/") else "file"


class AccountView:
    """``world`` as the bot of ``account`` sees it through one face.

    ``prefix`` makes the face's message ids (``<prefix>.<world id>``) unique where they must be;
    ``files`` is where bytes the bot sends without a readable path are kept, as WeChat keeps
    them (None: such a send is refused).
    """

    def __init__(self, world: LocalWorld, account: str, *, prefix: str, sight: Sight = WECHAT,
                 files: Path | None = None) -> None:
        self.world = world
        self.account = account
        self.self_id = bot_contact_id(account)
        world.contact(self.self_id)  # fail early for an account the world lacks
        self.prefix = prefix
        self.sight = sight
        self.files = files

    # --- ids -------------------------------------------------------------------------------------

    def wire_id(self, message_id: int) -> str:
        return f"{self.prefix}.{message_id}"

    def world_id(self, wire_id: str) -> int:
        prefix, _, number = wire_id.rpartition(".")
        if prefix != self.prefix or not (number.isascii() and number.isdigit()):
            raise WorldError(f"no message {wire_id}")
        return int(number)

    # --- what it sees ----------------------------------------------------------------------------

    def can_read(self, message: Message) -> bool:
        """Messages of the rooms it is in and of its own private chats; nobody else's."""
        if message.room_id is not None:
            return self.self_id in self.world.room(message.room_id).member_ids
        return self.self_id in (message.from_id, message.to_id)

    def delivers(self, event: Event) -> bool:
        """Whether the face tells the bot about ``event`` (never its own messages)."""
        if isinstance(event, Message):
            if event.from_id == self.self_id or event.type == "system" \
                    or not self.can_read(event):
                return False
            if event.room_id is None:
                return True
            if self.sight.room_messages == "mentions" and self.self_id not in event.mentions:
                return False
            return self.sight.room_media or event.type not in ("image", "video", "file")
        if not self.sight.memberships:
            return False
        # a bot invited into a room hears of it, though it was not a member a moment ago
        return self.self_id in self.world.room(event.room_id).member_ids \
            or (isinstance(event, Membership) and self.self_id in event.member_ids)

    def record(self, event: Event) -> Record | None:
        """The neutral record the face encodes for ``event``, or None when it is not seen."""
        if not self.delivers(event):
            return None
        if isinstance(event, Message):
            return Seen(self.wire_id(event.id), event)
        return event

    def watch(self, on_record: OnRecord) -> Callable[[], None]:
        """Call ``on_record`` with every record this account sees; returns the unsubscribe.

        It runs inside the world's own calls (a member speaking): a face that fails to encode
        one record is logged here and never breaks the world or the other faces."""
        def observe(event: Event) -> None:
            try:
                record = self.record(event)
                if record is not None:
                    on_record(record)
            except Exception:
                log.exception("%s: could not pass on a world event", self.account)
        return self.world.subscribe(observe)

    # --- reading ---------------------------------------------------------------------------------

    def contacts(self) -> list[Contact]:
        return self.world.contacts()

    def contact(self, contact_id: str) -> Contact:
        return self.world.contact(contact_id)

    def rooms(self) -> list[Room]:
        return self.world.rooms_of(self.self_id)

    def room(self, room_id: str) -> Room:
        return self.world.room(room_id)

    def member(self, room_id: str, contact_id: str) -> Contact:
        self.world.room(room_id)
        return self.world.contact(contact_id)

    def message(self, wire_id: str) -> Seen:
        message = self.world.message(self.world_id(wire_id))
        if not self.can_read(message):
            raise WorldError(f"no message {wire_id}")
        return Seen(wire_id, message)

    def file(self, wire_id: str) -> tuple[Path, str]:
        """The path and name of a file or image message's content."""
        message = self.message(wire_id).message
        if not message.file_path:
            raise WorldError(f"message {wire_id} holds no file")
        return Path(message.file_path), message.file_name

    # --- acting ----------------------------------------------------------------------------------

    def send_text(self, conversation: str, text: str, mentions: Iterable[str] = ()) -> str:
        self._may_send(conversation)
        return self._id(self.world.post(conversation, self.self_id, "text", text=text,
                                        mentions=tuple(mentions)))

    def send_card(self, conversation: str, card: LinkCard) -> str:
        self._may_send(conversation)
        return self._id(self.world.post(
            conversation, self.self_id, "url", title=card.title, url=card.url,
            description=card.description, thumbnail_url=card.thumbnail_url))

    def send_file(self, conversation: str, name: str, *, media_type: str = "", path: str = "",
                  data: bytes | None = None) -> str:
        """A file or image. A readable ``path`` (the face is on the bot's machine) is kept as
        it is; otherwise ``data`` is written to ``files``. Its size is the bytes' size."""
        if path and Path(path).is_file():
            kept, size = Path(path), Path(path).stat().st_size
        elif data is not None and self.files is not None:
            kept, size = self.files / f"{uuid.uuid4().hex}-{_SAFE_NAME.sub('_', name)[-100:]}", \
                len(data)
        else:
            raise BadPayload(f"the file {name!r} has neither a readable path nor bytes to keep")
        self._may_send(conversation)
        if data is not None and kept != Path(path):
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(data)
        return self._id(self.world.post(conversation, self.self_id, file_kind(name, media_type),
                                        text=name, file_name=name, file_path=str(kept),
                                        file_size=size))

    def send_contact(self, conversation: str, contact_id: str) -> str:
        card = self.world.contact(contact_id)
        self._may_send(conversation)
        return self._id(self.world.post(conversation, self.self_id, "contact", text=card.id,
                                        title=card.name))

    def add_member(self, room_id: str, contact_id: str) -> None:
        self.world.join(room_id, contact_id, by=self.self_id)

    def remove_member(self, room_id: str, contact_id: str) -> None:
        self.world.leave(room_id, contact_id, by=self.self_id)

    def topic(self, room_id: str, new_topic: str = "") -> str:
        """Set the topic when given; the room's topic either way."""
        if new_topic:
            self.world.set_topic(room_id, new_topic, by=self.self_id)
        return self.world.room(room_id).topic

    def _may_send(self, conversation: str) -> None:
        """Refuse what WeChat refuses: a room the bot is not in, itself, a pending refusal."""
        if conversation == self.self_id:
            raise WorldError("a bot cannot write to itself")
        if self.world.is_room(conversation):
            if self.self_id not in self.world.room(conversation).member_ids:
                raise WorldError(f"{self.self_id} is not in {conversation}")
        else:
            self.world.contact(conversation)
        self.world.check_send()

    def _id(self, message: Message) -> str:
        return self.wire_id(message.id)
