"""The WeCom fake driven by the unmodified SDK ``aibot.WSClient``: subscription, callbacks from
the simulator API, replies and sends landing in the world, the second connection, media, a
restart with a journal. Nothing sleeps: every wait is on a future or the fake's state."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.transport import wecom_protocol as wp
from bot.transport.local_world import bot_contact_id, room_id_for
from bot.wecom_fake.face import chatid_for
from bot.wecom_fake.server import WeComFake

BOT_ID = "aib-fake-test"
SECRET = "fake-secret-9876"
ACCOUNT = "jilin-kexie"
BOT = bot_contact_id(ACCOUNT)
NONGAN = room_id_for("nongan-junior")
TECH = "wxid_t_nongan-junior_1"
TIMEOUT = 10.0


class _Quiet:
    def debug(self, message: str, *args: object) -> None: ...
    def info(self, message: str, *args: object) -> None: ...
    def warn(self, message: str, *args: object) -> None: ...
    def error(self, message: str, *args: object) -> None: ...


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(demo_copy)


def make_fake(home: Home, tmp_path: Path, journal: bool = False) -> WeComFake:
    return WeComFake(home, bot_id=BOT_ID, secret=SECRET, port=0, sim_port=0,
                     tls_dir=tmp_path / "tls",
                     journal=tmp_path / "journal.jsonl" if journal else None)


@pytest.fixture
async def fake(home: Home, tmp_path: Path) -> AsyncIterator[WeComFake]:
    async with make_fake(home, tmp_path) as running:
        yield running


def client(fake: WeComFake, secret: str = SECRET, **options: Any) -> wp.WSClient:
    assert fake.certificate is not None
    wp.trust_certificate(fake.certificate.cert)
    options.setdefault("max_reconnect_attempts", 0)
    sdk = wp.WSClient(wp.WSClientOptions(bot_id=BOT_ID, secret=secret, ws_url=fake.url,
                                         logger=_Quiet(), **options))
    sdk.on("error", lambda _error: None)  # wecom_protocol quirk 10
    return sdk


def waiter(sdk: wp.WSClient, event: str, count: int = 1) -> asyncio.Future[list[Any]]:
    """A future of the first ``count`` ``event``s' first arguments."""
    future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
    seen: list[Any] = []

    def on(*args: Any) -> None:
        seen.append(args[0] if args else None)
        if len(seen) == count and not future.done():
            future.set_result(list(seen))
    sdk.on(event, on)
    return future


async def connected(fake: WeComFake, **options: Any) -> wp.WSClient:
    sdk = client(fake, **options)
    ok = waiter(sdk, "authenticated")
    await sdk.connect()
    await asyncio.wait_for(ok, TIMEOUT)
    return sdk


