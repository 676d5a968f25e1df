"""What each transport can see and do, declared once.

The core never asks which platform it is on: it reads these declarations (help text, the
welcome, statistics notes, where a question's photo may come from), and the faces that serve the
local world (the local puppet, the gRPC gateway, the WeCom fake) show a bot what :attr:`sight`
says, so the bot's idea of a platform and the fake's are one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot import messages as msg
from bot.config import Home
from bot.transport.account_view import Sight


@dataclass(frozen=True)
class Capabilities:
    transport: str
    room_messages: Literal["all", "mentions"] = "all"  # "mentions": only messages that @ it
    memberships: bool = True  # sees joins and leaves (and so can welcome)
    room_media: bool = True  # images, videos and files said in a group reach it
    private_media: bool = True  # … and in private chat
    mentions: bool = True  # can @ people in what it sends
    files: bool = True  # can send a file or an image
    link_cards: bool = True  # can send a link card (else a card of its own kind, or text)
    reply_by_request: bool = False  # answers a message through that message's req_id
    lists_rooms: bool = True  # lists its rooms on ready (else a chat is bound with #绑定)
    platform: str = "微信"  # what people call it, in help and notes
    identity: str = "微信号"  # what identifies a person there (never the nickname)

    @property
    def sight(self) -> Sight:
        """What a face serving the local world shows a bot of this transport."""
        return Sight(room_messages=self.room_messages, room_media=self.room_media,
                     memberships=self.memberships)

    @property
    def welcomes(self) -> bool:
        """A welcome needs to see the join."""
        return self.memberships

    def help_notes(self) -> list[str]:
        """What a member must know on this transport, for ``#帮助`` and the welcome."""
        notes = []
        if self.room_messages == "mentions":
            notes.append(msg.CAP_MENTION_ONLY)
        if self.private_media and not self.room_media:
            notes.append(msg.CAP_MEDIA_PRIVATE)
        return notes

    def groups_notes(self) -> list[str]:
        """What ``agribot groups`` says about groups of this transport."""
        notes = []
        if not self.welcomes:
            notes.append(msg.CAP_NO_WELCOME.format(platform=self.platform))
        if self.room_messages == "mentions":
            notes.append(msg.CAP_STATS_MENTIONS)
        return notes

    def stats_note(self) -> str | None:
        """What figures of such a group leave out (weekly, ``#统计``, reports)."""
        return msg.CAP_STATS_MENTIONS if self.room_messages == "mentions" else None


LOCAL = Capabilities("local")
WECHATY = Capabilities("wechaty")
# WeCom 智能机器人 over its long connection: in groups it hears only what @ it, never media or
# joins; it replies on the message's req_id and posts unprompted with aibot_send_msg (markdown
# or a template card), which can @ people but carries no file or WeChat link card.
WECOM = Capabilities(
    "wecom", room_messages="mentions", memberships=False, room_media=False,
    private_media=True, mentions=True, files=False, link_cards=False,
    reply_by_request=True, lists_rooms=False, platform="企业微信", identity="企业微信账号")

BY_TRANSPORT = {c.transport: c for c in (LOCAL, WECHATY, WECOM)}


def of_account(home: Home, account_id: str) -> Capabilities:
    """The capabilities of the transport ``account_id`` runs on."""
    return BY_TRANSPORT[home.bot.transport_of(account_id)]


def of_group(home: Home, group_id: str) -> Capabilities:
    group = home.groups.get(group_id)
    return of_account(home, group.account) if group is not None else LOCAL


def stats_notes(home: Home, region_id: str) -> list[str]:
    """What the figures of ``region_id`` (and below) leave out because of a transport: on
    WeCom only the messages that @ the bot are seen, so only those are counted."""
    below = {r.id for r in home.subtree(region_id)} if region_id in home.regions else set()
    counted: dict[str, int] = {}
    for group in home.groups.values():
        note = of_account(home, group.account).stats_note()
        if note is not None and group.region in below:
            counted[note] = counted.get(note, 0) + 1
    return [msg.CAP_STATS_NOTE.format(count=count, note=note) for note, count in counted.items()]
