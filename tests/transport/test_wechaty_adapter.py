"""The adapter over the real Wechaty and the local puppet: inbound as core dataclasses,
outbound through the Transport port, reconnects with backoff."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import Home
from bot.core.messages import (
    FileOut,
    ImageOut,
    Inbound,
    LinkOut,
    MembershipChange,
    MessageKind,
    Quote,
    TextOut,
)
from bot.core.ports import DeliveryError
from bot.transport.local_puppet import LocalPuppet
from bot.transport.local_world import LocalWorld, Room
from bot.transport.wechaty_adapter import Backoff, WechatyAdapter
from bot.transport.wechaty_outbound import delivery_error
from tests.transport.conftest import TIMEOUT, Running


def _room(running: Running) -> tuple[Room, str]:
    room = running.world.rooms()[0]
    return room, room.member_ids[-1]  # a generated technician


async def test_on_ready_lists_every_room(running: Running) -> None:
    """on_ready gets all the account's rooms with their topics, for binding."""
    listed = await running.next_rooms()
    assert {(r.id, r.topic) for r in listed} == {(r.id, r.topic) for r in running.world.rooms()}
    assert running.adapter.self_id == running.world.bots()[0]


async def test_room_message_arrives_as_inbound(running: Running) -> None:
    """A member speaking in a room gives an Inbound with room, sender, text and time."""
    room, tech = _room(running)
    world_id = running.world.speak(room.id, tech, "香菇出菇期怎么控温？")
    got = await running.next()
    assert isinstance(got, Inbound)
    assert got.room_id == room.id
    assert got.sender_id == tech
    assert got.sender_name == running.world.contact(tech).name
    assert (got.text, got.kind, got.mentions, got.mentions_bot) == (
        "香菇出菇期怎么控温？", MessageKind.TEXT, (), False)
    assert got.account == running.account
    assert got.ts == running.world.message(world_id).ts
    assert got.message_id.endswith(f".{world_id}")


async def test_mention_of_the_bot_is_flagged_and_stripped(running: Running) -> None:
    """`@bot #帮助` sets mentions_bot, lists the bot id and leaves `#帮助` as the text."""
    room, tech = _room(running)
    bot = running.adapter.self_id
    running.world.speak(room.id, tech, f"@{running.adapter.self_name}\u2005#帮助", mentions=[bot])
    got = await running.next()
    assert (got.text, got.mentions, got.mentions_bot) == ("#帮助", (bot,), True)


async def test_mentions_without_ids_are_resolved_by_name(running: Running) -> None:
    """A typed `@name ` with no mention ids from the platform still names the member."""
    room, tech = _room(running)
    expert = next(m for m in running.world.members(room.id) if m.role == "expert")
    running.world.speak(room.id, tech, f"@{expert.name} 请看看 @{running.adapter.self_name}")
    got = await running.next()
    assert got.mentions == (expert.id, running.adapter.self_id)
    assert got.mentions_bot is True
    assert got.text.startswith("请看看")


async def test_quoted_reply_is_parsed(running: Running) -> None:
    """A quoted reply gives the quote apart from the reply text."""
    room, tech = _room(running)
    running.world.speak(room.id, tech, "「王专家：用石灰水」\n- - - - - - - - - - - - - - -\n谢谢")
    got = await running.next()
    assert got.quote == Quote("王专家", "用石灰水")
    assert got.text == "谢谢"


async def test_private_message_has_no_room(running: Running) -> None:
    """A private chat with the bot arrives with room_id None."""
    _, tech = _room(running)
    running.world.speak_private(tech, "你好")
    got = await running.next()
    assert (got.room_id, got.sender_id, got.text) == (None, tech, "你好")


async def test_join_and_leave_arrive_as_membership_changes(running: Running) -> None:
    """Joining and leaving give MembershipChange with ids, names and direction."""
    room, tech = _room(running)
    running.world.join(room.id, "wxid_newcomer", "赵新来")
    joined = await running.next()
    assert isinstance(joined, MembershipChange)
    assert (joined.room_id, joined.member_ids, joined.member_names, joined.joined) == (
        room.id, ("wxid_newcomer",), ("赵新来",), True)
    running.world.leave(room.id, tech)
    left = await running.next()
    assert (left.member_ids, left.joined) == ((tech,), False)


