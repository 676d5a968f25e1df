"""On WeCom photos reach the bot only in private chat: one sent privately right after asking in
a group belongs to that question and goes on to its experts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from bot import messages as msg
from bot.core.messages import MessageKind
from tests.qa.conftest import JIUTAI_FUNGI, TECH, make_chat
from tests.wecom_home import make_wecom


def test_private_photo_after_asking_is_attached_on_wecom(demo_copy: Path,
                                                         engine: Engine) -> None:
    """"@bot question" in the group, then a photo in private chat: attached, the expert is
    told, the asker is answered privately."""
    chat = make_chat(make_wecom(demo_copy, userids=False, topics=True), engine)
    chat.say(TECH, "@吉林科协农技助手 香菇出现绿霉怎么办", mentions_bot=True, name="张志强")
    [question] = chat.questions()
    chat.new()
    chat.clock.advance(60)
    chat.say(TECH, "", kind=MessageKind.IMAGE, group=None)
    assert '"kind": "image"' in chat.questions()[0].attachments
    rows = chat.new()
    note = chat.to("contact", JIUTAI_FUNGI, rows)[0].text
    assert "图片" in note and "九台区" in note
    assert chat.to("contact", TECH, rows)
    assert question.id == chat.questions()[0].id


def test_private_photo_is_not_attached_on_wechat(demo_copy: Path, engine: Engine) -> None:
    """On WeChat the group sees the photo itself; a private one is just a private message."""
    chat = make_chat(demo_copy, engine)
    chat.say(TECH, "#问 香菇出现绿霉怎么办")
    chat.new()
    chat.say(TECH, "", kind=MessageKind.IMAGE, group=None)
    assert chat.questions()[0].attachments == "[]"
    assert msg.CAP_MEDIA_PRIVATE  # the help note that tells WeCom members to do this
