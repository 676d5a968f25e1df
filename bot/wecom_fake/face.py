"""The WeCom face of one account's view: world records as ``aibot_*_callback`` bodies, and the
bot's replies and sends as world calls.

An encoder of :class:`~bot.transport.account_view.AccountView` with WeCom's sight
(:data:`bot.transport.capabilities.WECOM`): in groups only messages that @ the bot, no media, no
joins. It keeps no ids of its own: a message's ``msgid`` is the view's wire id, a person's
``userid`` is :class:`~bot.transport.wecom_ids.WeComIds`' (``wecom_userid`` from groups.yaml,
else the contact id), and a room's ``chatid`` is derived from its id, stable across restarts and
opaque (a WeCom chatid is not the groups.yaml id).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from bot.transport import wecom_protocol as wp
from bot.transport.account_view import AccountView, BadPayload, LinkCard, Seen
from bot.transport.local_world import Room, WorldError
from bot.transport.wecom_ids import WeComIds

MENTION = re.compile(r"<@([^<>\s]+)>")  # how markdown from a WeCom bot @s a person


def chatid_for(room_id: str) -> str:
    """A room's chatid: opaque, and the same for the same room on every start."""
    return "wr" + hashlib.sha256(f"wecom-fake:{room_id}".encode()).hexdigest()[:30]


@dataclass(frozen=True)
class Media:
    """A media message's bytes, to be served encrypted under its own key."""

    path: str
    name: str
    aeskey: str


@dataclass(frozen=True)
class Outgoing:
    """What the bot said, decoded: where, the text with mentions as names, and whom it @s."""

    conversation: str  # a room id or a contact id
    text: str
    mentions: tuple[str, ...] = ()
    card: LinkCard | None = None


