"""The WeCom adapter over a stand-in for the SDK's WSClient (the real one, against
``agribot wecom-fake``, is driven by tests/e2e): callbacks in, sends out, the session's life."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyee.asyncio import AsyncIOEventEmitter

from bot import messages as msg
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core.messages import Inbound, LinkOut, MessageKind, TextOut
from bot.core.ports import DeliveryError
from bot.transport import wecom_protocol as wp
from bot.transport.backoff import Backoff
from bot.transport.wecom_adapter import WeComAdapter
from tests.wecom_home import BOT_ID_ENV, SECRET_ENV, make_wecom

ENV = {BOT_ID_ENV: "bot-123", SECRET_ENV: "s3cret-value"}
ACCOUNT = "jilin-kexie"
EXPERT = "wxid_exp_yinhongliang"


class FakeClient(AsyncIOEventEmitter):  # type: ignore[misc]
    """What the adapter uses of WSClient; ``script`` says what connecting does."""

    def __init__(self, options: Any, script: str) -> None:
        super().__init__()
        self.options = options
        self.script = script
        self.replies: list[tuple[str, str, bool]] = []
        self.sends: list[tuple[str, dict[str, Any]]] = []
        self.disconnected = False
        self.is_connected = True

    async def connect(self) -> FakeClient:
        if self.script == "ok":
            self.emit("authenticated")
        elif self.script == "bad-secret":
            self.emit("error", Exception("Authentication failed: invalid secret (code: 40001)"))
            self.emit("disconnected", "closed")
        return self

    def disconnect(self) -> None:
        self.disconnected = True

    async def reply_stream(self, frame: dict[str, Any], stream_id: str, content: str,
                           finish: bool = False) -> dict[str, Any]:
        self.replies.append((frame["headers"]["req_id"], content, finish))
        return {"headers": frame["headers"], "errcode": 0}

    async def send_message(self, chatid: str, body: dict[str, Any]) -> dict[str, Any]:
        self.sends.append((chatid, body))
        return {"headers": {"req_id": f"aibot_send_msg_{len(self.sends)}"}, "errcode": 0}

    async def download_file(self, url: str, aes_key: str | None) -> tuple[bytes, str]:
        return b"\xff\xd8photo", "leaf.jpg"


class Rig:
    def __init__(self, home: Home, script: str = "ok") -> None:
        self.clients: list[FakeClient] = []
        self.inbound: list[Inbound] = []
        self.sleeps: list[float] = []
        self.script = script
        self.adapter = WeComAdapter(
            ACCOUNT, home, on_message=self.inbound.append, environ=ENV,
            clock=ManualClock(datetime(2026, 12, 1, 2, tzinfo=UTC)), sleep=self._sleep,
            backoff=Backoff(base=1, cap=8), client_factory=self._client,
            media_dir=home.paths.data / "media", media_wanted=self._wanted)

    def _client(self, options: Any) -> FakeClient:
        client = FakeClient(options, self.script)
        self.clients.append(client)
        return client

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if len(self.sleeps) >= 4:
            await asyncio.Event().wait()  # stay in the backoff wait until closed

    async def _wanted(self, room: str | None, sender: str) -> bool:
        return room is None

    def callback(self, body: dict[str, Any], req: str = "aibot_msg_callback_1") -> None:
        self.clients[-1].emit("message", wp.frame(wp.MSG_CALLBACK, req, body))


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(make_wecom(demo_copy))


def _text(msgid: str, content: str, *, userid: str = "tech-1", chatid: str | None = "chat-9"
          ) -> dict[str, Any]:
    return wp.message_body(msgid=msgid, aibotid="bot-123",
                           chattype=wp.GROUP if chatid else wp.SINGLE, userid=userid,
                           msgtype=wp.TEXT, content={"content": content}, chatid=chatid)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_messages_in_replies_on_the_req_id_then_unprompted(home: Home) -> None:
    """An @-message arrives without its @, from the person its userid names; the first reply
    answers its req_id as one finished stream, the next goes as markdown with the @ in it."""
    rig = Rig(home)
    async with rig.adapter as adapter:
        await adapter.wait_ready(1)
        rig.callback(_text("m1", "@农技助手 #帮助", userid=f"wc-{EXPERT}"))
        await _settle()
        [got] = rig.inbound
        assert (got.text, got.room_id, got.sender_id, got.mentions_bot) == (
            "#帮助", "chat-9", EXPERT, True)
        await adapter.send("chat-9", TextOut("说明"), to_room=True)
        await adapter.send("chat-9", TextOut("答复", (EXPERT,)), to_room=True)
        client = rig.clients[-1]
        assert client.replies == [("aibot_msg_callback_1", "说明", True)]
        assert client.sends == [("chat-9", {"msgtype": "markdown", "markdown": {
            "content": f"<@wc-{EXPERT}> 答复"}})]
        await adapter.send(EXPERT, LinkOut("香菇绿霉防治", "https://example.cn/v/1", "讲解"),
                           to_room=False)
        chat, card = client.sends[-1]
        assert chat == f"wc-{EXPERT}" and card["msgtype"] == "template_card"
        assert card["template_card"]["card_action"]["url"] == "https://example.cn/v/1"


async def test_a_duplicate_msgid_is_handled_once(home: Home) -> None:
    """The same msgid delivered twice (a resend after a reconnect) reaches the core once."""
    rig = Rig(home)
    async with rig.adapter as adapter:
        await adapter.wait_ready(1)
        rig.callback(_text("m1", "@农技助手 香菇出现绿霉怎么办"), "r1")
        rig.callback(_text("m1", "@农技助手 香菇出现绿霉怎么办"), "r2")
        await _settle()
    assert [i.message_id for i in rig.inbound] == ["m1"]


async def test_a_private_photo_is_downloaded_and_decrypted(home: Home) -> None:
    """A photo in private chat is fetched through the SDK (which decrypts it) and kept."""
    rig = Rig(home)
    async with rig.adapter as adapter:
        await adapter.wait_ready(1)
        rig.callback(wp.message_body(msgid="p1", aibotid="bot-123", chattype=wp.SINGLE,
                                     userid="tech-1", msgtype=wp.IMAGE,
                                     content={"url": "https://x/1", "aeskey": "k"}))
        for _ in range(500):  # the download is written in a thread: wait for it, bounded
            if rig.inbound:
                break
            await asyncio.sleep(0.01)
    [got] = rig.inbound
    assert got.kind is MessageKind.IMAGE and got.room_id is None
    assert got.media is not None and Path(got.media).read_bytes() == b"\xff\xd8photo"


async def test_a_wrong_secret_is_said_once_and_retried_at_a_bounded_pace(
        home: Home, caplog: pytest.LogCaptureFixture) -> None:
    """Refused credentials: one clear Chinese line naming the variables (not their values),
    reconnects spaced 1, 2, 4, 8 s (capped), and never ready."""
    rig = Rig(home, script="bad-secret")
    with caplog.at_level(logging.INFO):
        async with rig.adapter as adapter:
            for _ in range(50):
                await asyncio.sleep(0)
                if len(rig.sleeps) >= 4:
                    break
            assert not adapter.ready
    assert rig.sleeps == [1, 2, 4, 8]
    lines = [r.getMessage() for r in caplog.records if "拒绝了 Bot ID" in r.getMessage()]
    assert len(lines) == 1 and SECRET_ENV in lines[0]
    assert all("s3cret-value" not in r.getMessage() for r in caplog.records)


async def test_replaced_connection_says_so_once_and_does_not_fight_back(
        home: Home, caplog: pytest.LogCaptureFixture) -> None:
    """disconnected_event: the client is disconnected inside the handler (before the close),
    one line says another process took over, and no new connection is made."""
    rig = Rig(home)
    with caplog.at_level(logging.INFO):
        async with rig.adapter as adapter:
            await adapter.wait_ready(1)
            client = rig.clients[-1]
            client.emit(f"event.{wp.DISCONNECTED_EVENT}", wp.frame(wp.EVENT_CALLBACK, "e1", {}))
            assert client.disconnected
            client.emit("disconnected", "replaced")
            await _settle()
            assert adapter.replaced and not adapter.ready
            with pytest.raises(DeliveryError):
                await adapter.send("chat-9", TextOut("x"), to_room=True)
    assert len(rig.clients) == 1 and rig.sleeps == []
    replaced = msg.WECOM_REPLACED.format(account=ACCOUNT)
    assert [r.getMessage() for r in caplog.records].count(replaced) == 1


async def test_a_quietly_closed_socket_is_noticed_and_reconnected(home: Home) -> None:
    """A normal close ends the SDK's receive loop without an event (quirk 9): the adapter sees
    the socket closed, drops ready and connects again after its backoff."""
    rig = Rig(home)
    rig.adapter.watch_seconds = 0.01
    async with rig.adapter as adapter:
        await adapter.wait_ready(1)
        rig.clients[-1].is_connected = False
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(rig.clients) == 2 and adapter.ready:
                break
        assert len(rig.clients) == 2 and adapter.ready and rig.sleeps == [1]
