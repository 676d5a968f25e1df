"""The core's dataclasses in and out of WeCom 智能机器人 message bodies.

Pure functions over the shapes :mod:`bot.transport.wecom_protocol` names: a callback body becomes
the parts of an :class:`~bot.core.messages.Inbound`, a payload becomes the body the SDK sends
(markdown, or a template card for a link). No I/O here; the adapter does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.messages import LinkOut, MessageKind, Quote, TextOut
from bot.transport import wecom_protocol as wp

# "@农技助手 #帮助": the platform leaves the @ in the text; what follows is the message.
_LEADING_MENTIONS = re.compile(r"^(?:\s*[@＠]\S+[\s\u2005\u3000]*)+")
_KINDS = {wp.IMAGE: MessageKind.IMAGE, wp.FILE: MessageKind.FILE, wp.VIDEO: MessageKind.VIDEO}
MAX_CARD_TITLE = 26  # a text_notice's main title shows about this much on a phone
MAX_CARD_DESC = 120


@dataclass(frozen=True)
class Received:
    """What a callback body says, in the core's terms (ids still WeCom's)."""

    msgid: str
    chatid: str | None  # None: private chat
    userid: str
    text: str
    kind: MessageKind
    media_url: str | None = None
    aeskey: str | None = None
    quote: Quote | None = None


def read_message(body: Any) -> Received | None:
    """An ``aibot_msg_callback`` body, or ``None`` when it is not one we can read (then the
    adapter logs and drops it: malformed input never reaches the core)."""
    if not isinstance(body, dict):
        return None
    msgid, sender = body.get("msgid"), body.get("from")
    userid = sender.get("userid") if isinstance(sender, dict) else None
    msgtype = body.get("msgtype")
    if not isinstance(msgid, str) or not msgid or not isinstance(userid, str) or not userid \
            or not isinstance(msgtype, str):
        return None
    group = body.get("chattype") == wp.GROUP
    chatid = body.get("chatid") if group else None
    if group and (not isinstance(chatid, str) or not chatid):
        return None
    content = body.get(msgtype)
    content = content if isinstance(content, dict) else {}
    text, kind, url, key = "", MessageKind.OTHER, None, None
    if msgtype in (wp.TEXT, wp.VOICE):  # a voice's text is the platform's transcription
        text, kind = _str(content.get("content")), MessageKind.TEXT
    elif msgtype == wp.MIXED:
        text, kind, url, key = _mixed(content)
    elif msgtype in _KINDS:
        kind, url, key = _KINDS[msgtype], _str(content.get("url")), _str(content.get("aeskey"))
        text = _str(content.get("filename") or content.get("name"))
    if group:
        text = _LEADING_MENTIONS.sub("", text, count=1)
    return Received(msgid, chatid, userid, text.strip(), kind, url or None, key or None,
                    _quote(body.get("quote")))


def _mixed(content: dict[str, Any]) -> tuple[str, MessageKind, str | None, str | None]:
    """Text and pictures in one message: its text; its first picture as the media."""
    items = content.get("msg_item")
    texts, url, key = [], None, None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        part = item.get(item.get("msgtype", ""))
        part = part if isinstance(part, dict) else {}
        if item.get("msgtype") == wp.TEXT:
            texts.append(_str(part.get("content")))
        elif item.get("msgtype") == wp.IMAGE and url is None:
            url, key = _str(part.get("url")) or None, _str(part.get("aeskey")) or None
    return " ".join(t for t in texts if t), MessageKind.TEXT, url, key


def _quote(raw: Any) -> Quote | None:
    """A quoted message: its text, so an expert's quote-reply to a relay answers it."""
    if not isinstance(raw, dict):
        return None
    part = raw.get(raw.get("msgtype", ""))
    text = _str(part.get("content")) if isinstance(part, dict) else ""
    return Quote("", text) if text else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- outbound --------------------------------------------------------------------------------


def mention(userid: str) -> str:
    """How a markdown message @s a person on WeCom."""
    return f"<@{userid}>"


def markdown(text: TextOut, userids: list[str]) -> str:
    """The text with its mentions in front, as the local world writes them."""
    if not userids:
        return text.text
    return " ".join(mention(u) for u in userids) + " " + text.text


def markdown_body(content: str) -> dict[str, Any]:
    """An ``aibot_send_msg`` body (the SDK adds the chatid)."""
    return {"msgtype": wp.MARKDOWN, wp.MARKDOWN: {"content": content}}


def card_body(link: LinkOut) -> dict[str, Any]:
    """A content push as a text_notice template card: the title, a line of description, and
    the whole card opening the course."""
    card: dict[str, Any] = {
        "card_type": "text_notice",
        "main_title": {"title": _cut(link.title, MAX_CARD_TITLE),
                       "desc": _cut(link.description, MAX_CARD_DESC)},
        "card_action": {"type": 1, "url": link.url},
        "jump_list": [{"type": 1, "title": _cut(link.title, MAX_CARD_TITLE), "url": link.url}],
    }
    return {"msgtype": wp.TEMPLATE_CARD, wp.TEMPLATE_CARD: card}


def link_markdown(link: LinkOut) -> str:
    lines = [f"[{link.title}]({link.url})"]
    if link.description:
        lines.append(link.description)
    return "\n".join(lines)


def stream_reply(stream_id: str, content: str) -> tuple[str, str]:
    """A one-piece stream reply (``finish: true``): the content cut to what one stream frame
    takes."""
    data = content.encode("utf-8")[:wp.STREAM_CONTENT_LIMIT]
    return stream_id, data.decode("utf-8", errors="ignore")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


_ERRCODE = re.compile(r"errcode=(-?\d+)")


def errcode(exc: BaseException) -> int | None:
    """The errcode of a refused send, from the SDK's ``Reply ack error: errcode=N`` (quirk 6)."""
    found = _ERRCODE.search(str(exc))
    return int(found.group(1)) if found else None


_AUTH_CODE = re.compile(r"\(code: (-?\d+)\)")


def errcode_of_auth(text: str) -> str:
    """The code in the SDK's ``Authentication failed: <errmsg> (code: N)`` (quirk 5)."""
    found = _AUTH_CODE.search(text)
    return found.group(1) if found else "?"
