"""The local WeChat-like world built from a home."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import Home
from bot.config.models import BotConfig
from bot.transport.local_world import (
    LocalWorld,
    Membership,
    Message,
    SendRefused,
    WorldError,
    bot_contact_id,
    room_id_for,
)


def test_one_room_per_group_with_topic_and_stable_id(home: Home, world: LocalWorld) -> None:
    """Every configured group has a room named by its topic, with a stable id."""
    rooms = {r.group_id: r for r in world.rooms()}
    assert set(rooms) == set(home.groups)
    for group in home.groups.values():
        room = rooms[group.id]
        assert room.id == room_id_for(group.id) == f"room-{group.id}@chatroom"
        assert room.topic == (group.room_topic or group.name)


def test_members_are_bot_admins_experts_and_technicians(home: Home, world: LocalWorld) -> None:
    """A room holds its account's bot, the region's admins and experts, and N technicians."""
    per_group = home.bot.local.technicians_per_group
    for group in home.groups.values():
        members = world.members(room_id_for(group.id))
        ids = [m.id for m in members]
        assert ids[0] == bot_contact_id(group.account)
        assert {a.id for a in home.admins_of(group.region)} <= set(ids)
        experts = {e.id for e in home.experts.values() if e.region == group.region}
        assert {m.id for m in members if m.role == "expert"} == experts
        techs = [m for m in members if m.role == "member"]
        assert [t.id for t in techs] == [f"wxid_t_{group.id}_{n}" for n in range(1, per_group + 1)]
        assert len({t.name for t in techs}) == per_group
        assert all(2 <= len(t.name) <= 3 for t in techs)


def test_technicians_are_deterministic_from_the_seed(home: Home, clock: ManualClock) -> None:
    """The same seed gives the same names; another seed gives others."""
    names = [c.name for c in LocalWorld.from_home(home, clock).contacts()]
    assert names == [c.name for c in LocalWorld.from_home(home, clock).contacts()]
    other = home.bot.model_copy(update={"local": home.bot.local.model_copy(update={"seed": 7})})
    reseeded = LocalWorld.from_home(_with_bot(home, other), clock)
    assert names != [c.name for c in reseeded.contacts()]


def _with_bot(home: Home, bot: BotConfig) -> Home:
    return replace(home, bot=bot)


def test_room_log_is_ordered_with_growing_ids(world: LocalWorld, clock: ManualClock) -> None:
    """Messages get increasing ids across rooms; `since` returns only the later ones."""
    a, b = world.rooms()[0], world.rooms()[1]
    first = world.speak(a.id, a.member_ids[-1], "一")
    clock.advance(timedelta(seconds=5))
    world.speak(b.id, b.member_ids[-1], "二")
    third = world.speak(a.id, a.member_ids[-2], "三", mentions=[a.member_ids[0]])
    assert first < third
    log = world.messages(a.id)
    assert [m.text for m in log] == ["一", "三"]
    assert [m.text for m in world.messages(a.id, since=first)] == ["三"]
    assert log[1].mentions == (a.member_ids[0],)
    assert log[1].ts == clock.now()
    assert world.messages(a.id, since=third) == []


def test_private_chat_between_contact_and_bot(world: LocalWorld) -> None:
    """A private message and the bot's answer share one chat log."""
    room = world.rooms()[0]
    tech = room.member_ids[-1]
    bot = world.bots()[0]
    asked = world.speak_private(tech, "在吗")
    world.post(tech, bot, "text", text="在")
    log = world.private_messages(tech)
    assert [(m.from_id, m.to_id, m.text) for m in log] == [(tech, bot, "在吗"), (bot, tech, "在")]
    assert [m.text for m in world.private_messages(tech, since=asked)] == ["在"]


def test_join_and_leave_change_members_and_notify(world: LocalWorld) -> None:
    """Joining adds the member and a system line; observers hear both changes."""
    room = world.rooms()[0]
    seen: list[object] = []
    unsubscribe = world.subscribe(seen.append)
    world.join(room.id, "wxid_new", "新农技员")
    assert "wxid_new" in room.member_ids
    world.leave(room.id, "wxid_new")
    assert "wxid_new" not in room.member_ids
    changes = [e for e in seen if isinstance(e, Membership)]
    assert [(c.member_ids, c.joined) for c in changes] == [(("wxid_new",), True),
                                                         (("wxid_new",), False)]
    system = [e for e in seen if isinstance(e, Message)]
    assert [m.type for m in system] == ["system", "system"]
    unsubscribe()
    world.speak(room.id, room.member_ids[-1], "安静")
    assert len(seen) == 4


def test_unknown_room_contact_or_non_member_is_refused(world: LocalWorld) -> None:
    """Acting on what does not exist raises WorldError, never a bare KeyError."""
    room = world.rooms()[0]
    with pytest.raises(WorldError):
        world.speak("nope@chatroom", room.member_ids[-1], "x")
    with pytest.raises(WorldError):
        world.speak(room.id, "wxid_stranger", "x")
    with pytest.raises(WorldError):
        world.join(room.id, "wxid_nameless")
    with pytest.raises(WorldError):
        world.messages("nope@chatroom")


def test_refused_send_is_one_shot(world: LocalWorld) -> None:
    """`refuse_next_send` makes exactly the next send fail with WeChat's answer."""
    world.refuse_next_send()
    with pytest.raises(SendRefused, match="操作过于频繁"):
        world.check_send()
    world.check_send()
