"""Callback bodies to the core's terms and payloads to bodies, without a connection."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.messages import LinkOut, MessageKind, TextOut
from bot.transport import wecom_frames as wf
from bot.transport import wecom_protocol as wp


def _body(msgtype: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = wp.message_body(msgid="m1", aibotid="b", chattype=wp.GROUP, userid="u1",
                           msgtype=msgtype, content=content, chatid="wr1")
    body.update(extra)
    return body


def test_group_text_loses_its_leading_mention_only() -> None:
    """"@bot #转 Q-1 @专家": the @ in front goes, the one inside stays."""
    got = wf.read_message(_body(wp.TEXT, {"content": "@农技助手\u2005#转 Q-1 @白立军"}))
    assert got is not None and got.text == "#转 Q-1 @白立军" and got.chatid == "wr1"


def test_voice_mixed_and_quote() -> None:
    """A voice is its transcription; mixed keeps its text and first picture; a quote's text."""
    voice = wf.read_message(_body(wp.VOICE, {"content": "@农技助手 玉米叶子发黄"}))
    assert voice is not None and (voice.text, voice.kind) == ("玉米叶子发黄", MessageKind.TEXT)
    mixed = wf.read_message(_body(wp.MIXED, {"msg_item": [
        {"msgtype": "text", "text": {"content": "@农技助手 看看这个"}},
        {"msgtype": "image", "image": {"url": "https://x/1", "aeskey": "k"}}]}))
    assert mixed is not None and mixed.text == "看看这个" and mixed.media_url == "https://x/1"
    quoted = wf.read_message(_body(wp.TEXT, {"content": "@农技助手 清除菌棒"},
                                   quote={"msgtype": "text", "text": {"content": "Q-0001 …"}}))
    assert quoted is not None and quoted.quote is not None and "Q-0001" in quoted.quote.text


@pytest.mark.parametrize("body", [
    None, "text", {}, {"msgid": "m", "msgtype": "text"},
    {"msgid": "m", "from": {"userid": "u"}, "msgtype": "text", "chattype": "group"},
    {"msgid": 3, "from": {"userid": "u"}, "msgtype": "text"},
])
def test_malformed_bodies_are_not_read(body: Any) -> None:
    """No msgid, no sender, a group without chatid: dropped, never raised."""
    assert wf.read_message(body) is None


def test_outgoing_shapes() -> None:
    """Mentions as <@userid> in front; a link as a text_notice card opening its url."""
    assert wf.markdown(TextOut("好的"), ["u1", "u2"]) == "<@u1> <@u2> 好的"
    card = wf.card_body(LinkOut("冬季煤气中毒预防与取暖安全" * 3, "https://e/1", "讲解"))
    notice = card["template_card"]
    assert card["msgtype"] == wp.TEMPLATE_CARD and notice["card_type"] == "text_notice"
    assert len(notice["main_title"]["title"]) <= wf.MAX_CARD_TITLE
    assert notice["card_action"] == {"type": 1, "url": "https://e/1"}
    assert wf.errcode(RuntimeError("Reply ack error: errcode=45009, errmsg=x")) == 45009
    assert wf.errcode_of_auth("Authentication failed: bad (code: 40001)") == "40001"
    _, cut = wf.stream_reply("s", "香" * 10000)
    assert len(cut.encode()) <= wp.STREAM_CONTENT_LIMIT