class WeComFace:
    def __init__(self, view: AccountView, ids: WeComIds, aibotid: str) -> None:
        self.view = view
        self.ids = ids
        self.aibotid = aibotid
        self._rooms = {chatid_for(room.id): room.id for room in view.world.rooms()}

    # --- ids -------------------------------------------------------------------------------------

    def chatid(self, room: Room) -> str:
        return chatid_for(room.id)

    def room_of(self, chatid: str) -> str | None:
        room_id = self._rooms.get(chatid)
        if room_id is None:  # a room made after start (tests build some by hand)
            self._rooms = {chatid_for(r.id): r.id for r in self.view.world.rooms()}
            room_id = self._rooms.get(chatid)
        return room_id

    def conversation_of(self, chatid: str) -> str:
        """The room or person a ``chatid`` of aibot_send_msg names (a person by userid)."""
        room_id = self.room_of(chatid)
        if room_id is not None:
            return room_id
        contact = self.ids.contact(chatid)
        if not self.view.world.has_contact(contact) or contact == self.view.self_id:
            raise WorldError("unknown chatid")
        return contact

    # --- world → wire ----------------------------------------------------------------------------

    def message_body(self, seen: Seen, media_url: str = "",
                     media: Media | None = None) -> dict[str, Any]:
        """The ``aibot_msg_callback`` body of a message the view delivers."""
        m = seen.message
        group = m.room_id is not None
        msgtype, content = wp.TEXT, {"content": self._text(seen)}
        if m.type in ("image", "file", "video") and media is not None:
            msgtype = {"image": wp.IMAGE, "file": wp.FILE, "video": wp.VIDEO}[m.type]
            content = {"url": media_url, "aeskey": media.aeskey}
        return wp.message_body(
            msgid=seen.id, aibotid=self.aibotid, chattype=wp.GROUP if group else wp.SINGLE,
            userid=self.ids.userid(m.from_id), msgtype=msgtype, content=content,
            chatid=chatid_for(m.room_id) if m.room_id is not None else None)

    def _text(self, seen: Seen) -> str:
        """The text as WeCom shows it: a group message that @s the bot starts with its name
        when the speaker's text does not say it already."""
        m = seen.message
        text = seen.text if m.type != "url" else f"{m.title} {m.url}".strip()
        if m.room_id is not None:
            name = self.view.contact(self.view.self_id).name
            if f"@{name}" not in text:
                text = f"@{name} {text}"
        return text

    def media_of(self, seen: Seen) -> Media | None:
        """The file a private image, file or video carries, with a fresh key."""
        m = seen.message
        if m.type not in ("image", "file", "video") or not m.file_path:
            return None
        return Media(m.file_path, m.file_name or m.text, wp.new_aes_key())

    def enter_chat_body(self, contact_id: str, msgid: str, create_time: int) -> dict[str, Any]:
        self.view.contact(contact_id)
        return wp.event_body(msgid=msgid, aibotid=self.aibotid, eventtype=wp.ENTER_CHAT,
                             create_time=create_time, userid=self.ids.userid(contact_id),
                             chattype=wp.SINGLE)

    def disconnected_body(self, msgid: str, create_time: int) -> dict[str, Any]:
        return wp.event_body(msgid=msgid, aibotid=self.aibotid,
                             eventtype=wp.DISCONNECTED_EVENT, create_time=create_time)

    # --- wire → world ----------------------------------------------------------------------------

    def decode(self, conversation: str, body: Any) -> Outgoing | None:
        """A reply or send body; None for a stream update that is not its last. Raises
        :class:`BadPayload` for a shape the platform would refuse."""
        if not isinstance(body, dict):
            raise BadPayload("body is not an object")
        msgtype = body.get("msgtype")
        if msgtype in (wp.STREAM, "stream_with_template_card"):
            stream = _object(body, "stream")
            if not stream.get("finish"):
                return None
            content = stream.get("content", "")
            if not isinstance(content, str):
                raise BadPayload("stream.content is not a string")
            if len(content.encode()) > wp.STREAM_CONTENT_LIMIT:
                raise BadPayload("stream.content is over 20480 bytes")
            card = _card(body["template_card"]) if "template_card" in body else None
            return self._outgoing(conversation, content, card)
        if msgtype in (wp.MARKDOWN, wp.TEXT):
            content = _object(body, msgtype).get("content")
            if not isinstance(content, str) or not content:
                raise BadPayload(f"{msgtype}.content is missing")
            return self._outgoing(conversation, content)
        if msgtype == wp.TEMPLATE_CARD:
            return self._outgoing(conversation, "", _card(body.get("template_card")))
        raise BadPayload(f"unsupported msgtype {msgtype!r}")

    def _outgoing(self, conversation: str, content: str,
                  card: LinkCard | None = None) -> Outgoing:
        mentions: list[str] = []

        def name(match: re.Match[str]) -> str:
            contact = self.ids.contact(match.group(1))
            if not self.view.world.has_contact(contact):
                return match.group(0)
            mentions.append(contact)
            return f"@{self.view.contact(contact).name}"
        return Outgoing(conversation, MENTION.sub(name, content), tuple(mentions), card)

    def post(self, out: Outgoing) -> str:
        """Put what the bot said into the world; the view refuses what the platform would."""
        if not out.text and out.card is None:
            raise BadPayload("the reply is empty")
        sent = ""
        if out.text:
            sent = self.view.send_text(out.conversation, out.text, out.mentions)
        if out.card is not None:
            sent = self.view.send_card(out.conversation, out.card)
        return sent


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise BadPayload(f"{key} is not an object")
    return value


def _card(raw: Any) -> LinkCard:
    """A template card as the world's link card: its title, text and where it leads."""
    if not isinstance(raw, dict) or not isinstance(raw.get("card_type"), str):
        raise BadPayload("template_card needs a card_type")
    title = raw.get("main_title") or {}
    action = raw.get("card_action") or {}
    jumps = raw.get("jump_list") or [{}]
    if not isinstance(title, dict) or not isinstance(action, dict) or not isinstance(jumps, list):
        raise BadPayload("template_card has fields of the wrong shape")
    first_jump = jumps[0] if jumps and isinstance(jumps[0], dict) else {}
    url = action.get("url") or first_jump.get("url") or ""
    text = raw.get("sub_title_text") or title.get("desc") or ""
    return LinkCard(url=str(url), title=str(title.get("title") or ""),
                    description=str(text))
