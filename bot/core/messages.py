"""The plain data the core speaks: what arrives from a chat platform and what it sends back.

Adapters (local puppet, wechaty, WeCom webhook) translate to and from these; nothing in the core
imports a chat SDK. Outbound payloads round-trip through JSON because every one is an outbox row
before it is sent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    FILE = "file"
    URL = "url"
    OTHER = "other"


@dataclass(frozen=True)
class Quote:
    """The message a reply quotes, as WeChat shows it: ``「name：text」``."""

    name: str
    text: str


@dataclass(frozen=True)
class Inbound:
    """One message the bot received, in a room (``room_id``) or in private chat (``None``)."""

    message_id: str
    account: str
    room_id: str | None
    sender_id: str
    sender_name: str
    text: str
    ts: datetime
    kind: MessageKind = MessageKind.TEXT
    mentions: tuple[str, ...] = ()  # contact ids
    mentions_bot: bool = False
    quote: Quote | None = None
    media: str | None = None  # a photo, video or file, saved locally by the adapter


@dataclass(frozen=True)
class MembershipChange:
    """Members joined (``joined=True``) or left a room."""

    account: str
    room_id: str
    member_ids: tuple[str, ...]
    member_names: tuple[str, ...]
    joined: bool
    ts: datetime


# --- outbound ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextOut:
    text: str
    mentions: tuple[str, ...] = ()  # contact ids to @; names are filled in by the adapter


@dataclass(frozen=True)
class LinkOut:
    """A link card: title, description and source as WeChat shows them."""

    title: str
    url: str
    description: str = ""
    thumbnail_url: str | None = None
    track: str | None = None  # a tracked link's code: sent as <public base>/l/<code>


@dataclass(frozen=True)
class FileOut:
    """A local file; ``fallback`` is sent instead when the file cannot be (too big, refused)."""

    path: str
    name: str
    fallback: LinkOut | None = None


@dataclass(frozen=True)
class ImageOut:
    path: str
    name: str = "image.png"


Payload = TextOut | LinkOut | FileOut | ImageOut
_KINDS: dict[str, type[Any]] = {
    "text": TextOut, "link": LinkOut, "file": FileOut, "image": ImageOut}
_NAMES = {cls: name for name, cls in _KINDS.items()}


def payload_kind(payload: Payload) -> str:
    return _NAMES[type(payload)]


def payload_to_json(payload: Payload) -> str:
    body = asdict(payload)
    return json.dumps({"kind": payload_kind(payload), **body}, ensure_ascii=False, sort_keys=True)


def payload_from_json(raw: str) -> Payload:
    body = json.loads(raw)
    cls = _KINDS[body.pop("kind")]
    if cls is TextOut:
        body["mentions"] = tuple(body.get("mentions", ()))
    if cls is FileOut and body.get("fallback"):
        body["fallback"] = LinkOut(**body["fallback"])
    result: Payload = cls(**body)
    return result


@dataclass(frozen=True)
class Target:
    """Where an outbound message goes: a configured group, or one person in private chat.

    Groups are named by group id, not room id: the room is only known once the account has
    bound it, and a push queued before a restart must still find its room after.
    """

    kind: str  # "group" | "contact"
    id: str

    @classmethod
    def group(cls, group_id: str) -> Target:
        return cls("group", group_id)

    @classmethod
    def contact(cls, contact_id: str) -> Target:
        return cls("contact", contact_id)


@dataclass(frozen=True)
class Sent:
    """What a transport reports after a successful send."""

    message_id: str
    detail: dict[str, Any] = field(default_factory=dict)