async def api(fake: WeComFake, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as http, http.request(
            method, f"http://127.0.0.1:{fake.sim_port}{path}", json=body) as response:
        payload = await response.json()
        if response.status >= 400:
            raise AssertionError(f"{response.status}: {payload}")
        return payload


async def raw_socket(fake: WeComFake) -> tuple[aiohttp.ClientSession,
                                                 aiohttp.ClientWebSocketResponse]:
    assert fake.certificate is not None
    context = ssl.create_default_context(cafile=str(fake.certificate.cert))
    http = aiohttp.ClientSession()
    return http, await http.ws_connect(fake.url, ssl=context)


async def until(check: Callable[[], bool], fake: WeComFake) -> None:
    """Wait, without sleeping, until ``check`` holds: each frame the fake handles may change it."""
    await fake.wait_until(check, TIMEOUT)


# --- subscription --------------------------------------------------------------------------------


async def test_subscribe_with_the_right_secret(fake: WeComFake) -> None:
    """The bot id and secret the fake was given subscribe; the simulator then reports ready."""
    sdk = await connected(fake)
    assert fake.subscribed and (await api(fake, "GET", "/api/health"))["status"] == "ok"
    state = await api(fake, "GET", "/api/wecom")
    assert state["subscribed"] and state["connections"] == 1
    assert {c["chatid"] for c in state["chats"]} >= {chatid_for(NONGAN)}
    sdk.disconnect()


async def test_a_wrong_secret_is_refused_without_naming_it(fake: WeComFake) -> None:
    """A wrong secret gets one auth error that names neither the id nor the secret."""
    sdk = client(fake, secret="wrong-secret")
    error = waiter(sdk, "error")
    await sdk.connect()
    (refused,) = await asyncio.wait_for(error, TIMEOUT)
    assert str(refused) == "Authentication failed: invalid bot_id or secret (code: 40001)"
    assert BOT_ID not in str(refused) and not fake.subscribed
    assert fake.refused_subscriptions == 1
    sdk.disconnect()


async def test_frames_before_and_beside_a_subscription(fake: WeComFake) -> None:
    """Each frame gets its ack: a ping or send before subscribing is refused, a frame that is
    not JSON and an unknown cmd are bad frames, a ping after subscribing is acked."""
    http, ws = await raw_socket(fake)
    try:
        await ws.send_json(wp.frame(wp.PING, "ping_1"))
        assert await ws.receive_json(timeout=TIMEOUT) == wp.ack(
            "ping_1", wp.NOT_SUBSCRIBED, "not subscribed: send aibot_subscribe")
        await ws.send_str("{nope")
        assert (await ws.receive_json(timeout=TIMEOUT))["errcode"] == wp.BAD_FRAME
        await ws.send_json(wp.frame(wp.SUBSCRIBE, "aibot_subscribe_1",
                                    {"bot_id": BOT_ID, "secret": SECRET}))
        assert await ws.receive_json(timeout=TIMEOUT) == wp.ack("aibot_subscribe_1")
        await ws.send_json(wp.frame("aibot_fly", "x_1"))
        assert (await ws.receive_json(timeout=TIMEOUT))["errcode"] == wp.BAD_FRAME
        await ws.send_json(wp.frame(wp.PING, "ping_2"))
        assert await ws.receive_json(timeout=TIMEOUT) == wp.ack("ping_2")
        await ws.send_json(wp.frame(wp.RESPOND_MSG, "never_sent", {"msgtype": "stream"}))
        assert (await ws.receive_json(timeout=TIMEOUT))["errcode"] == wp.UNKNOWN_REQ_ID
    finally:
        await ws.close()
        await http.close()


async def test_the_sdk_pings_and_the_fake_acks(fake: WeComFake) -> None:
    """The SDK's heartbeat is acked: its missed-pong count never grows past the ping in flight."""
    sdk = await connected(fake, heartbeat_interval=10)
    manager = sdk._ws_manager
    pinged: list[int] = []
    original = manager._send_heartbeat

    async def counting() -> None:
        pinged.append(manager._missed_pong_count)
        await original()
    manager._send_heartbeat = counting
    await until(lambda: len(pinged) >= 4, fake)
    assert max(pinged) <= 1 and sdk.is_connected
    sdk.disconnect()


# --- world → bot ---------------------------------------------------------------------------------


async def test_an_at_message_arrives_and_a_plain_one_does_not(fake: WeComFake,
                                                               home: Home) -> None:
    """In a group only what @s the bot arrives, as a group text callback with an opaque chatid
    and the sender's userid; the simulator still shows the plain message."""
    sdk = await connected(fake)
    texts = waiter(sdk, "message.text")
    bot_name = home.bot.accounts[0].name
    plain = await api(fake, "POST", f"/api/rooms/{NONGAN}/messages",
                      {"from": TECH, "text": "大家好"})
    asked = await api(fake, "POST", f"/api/rooms/{NONGAN}/messages",
                      {"from": TECH, "text": f"@{bot_name} 香菇出现绿霉怎么办"})
    (frame,) = await asyncio.wait_for(texts, TIMEOUT)
    assert frame["cmd"] == wp.MSG_CALLBACK and frame["headers"]["req_id"]
    body = frame["body"]
    assert body == {"msgid": f"{fake.face.view.prefix}.{asked['id']}", "aibotid": BOT_ID,
                    "chattype": "group", "chatid": chatid_for(NONGAN),
                    "from": {"userid": TECH}, "msgtype": "text",
                    "text": {"content": f"@{bot_name} 香菇出现绿霉怎么办"}}
    assert chatid_for(NONGAN) != "nongan-junior"
    shown = await api(fake, "GET", f"/api/rooms/{NONGAN}/messages")
    assert {m["id"] for m in shown} >= {plain["id"], asked["id"]}
    assert [d["msgid"].rsplit(".", 1)[1] for d in fake.delivered] == [str(asked["id"])]
    sdk.disconnect()


async def test_a_private_image_arrives_encrypted_and_decrypts(fake: WeComFake) -> None:
    """A photo sent in private chat arrives with a url and its own aeskey; the SDK downloads
    and decrypts it into the original bytes."""
    sdk = await connected(fake)
    images = waiter(sdk, "message.image")
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 3
    await api(fake, "POST", f"/api/contacts/{TECH}/messages", {"media": {
        "name": "photo.jpg", "base64": base64.b64encode(photo).decode()}})
    (frame,) = await asyncio.wait_for(images, TIMEOUT)
    body = frame["body"]
    assert body["chattype"] == "single" and "chatid" not in body
    assert set(body["image"]) == {"url", "aeskey"} and body["image"]["url"].startswith("https://")
    data, name = await sdk.download_file(body["image"]["url"], body["image"]["aeskey"])
    assert (data, name) == (photo, "photo.jpg")
    sdk.disconnect()


async def test_group_media_never_arrives(fake: WeComFake, home: Home) -> None:
    """A photo in a group is shown in the simulator but not delivered (the platform's rule)."""
    sdk = await connected(fake)
    texts = waiter(sdk, "message.text")
    picture = {"name": "a.png", "base64": base64.b64encode(b"\x89PNG....").decode()}
    await api(fake, "POST", f"/api/rooms/{NONGAN}/messages", {"from": TECH, "media": picture})
    await api(fake, "POST", f"/api/rooms/{NONGAN}/messages",
              {"from": TECH, "text": f"@{home.bot.accounts[0].name} 看图"})
    (frame,) = await asyncio.wait_for(texts, TIMEOUT)
    assert "看图" in frame["body"]["text"]["content"] and len(fake.delivered) == 1
    sdk.disconnect()


async def test_a_redelivery_keeps_the_msgid(fake: WeComFake) -> None:
    """The API redelivers a message under the same msgid with a new req_id."""
    sdk = await connected(fake)
    twice = waiter(sdk, "message.text", count=2)
    said = await api(fake, "POST", f"/api/contacts/{TECH}/messages", {"text": "你好"})
    await until(lambda: len(fake.delivered) == 1, fake)
    again = await api(fake, "POST", f"/api/wecom/messages/{said['id']}/redeliver")
    first, second = await asyncio.wait_for(twice, TIMEOUT)
    assert first["body"] == second["body"] and second["body"]["msgid"] == again["msgid"]
    assert first["headers"]["req_id"] != second["headers"]["req_id"] == again["req_id"]
    sdk.disconnect()


async def test_enter_chat_and_the_welcome_reply(fake: WeComFake) -> None:
    """enter_chat comes as an event callback; a welcome reply on its req_id is a private
    message in the world."""
    sdk = await connected(fake)
    entered = waiter(sdk, "event.enter_chat")
    await api(fake, "POST", f"/api/wecom/contacts/{TECH}/enter")
    (frame,) = await asyncio.wait_for(entered, TIMEOUT)
    assert frame["body"]["from"] == {"userid": TECH} and frame["body"]["msgtype"] == "event"
    await sdk.reply_welcome(frame, {"msgtype": "text", "text": {"content": "欢迎使用"}})
    private = await api(fake, "GET", f"/api/contacts/{TECH}/messages")
    assert private[-1]["from"] == BOT and private[-1]["text"] == "欢迎使用"
    sdk.disconnect()


# --- bot → world ---------------------------------------------------------------------------------


async def test_replies_and_sends_land_in_the_world(fake: WeComFake, home: Home) -> None:
    """A finished stream reply lands in the asker's group with its <@userid> as a mention; a
    stream update that is not the last does not; send_msg markdown and cards post there too."""
    sdk = await connected(fake)
    texts = waiter(sdk, "message.text")
    await api(fake, "POST", f"/api/rooms/{NONGAN}/messages",
              {"from": TECH, "text": f"@{home.bot.accounts[0].name} 请问"})
    (frame,) = await asyncio.wait_for(texts, TIMEOUT)
    await sdk.reply_stream(frame, "s1", "正在查……", finish=False)
    await sdk.reply_stream(frame, "s1", f"<@{TECH}> 已转给专家", finish=True)
    chatid = chatid_for(NONGAN)
    await sdk.send_message(chatid, {"msgtype": "markdown", "markdown": {"content": "**通知**"}})
    await sdk.send_message(chatid, {"msgtype": "template_card", "template_card": {
        "card_type": "text_notice", "main_title": {"title": "香菇栽培 第3集"},
        "sub_title_text": "本周课程", "card_action": {"type": 1, "url": "https://e.x/v3"}}})
    said = [m for m in await api(fake, "GET", f"/api/rooms/{NONGAN}/messages")
            if m["from"] == BOT]
    tech_name = fake.face.view.contact(TECH).name
    assert [m["text"] for m in said[:2]] == [f"@{tech_name} 已转给专家", "**通知**"]
    assert said[0]["mentions"] == [TECH]
    assert (said[2]["type"], said[2]["title"], said[2]["url"]) == (
        "url", "香菇栽培 第3集", "https://e.x/v3")
    await sdk.send_message(TECH, {"msgtype": "markdown", "markdown": {"content": "私聊"}})
    assert (await api(fake, "GET", f"/api/contacts/{TECH}/messages"))[-1]["text"] == "私聊"
    sdk.disconnect()


async def test_errors_on_send(fake: WeComFake) -> None:
    """An unknown chatid, a refusal from the world and an unsupported msgtype are error acks."""
    sdk = await connected(fake)
    with pytest.raises(RuntimeError, match=f"errcode={wp.UNKNOWN_CHAT}"):
        await sdk.send_message("wrNOSUCHCHAT", {"msgtype": "markdown",
                                                "markdown": {"content": "x"}})
    assert fake.world is not None
    fake.world.refuse_next_send()
    with pytest.raises(RuntimeError, match=f"errcode={wp.RATE_LIMITED}"):
        await sdk.send_message(chatid_for(NONGAN), {"msgtype": "markdown",
                                                    "markdown": {"content": "x"}})
    with pytest.raises(RuntimeError, match=f"errcode={wp.BAD_FRAME}"):
        await sdk.send_message(chatid_for(NONGAN), {"msgtype": "file",
                                                    "file": {"media_id": "m"}})
    sdk.disconnect()


# --- connections ---------------------------------------------------------------------------------


async def test_a_second_connection_replaces_the_first(fake: WeComFake) -> None:
    """The old connection gets disconnected_event and is closed; the new one gets the
    messages. The old client, which disconnects on that event, does not come back."""
    old = await connected(fake)
    kicked = waiter(old, "event.disconnected_event")
    old.on("event.disconnected_event", lambda _frame: old.disconnect())
    new = await connected(fake)
    (frame,) = await asyncio.wait_for(kicked, TIMEOUT)
    assert frame["body"]["event"] == {"eventtype": "disconnected_event"}
    await until(lambda: len(fake.sessions) == 1 and fake.replaced == 1, fake)
    texts = waiter(new, "message.text")
    await api(fake, "POST", f"/api/contacts/{TECH}/messages", {"text": "还在吗"})
    (got,) = await asyncio.wait_for(texts, TIMEOUT)
    assert got["body"]["text"]["content"] == "还在吗" and fake.subscribed
    assert old._ws_manager._reconnect_attempts == 0
    new.disconnect()


async def test_a_restart_with_a_journal_keeps_the_world(home: Home, tmp_path: Path) -> None:
    """Stopped and started on the same journal, the fake has the same messages, msgids and
    chatids, and its certificate is the same one the client trusts; the SDK reconnects."""
    async with make_fake(home, tmp_path, journal=True) as first:
        sdk = await connected(first, max_reconnect_attempts=-1, reconnect_interval=20)
        texts = waiter(sdk, "message.text")
        said = await api(first, "POST", f"/api/contacts/{TECH}/messages", {"text": "第一条"})
        (frame,) = await asyncio.wait_for(texts, TIMEOUT)
        await sdk.reply_stream(frame, "s1", "收到", finish=True)
        prefix, port = first.face.view.prefix, first.port
        reconnecting = waiter(sdk, "reconnecting")
    await asyncio.wait_for(reconnecting, TIMEOUT)  # the fake closed with CLOSE_RESTART
    again = WeComFake(home, bot_id=BOT_ID, secret=SECRET, port=port, sim_port=0,
                      tls_dir=tmp_path / "tls", journal=tmp_path / "journal.jsonl")
    back = waiter(sdk, "authenticated")
    async with again:
        await asyncio.wait_for(back, 3 * TIMEOUT)
        private = await api(again, "GET", f"/api/contacts/{TECH}/messages")
        assert [m["text"] for m in private] == ["第一条", "收到"]
        assert private[0]["id"] == said["id"] and again.face.view.prefix == prefix
        sdk.disconnect()
    lines = (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"epoch": prefix}


async def test_people_with_a_wecom_userid_go_by_it(demo_copy: Path, tmp_path: Path) -> None:
    """An admin with a wecom_userid in groups.yaml speaks under it, and a send to that userid
    reaches the admin's private chat."""
    groups = demo_copy / "config" / "groups.yaml"
    groups.write_text(groups.read_text("utf-8").replace(
        "{id: wxid_na_zhoulei, name: 周磊, region: nongan}",
        "{id: wxid_na_zhoulei, name: 周磊, region: nongan, wecom_userid: ZhouLei}"), "utf-8")
    home = load_home(demo_copy)
    async with make_fake(home, tmp_path) as fake:
        sdk = await connected(fake)
        texts = waiter(sdk, "message.text")
        await api(fake, "POST", f"/api/rooms/{NONGAN}/messages",
                  {"from": "wxid_na_zhoulei", "text": f"@{home.bot.accounts[0].name} #统计"})
        (frame,) = await asyncio.wait_for(texts, TIMEOUT)
        assert frame["body"]["from"] == {"userid": "ZhouLei"}
        await sdk.send_message("ZhouLei", {"msgtype": "markdown", "markdown": {"content": "周报"}})
        private = await api(fake, "GET", "/api/contacts/wxid_na_zhoulei/messages")
        assert private[-1]["text"] == "周报"
        with pytest.raises(RuntimeError, match=f"errcode={wp.UNKNOWN_CHAT}"):
            await sdk.send_message(BOT, {"msgtype": "markdown", "markdown": {"content": "x"}})
        sdk.disconnect()


async def test_a_media_url_lasts_five_minutes(home: Home, tmp_path: Path) -> None:
    """A media URL serves its bytes for five minutes of the fake's clock, then 404."""
    clock = ManualClock(datetime(2024, 5, 1, 8, 0, tzinfo=UTC))
    fake = WeComFake(home, bot_id=BOT_ID, secret=SECRET, port=0, sim_port=0,
                     tls_dir=tmp_path / "tls", clock=clock)
    async with fake:
        sdk = await connected(fake)
        images = waiter(sdk, "message.image")
        await api(fake, "POST", f"/api/contacts/{TECH}/messages", {"media": {
            "name": "a.png", "base64": base64.b64encode(b"\x89PNG-bytes").decode()}})
        (frame,) = await asyncio.wait_for(images, TIMEOUT)
        image = frame["body"]["image"]
        clock.advance(timedelta(minutes=4, seconds=59))
        assert (await sdk.download_file(image["url"], image["aeskey"]))[0] == b"\x89PNG-bytes"
        clock.advance(timedelta(seconds=2))
        with pytest.raises(aiohttp.ClientResponseError, match="404"):
            await sdk.download_file(image["url"], image["aeskey"])
        sdk.disconnect()
