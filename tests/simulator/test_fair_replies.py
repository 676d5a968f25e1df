"""A member floods a county group with commands, through the simulator's HTTP API with the whole
bot behind it: another group is answered at once, the flooder gets a few replies a minute and one
private note, repeats are not answered, and what waits past its use is dropped and counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from bot import messages as msg
from bot.app import AgriBot
from bot.clock import ManualClock
from bot.core import events as kinds
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.transport.local_world import LocalWorld, room_id_for
from tests.simulator.conftest import NONGAN, Api
from tests.simulator.test_conversations import Talk

JIUTAI = room_id_for("jiutai-junior")


async def member_of(api: Api, room: str) -> str:
    _, rooms = await api.get("/api/rooms")
    found = next(r for r in rooms if r["id"] == room)
    return str(next(m["id"] for m in found["members"] if m["role"] == "member"))


async def bot_lines(api: Api, room: str, since: int) -> list[dict[str, Any]]:
    _, messages = await api.get(f"/api/rooms/{room}/messages?since={since}")
    return [m for m in messages if m["from"].startswith("wxid_bot_")]


def count(engine: Engine, kind: str) -> int:
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).where(Event.kind == kind)) or 0)


async def test_a_flood_in_one_group_does_not_silence_another(
        bot_api: tuple[Api, AgriBot], world: LocalWorld, clock: ManualClock,
        engine: Engine) -> None:
    """Six different commands from one 农安 member and two repeats of the held-back ones, then
    九台's #帮助: 九台 is answered; 农安 gets 4 replies now and 2 a minute later, one private
    note explains, and the repeats are not answered; each is an event."""
    api, bot = bot_api
    talk = Talk(api, world)
    flooder, calm = await member_of(api, NONGAN), await member_of(api, JIUTAI)
    first = 0
    for text in ("#帮助", "#课程 玉米", "#查0", "#查1", "#查2", "#查3", "#查2", "#查3"):
        sent = await talk.say(NONGAN, flooder, text)
        first = first or sent
    asked = await talk.say(JIUTAI, calm, "#帮助")
    await talk.until(talk.bot_in_room(JIUTAI, asked, "#问"))
    note = await talk.until(talk.bot_in_private(flooder, "稍后回复"))
    assert note["text"] == msg.REPLY_LATER.format(place=bot.home.groups["nongan-junior"].name,
                                                  limit=4)

    async def replies(n: int) -> list[dict[str, Any]] | None:
        lines = await bot_lines(api, NONGAN, first)
        return lines if len(lines) >= n else None

    assert len(await talk.until(lambda: replies(4))) == 4
    assert count(engine, kinds.REPLY_DUPLICATE) == 2
    assert count(engine, kinds.REPLY_DEFERRED) == 2
    clock.advance(timedelta(seconds=61))
    bot.wake_senders()
    assert len(await talk.until(lambda: replies(6))) == 6


async def test_a_reply_held_past_its_use_is_dropped_and_counted(
        bot_api: tuple[Api, AgriBot], world: LocalWorld, clock: ManualClock,
        engine: Engine) -> None:
    """A held-back reply whose time comes after its kind's age (15 minutes for a command
    reply) is not sent late: it is dropped with a reply_stale event."""
    api, bot = bot_api
    talk = Talk(api, world)
    flooder = await member_of(api, NONGAN)
    first = 0
    for i in range(5):
        sent = await talk.say(NONGAN, flooder, f"#查{i}")
        first = first or sent
    await talk.until(talk.bot_in_private(flooder, "稍后回复"))

    async def replies(n: int) -> list[dict[str, Any]] | None:
        lines = await bot_lines(api, NONGAN, first)
        return lines if len(lines) >= n else None

    await talk.until(lambda: replies(4))
    clock.advance(timedelta(minutes=20))  # the bot was away: the fifth reply is 20 min late
    bot.wake_senders()

    async def dropped() -> int | None:
        return count(engine, kinds.REPLY_STALE) or None

    assert await talk.until(dropped) == 1
    assert len(await bot_lines(api, NONGAN, first)) == 4
