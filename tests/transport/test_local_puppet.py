"""The local puppet serving a world to the real Wechaty: payloads, visibility, ids."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.clock import ManualClock
from bot.transport.local_puppet import LocalPuppet
from bot.transport.local_world import Contact, LocalWorld
from bot.transport.wechaty_adapter import WechatyAdapter
from tests.transport.conftest import TIMEOUT, Running


async def test_room_and_contacts_load_through_wechaty(running: Running) -> None:
    """Wechaty's Room and Contact objects read topic, members and names from the world."""
    world_room = running.world.rooms()[0]
    bot = running.adapter.bot
    room = bot.Room.load(world_room.id)
    await room.ready()
    assert await room.topic() == world_room.topic
    members = await room.member_list()
    assert [m.contact_id for m in members] == world_room.member_ids
    assert [m.name for m in members] == [c.name for c in running.world.members(world_room.id)]


async def test_world_message_payload_loads_back(running: Running) -> None:
    """A world message loads as a wechaty Message with talker, room, text, mentions, date."""
    room = running.world.rooms()[0]
    tech, expert = room.member_ids[-1], room.member_ids[1]
    world_id = running.world.speak(room.id, tech, "请教", mentions=[expert])
    inbound = await running.next()
    msg = running.adapter.bot.Message.load(inbound.message_id)
    await msg.ready()
    assert (msg.talker().contact_id, msg.room().room_id, msg.text()) == (tech, room.id, "请教")
    assert msg.payload.mention_ids == [expert]
    assert msg.payload.timestamp == int(running.world.message(world_id).ts.timestamp() * 1000)


async def test_each_puppet_sees_only_its_bots_rooms_and_chats() -> None:
    """With two accounts, a puppet lists its own rooms and hears only its own private chats."""
    world = LocalWorld(ManualClock(datetime(2024, 1, 1, tzinfo=UTC)))
    for account in ("a", "b"):
        world.add_contact(Contact(f"wxid_bot_{account}", f"助手{account}", "bot"))
    world.add_contact(Contact("wxid_x", "小徐"))
    world.add_room("ra@chatroom", "甲群", owner_id="wxid_bot_a", member_ids=["wxid_x"])
    world.add_room("rb@chatroom", "乙群", owner_id="wxid_bot_b", member_ids=["wxid_x"])
    heard: dict[str, asyncio.Queue[object]] = {"a": asyncio.Queue(), "b": asyncio.Queue()}
    adapters = [WechatyAdapter(acc, lambda acc=acc: LocalPuppet(world, acc),
                               on_message=heard[acc].put_nowait) for acc in ("a", "b")]
    async with adapters[0] as first, adapters[1] as second:
        await first.wait_ready(TIMEOUT)
        await second.wait_ready(TIMEOUT)
        assert [r.id for r in await first.rooms()] == ["ra@chatroom"]
        assert [r.id for r in await second.rooms()] == ["rb@chatroom"]
        world.speak("rb@chatroom", "wxid_x", "乙群消息")
        world.speak_private("wxid_x", "找助手a", bot_id="wxid_bot_a")
        to_b = await asyncio.wait_for(heard["b"].get(), TIMEOUT)
        to_a = await asyncio.wait_for(heard["a"].get(), TIMEOUT)
        assert (to_b.room_id, to_b.text) == ("rb@chatroom", "乙群消息")  # type: ignore[attr-defined]
        assert (to_a.room_id, to_a.text) == (None, "找助手a")  # type: ignore[attr-defined]
        assert heard["a"].empty() and heard["b"].empty()


def test_wire_ids_differ_between_worlds_and_accounts(running: Running) -> None:
    """Wechaty drops repeated message ids process-wide, so ids name the world and account."""
    world = running.world
    other = LocalWorld(world.clock)
    for w in (world, other):
        w.add_contact(Contact("wxid_bot_second", "二号", "bot"))
    ids = {LocalPuppet(w, acc).wire_id(7)
           for w in (world, other) for acc in (running.account, "second")
           if w.has_contact(f"wxid_bot_{acc}")}
    assert len(ids) == 3
    one = LocalPuppet(world, running.account)
    assert one.world_id(one.wire_id(7)) == 7
