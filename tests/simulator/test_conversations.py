"""Whole conversations as people have them: through the simulator's HTTP API, with the whole bot
(real Wechaty over the local puppet, real database, real senders) behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import AgriBot
from bot.clock import ManualClock
from bot.transport.local_world import LocalWorld, room_id_for
from tests.harness import Watch
from tests.simulator.conftest import Api

JIUTAI = room_id_for("jiutai-junior")
Check = Callable[[], Awaitable[Any]]


class Talk:
    """Speak and read through the API; wait for the world to change instead of sleeping."""

    def __init__(self, api: Api, world: LocalWorld) -> None:
        self.api = api
        self.until = Watch(world).until

    async def say(self, room: str, sender: str, text: str) -> int:
        status, body = await self.api.post(f"/api/rooms/{room}/messages",
                                           {"from": sender, "text": text})
        assert status == 201, body
        return int(body["id"])

    async def say_privately(self, contact: str, text: str) -> int:
        status, body = await self.api.post(f"/api/contacts/{contact}/messages", {"text": text})
        assert status == 201, body
        return int(body["id"])

    def bot_in_room(self, room: str, since: int, contains: str, kind: str = "text") -> Check:
        async def check() -> Any:
            _, messages = await self.api.get(f"/api/rooms/{room}/messages?since={since}")
            return next((m for m in messages if m["from"].startswith("wxid_bot_")
                         and m["type"] == kind and contains in (m["text"] or m["title"])), None)
        return check

    def bot_in_private(self, contact: str, contains: str) -> Check:
        async def check() -> Any:
            _, messages = await self.api.get(f"/api/contacts/{contact}/messages?since=0")
            return next((m for m in messages if m["from"].startswith("wxid_bot_")
                         and contains in m["text"]), None)
        return check


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 3, 11, 0, tzinfo=UTC))  # Thursday 19:00 in Jilin


@pytest.fixture
def talk(bot_api: tuple[Api, AgriBot], world: LocalWorld) -> tuple[Talk, AgriBot]:
    api, bot = bot_api
    return Talk(api, world), bot


async def test_question_to_the_county_expert_and_back(talk: tuple[Talk, AgriBot]) -> None:
    """A 九台区 technician asks about 香菇绿霉; the county's 食用菌 expert gets it privately and
    answers with #答; the group sees the answer quoting the question and mentioning the asker;
    the asker closes it."""
    chat, bot = talk
    expert = next(e.id for e in bot.home.experts.values()
                  if e.region == "jiutai" and "edible_fungi" in e.industries)
    _, rooms = await chat.api.get("/api/rooms")
    room = next(r for r in rooms if r["id"] == JIUTAI)
    asker = next(m["id"] for m in room["members"] if m["role"] == "member")

    asked = await chat.say(JIUTAI, asker, "#问 香菇菌棒出现绿霉怎么办？")
    ack = await chat.until(chat.bot_in_room(JIUTAI, asked, "Q-0001"))
    assert asker in ack["mentions"]
    relay = await chat.until(chat.bot_in_private(expert, "Q-0001"))
    assert "绿霉" in relay["text"]

    answered = await chat.say_privately(expert, "#答 Q-0001 清除污染菌棒，降低湿度，加强通风。")
    answer = await chat.until(chat.bot_in_room(JIUTAI, answered, "加强通风"))
    assert asker in answer["mentions"] and "绿霉" in answer["text"]

    closed = await chat.say(JIUTAI, asker, "#解决 Q-0001")
    await chat.until(chat.bot_in_room(JIUTAI, closed, "Q-0001"))


async def test_scheduled_push_arrives_as_a_link_card(talk: tuple[Talk, AgriBot],
                                                     clock: ManualClock) -> None:
    """九台区's Thursday 20:00 series push shows in its group as a link card with the message."""
    chat, bot = talk
    runner = bot.schedules
    assert runner is not None
    assert await runner.run_due() == 0  # nothing is due before 20:00
    clock.advance(timedelta(hours=1, minutes=1))
    assert await runner.run_due() == 1
    bot.wake_senders()  # a timer job queued it; the sender would notice within a second
    card = await chat.until(chat.bot_in_room(JIUTAI, 0, "绿霉", kind="url"))
    first = bot.home.items[bot.home.episodes["xianggu-lvmei"][0]]
    assert (card["title"], card["url"]) == (first.title, first.url)
    assert card["description"].startswith(f"今晚学习：{first.title}（第 1 集）")


async def test_request_is_acknowledged_before_its_card_arrives(
        talk: tuple[Talk, AgriBot]) -> None:
    """#点播: the member reads 「已为您点播…」 first, then the course's link card."""
    chat, bot = talk
    _, rooms = await chat.api.get("/api/rooms")
    room = next(r for r in rooms if r["id"] == JIUTAI)
    asker = next(m["id"] for m in room["members"] if m["role"] == "member")
    item = next(i for i in bot.home.items.values()
                if i.url and not i.file and bot.home.groups["jiutai-junior"].tier in i.tiers)

    asked = await chat.say(JIUTAI, asker, f"#点播 {item.id}")
    card = await chat.until(chat.bot_in_room(JIUTAI, asked, item.title, kind="url"))
    _, messages = await chat.api.get(f"/api/rooms/{JIUTAI}/messages?since={asked}")
    from_bot = [m for m in messages if m["from"].startswith("wxid_bot_")]
    ack = next(m for m in from_bot if "已为您点播" in (m["text"] or ""))
    assert asker in ack["mentions"] and item.title in ack["text"]
    assert ack["id"] < card["id"], [(m["id"], m["type"], m["text"] or m["title"])
                                    for m in from_bot]
