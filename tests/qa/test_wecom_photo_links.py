"""On WeCom the bot sends no files (SDK 1.0.2 uploads nothing): a photo sent privately after
asking is kept under the data folder by its SHA-256, and the expert gets a link that serves it
for a week, over real HTTP; an unknown or expired link is a Chinese 404 page. Where the
transport sends files the photo itself still goes, and the identity sentences follow it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import Engine, select

from bot import messages as msg
from bot.core import events
from bot.core.messages import ImageOut, Inbound, MessageKind, Payload, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import OutboxRow
from bot.digests import sha256_of
from bot.links import photos
from bot.links import web as links_web
from bot.transport import capabilities
from tests.delivery.support import RecordingTransport, drive, make_sender
from tests.harness import ACCOUNT, room_of
from tests.qa.conftest import JIUTAI_FUNGI, TECH, Chat, detail, make_chat
from tests.wecom_home import make_wecom

PHOTO = b"\xff\xd8\xff\xe0 a mushroom with green mould \xff\xd9"
LINK = re.compile(r"\((http://[^)\s]+/photo/[^)\s]+)\)")


def _ask_and_send_photo(chat: Chat, tmp_path: Path) -> None:
    chat.say(TECH, "@吉林科协农技助手 香菇出现绿霉怎么办", mentions_bot=True, name="张志强")
    chat.clock.advance(60)
    saved = tmp_path / "m2-photo.jpg"  # what the adapter downloaded and decrypted
    saved.write_bytes(PHOTO)
    chat.router.handle_message(Inbound(
        message_id="m-photo", account=ACCOUNT, room_id=None, sender_id=TECH,
        sender_name="张志强", text="", ts=chat.clock.now(), kind=MessageKind.IMAGE,
        media=str(saved)))


def _to_expert(engine: Engine) -> list[Payload]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.target_id == JIUTAI_FUNGI)
                               .order_by(OutboxRow.id))
        return [payload_from_json(r.payload) for r in rows]


async def _get(url: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, response.content_type, await response.read()


async def test_private_photo_reaches_the_expert_as_a_link_that_serves_it(
        demo_copy: Path, engine: Engine, tmp_path: Path) -> None:
    chat = make_chat(make_wecom(demo_copy, userids=False, topics=True), engine)
    _ask_and_send_photo(chat, tmp_path)
    data = chat.home.paths.data
    digest = sha256_of(tmp_path / "m2-photo.jpg")
    kept = data / photos.FOLDER / f"{digest}.jpg"
    assert kept.read_bytes() == PHOTO
    [event] = chat.events(events.QUESTION_MEDIA)
    assert detail(event)["sha256"] == digest and event.ref == "Q-0001"
    assert event.group_id == "jiutai-junior"
    assert json.loads(chat.questions()[0].attachments)[0]["path"] == str(kept)

    db = DatabaseRunner(session_factory(engine))
    routes = links_web.routes(db, chat.clock, data)
    async with links_web.LinkServer(routes, host="127.0.0.1", port=0) as server:
        base = f"http://127.0.0.1:{server.port}"  # the bot's own server, as with WeCom
        transport = RecordingTransport(chat.clock)
        sender = make_sender(engine, chat.home, chat.clock, transport,
                             rooms=chat.router.rooms, link_base=lambda: base)
        queued = len(_to_expert(engine))
        await drive(sender, chat.clock, lambda: sum(
            d.address == JIUTAI_FUNGI for d in transport.delivered) >= queued)
        sent = [d.payload for d in transport.delivered if d.address == JIUTAI_FUNGI]
        assert not any(isinstance(p, ImageOut) for p in sent)  # no file on WeCom
        texts = [p.text for p in sent if isinstance(p, TextOut)]
        [url] = [m.group(1) for t in texts for m in [LINK.search(t)] if m]
        assert msg.QA_IMAGE in texts[-1] and "7 天" in texts[-1]

        assert await _get(url) == (200, "image/jpeg", PHOTO)
        token = url.rsplit("/", 1)[1]
        status, kind, body = await _get(url[:-1] + ("0" if url[-1] != "0" else "1"))
        assert (status, kind) == (404, "text/html") and msg.PHOTO_NOT_FOUND_TITLE in body.decode()
        status, _, body = await _get(f"{base}{photos.PATH}nonsense")
        assert status == 404 and "照片" in body.decode()
        chat.clock.advance(timedelta(days=7, seconds=1).total_seconds())
        status, _, body = await _get(url)
        assert status == 404 and msg.PHOTO_NOT_FOUND in body.decode()
        assert photos.opened(data, token, chat.clock.now()) is None
    await db.aclose()


def test_without_a_base_the_photo_stays_a_note(demo_copy: Path, engine: Engine,
                                              tmp_path: Path) -> None:
    """No public base and no console: nothing can serve the link; the adapter's note goes."""
    chat = make_chat(make_wecom(demo_copy, userids=False, topics=True), engine)
    _ask_and_send_photo(chat, tmp_path)
    [*_, photo] = _to_expert(engine)
    assert isinstance(photo, ImageOut)
    assert photos.as_link(chat.home.paths.data, photo, None, chat.clock.now()) is photo
    other = ImageOut(str(tmp_path / "m2-photo.jpg"))  # not a kept photo: never served
    assert photos.as_link(chat.home.paths.data, other, "http://x", chat.clock.now()) is other


def test_on_wechat_the_photo_itself_goes_and_nothing_is_kept(demo_copy: Path, engine: Engine,
                                                            tmp_path: Path) -> None:
    chat = make_chat(demo_copy, engine)
    chat.say(TECH, "#问 香菇出现绿霉怎么办", name="张志强")
    saved = tmp_path / "photo.jpg"
    saved.write_bytes(PHOTO)
    chat.router.handle_message(Inbound(
        message_id="m-photo", account=ACCOUNT, room_id=room_of("jiutai-junior"),
        sender_id=TECH, sender_name="张志强", text="", ts=chat.clock.now(),
        kind=MessageKind.IMAGE, media=str(saved)))
    assert any(isinstance(p, ImageOut) and p.path == str(saved) for p in _to_expert(engine))
    assert not (chat.home.paths.data / photos.FOLDER).exists()
    assert not chat.events(events.QUESTION_MEDIA)


def test_identity_follows_the_transport(demo_copy: Path, engine: Engine) -> None:
    """"以微信号为准" on WeChat, "以企业微信账号为准" on WeCom: one capability, one sentence."""
    assert capabilities.WECHATY.identity == "微信号"
    assert capabilities.WECOM.identity == "企业微信账号"
    wechat = make_chat(demo_copy, engine)
    assert "身份以微信号为准" in wechat.router.help_text(admin=False, account=ACCOUNT)
    wechat.say(TECH, "#答 Q-0001 不是专家")
    assert "以微信号为准" in wechat.new()[-1].text


def test_identity_on_wecom(demo_copy: Path, engine: Engine) -> None:
    chat = make_chat(make_wecom(demo_copy, userids=False, topics=True), engine)
    assert "身份以企业微信账号为准" in chat.router.help_text(admin=False, account=ACCOUNT)
    chat.say(TECH, "#答 Q-0001 不是专家")
    reply = chat.new()[-1].text
    assert "以企业微信账号为准" in reply and "微信号" not in reply