async def test_bots_own_messages_are_not_inbound(running: Running) -> None:
    """What the bot sends does not come back to it as a message."""
    room, tech = _room(running)
    await running.adapter.send(room.id, TextOut("通知"), to_room=True)
    running.world.speak(room.id, tech, "收到")
    got = await running.next()
    assert got.text == "收到"


async def test_send_text_with_mention(running: Running) -> None:
    """TextOut with a mention is logged as `@name\u2005text` with the mention id."""
    room, tech = _room(running)
    sent = await running.adapter.send(room.id, TextOut("欢迎入群", (tech,)), to_room=True)
    last = running.world.messages(room.id)[-1]
    name = running.world.contact(tech).name
    assert (last.type, last.text, last.mentions) == ("text", f"@{name}\u2005欢迎入群", (tech,))
    assert last.from_id == running.adapter.self_id
    loaded = running.adapter.bot.Message.load(sent.message_id)
    await loaded.ready()
    assert loaded.payload.mention_ids == [tech]
    assert loaded.room().room_id == room.id


async def test_send_link_card(running: Running) -> None:
    """LinkOut is logged as a url card whose payload loads back as a UrlLink."""
    room, _ = _room(running)
    out = LinkOut("香菇栽培第1讲", "https://example.org/v/1", "吉林农大", "https://example.org/t.png")
    sent = await running.adapter.send(room.id, out, to_room=True)
    last = running.world.messages(room.id)[-1]
    assert (last.type, last.title, last.url, last.description, last.thumbnail_url) == (
        "url", out.title, out.url, out.description, out.thumbnail_url)
    loaded = running.adapter.bot.Message.load(sent.message_id)
    await loaded.ready()
    link = await loaded.to_url_link()
    assert (link.title, link.url) == (out.title, out.url)


async def test_send_file_and_image(running: Running, tmp_path: Path) -> None:
    """FileOut and ImageOut are logged with name, path and size, as file and image."""
    room, _ = _room(running)
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(b"%PDF" * 10)
    png = tmp_path / "chart.png"
    png.write_bytes(b"\x89PNG" * 4)
    await running.adapter.send(room.id, FileOut(str(pdf), "讲义.pdf"), to_room=True)
    sent = await running.adapter.send(room.id, ImageOut(str(png), "图表.png"), to_room=True)
    file_msg, image_msg = running.world.messages(room.id)[-2:]
    assert (file_msg.type, file_msg.file_name, file_msg.file_path, file_msg.file_size) == (
        "file", "讲义.pdf", str(pdf), 40)
    assert (image_msg.type, image_msg.file_name, image_msg.file_size) == ("image", "图表.png", 16)
    loaded = running.adapter.bot.Message.load(sent.message_id)
    await loaded.ready()
    box = await loaded.to_file_box()
    assert box.name == "图表.png"


async def test_send_private_text(running: Running) -> None:
    """A send to a contact lands in the private chat, mentions dropped."""
    _, tech = _room(running)
    await running.adapter.send(tech, TextOut("你的问题已转给专家", (tech,)), to_room=False)
    last = running.world.private_messages(tech)[-1]
    assert (last.text, last.mentions, last.from_id) == (
        "你的问题已转给专家", (), running.adapter.self_id)


async def test_rate_limit_answer_maps_to_rate_limited(running: Running) -> None:
    """WeChat's `操作过于频繁` becomes a retryable, rate-limited DeliveryError."""
    room, _ = _room(running)
    running.world.refuse_next_send("操作过于频繁，请稍后再试")
    with pytest.raises(DeliveryError) as caught:
        await running.adapter.send(room.id, TextOut("推送"), to_room=True)
    assert caught.value.rate_limited and caught.value.retryable
    await running.adapter.send(room.id, TextOut("推送"), to_room=True)


async def test_missing_or_oversized_file_is_refused(running: Running, tmp_path: Path) -> None:
    """A missing file is not retried; one above the limit is too_large."""
    room, _ = _room(running)
    with pytest.raises(DeliveryError) as missing:
        await running.adapter.send(room.id, FileOut(str(tmp_path / "no.pdf"), "no.pdf"),
                                   to_room=True)
    assert not missing.value.retryable
    big = tmp_path / "big.mp4"
    big.write_bytes(b"0" * 2048)
    running.adapter.max_file_bytes = 1024
    with pytest.raises(DeliveryError) as large:
        await running.adapter.send(room.id, FileOut(str(big), "big.mp4"), to_room=True)
    assert large.value.too_large and not large.value.retryable


async def test_unknown_room_is_not_retryable(running: Running) -> None:
    """Sending to a room the world does not have is a permanent failure."""
    with pytest.raises(DeliveryError) as caught:
        await running.adapter.send("gone@chatroom", TextOut("x"), to_room=True)
    assert not caught.value.retryable


async def test_send_before_ready_is_retryable(world: LocalWorld) -> None:
    """An adapter that is not connected refuses with a retryable error."""
    adapter = WechatyAdapter("jilin-kexie", lambda: LocalPuppet(world, "jilin-kexie"))
    with pytest.raises(DeliveryError) as caught:
        await adapter.send("x@chatroom", TextOut("x"), to_room=True)
    assert caught.value.retryable


def test_delivery_error_mapping() -> None:
    """Platform exceptions map to the port's flags."""
    assert delivery_error(RuntimeError("操作过于频繁")).rate_limited
    assert delivery_error(ConnectionError("reset")).retryable
    assert not delivery_error(KeyError("room")).retryable


def test_backoff_doubles_up_to_the_cap() -> None:
    """Delays grow 1, 2, 4 … and stop at the cap."""
    backoff = Backoff(base=1, factor=2, cap=30)
    assert [backoff.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]


class _Flaky:
    """Puppets that fail to connect `failures` times, then work."""

    def __init__(self, world: LocalWorld, account: str, failures: int) -> None:
        self.world, self.account, self.failures, self.made = world, account, failures, 0

    def __call__(self) -> LocalPuppet:
        self.made += 1
        if self.made <= self.failures:
            return _Dropping(self.world, self.account)
        return LocalPuppet(self.world, self.account)


class _Dropping(LocalPuppet):
    async def start(self) -> None:
        raise ConnectionError("puppet service unreachable")


async def test_reconnects_with_exponential_backoff(world: LocalWorld) -> None:
    """Three failed connects wait 1, 2, 4 s (on the injected sleep), then the bot is ready."""
    account = world.bots()[0].removeprefix("wxid_bot_")
    delays: list[float] = []
    errors: list[BaseException] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    factory = _Flaky(world, account, failures=3)
    async with WechatyAdapter(account, factory, sleep=sleep, on_error=errors.append,
                              backoff=Backoff(base=1, factor=2, cap=60)) as adapter:
        await adapter.wait_ready(TIMEOUT)
        assert delays == [1, 2, 4]
        assert adapter.reconnects == 3
        assert [type(e) for e in errors] == [ConnectionError] * 3
        room = world.rooms()[0]
        await adapter.send(room.id, TextOut("恢复了"), to_room=True)
    assert world.messages(room.id)[-1].text == "恢复了"


async def test_dropped_session_reconnects_and_rebinds(running: Running) -> None:
    """When a ready session ends, a new one starts and on_ready fires again."""
    first = await running.next_rooms()
    await running.adapter.bot.puppet.stop()  # the service went away
    assert await running.next_rooms() == first
    assert running.delays == [1.0]
    assert running.adapter.reconnects == 1
    room, tech = _room(running)
    running.world.speak(room.id, tech, "还在吗")
    got = await running.next()
    assert got.text == "还在吗"


async def test_messages_are_handed_over_in_the_order_they_arrived(
        home: Home, world: LocalWorld, clock: ManualClock) -> None:
    """A photo whose media check is slow is still handed over before the text sent after it."""
    account = home.bot.accounts[0].id
    asked, release = asyncio.Event(), asyncio.Event()
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    async def media_wanted(_room: str | None, _sender: str) -> bool:
        asked.set()
        await release.wait()  # the database worker is busy
        return False

    adapter = WechatyAdapter(account, lambda: LocalPuppet(world, account),
                             on_message=inbox.put_nowait, clock=clock,
                             media_wanted=media_wanted)
    async with adapter:
        await adapter.wait_ready(TIMEOUT)
        room = world.rooms()[0]
        tech = room.member_ids[-1]
        world.post(room.id, tech, "image", file_name="现场.jpg")
        await asyncio.wait_for(asked.wait(), TIMEOUT)
        world.speak(room.id, tech, "#结束")
        for _ in range(100):  # let the text's read finish while the photo's check waits
            await asyncio.sleep(0)
        release.set()
        first = await asyncio.wait_for(inbox.get(), TIMEOUT)
        second = await asyncio.wait_for(inbox.get(), TIMEOUT)
    assert (first.kind, second.text) == (MessageKind.IMAGE, "#结束")
