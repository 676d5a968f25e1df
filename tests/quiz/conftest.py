"""The whole bot behind its own simulator (so ``/l/<code>`` is served where the links point),
on a home whose 九台区 schedule file pushes a quiz, with an injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.db.engine import session_factory
from bot.quiz import rounds
from bot.transport.local_world import LocalWorld, room_id_for
from tests.conftest import unpaced
from tests.harness import Watch
from tests.schedules.conftest import home_dir  # noqa: F401 (a fixture, for test_rounds)
from tests.simulator.conftest import Api

JIUTAI = room_id_for("jiutai-junior")
NONGAN = room_id_for("nongan-junior")
QUIZ_SCHEDULE = """
  # 周四晚 19:30 的知识竞赛：每群还没做过的下 3 道题，每道题 30 分钟
  - id: jiutai-quiz
    targets: [jiutai-junior]
    when: {once: {at: "2026-12-03 19:30"}}
    what: {quiz: fungi-basics, questions: 3, window: "30m"}
"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 3, 11, 0, tzinfo=UTC))  # Thursday 19:00 in Jilin


@pytest.fixture
def home(demo_copy: Path) -> Home:
    schedule = demo_copy / "schedules" / "jilin" / "changchun" / "jiutai.yaml"
    schedule.write_text(schedule.read_text("utf-8") + QUIZ_SCHEDULE, "utf-8")
    return load_home(unpaced(demo_copy))


Check = Callable[[], Awaitable[Any]]


class Room:
    """One group as its members see it through the simulator's API."""

    def __init__(self, api: Api, world: LocalWorld, room: str) -> None:
        self.api, self.room = api, room
        self.until = Watch(world).until

    async def members(self) -> list[dict[str, Any]]:
        _, rooms = await self.api.get("/api/rooms")
        found = next(r for r in rooms if r["id"] == self.room)
        return [m for m in found["members"] if m["role"] == "member"]

    async def say(self, sender: str, text: str) -> int:
        status, body = await self.api.post(f"/api/rooms/{self.room}/messages",
                                           {"from": sender, "text": text})
        assert status == 201, body
        return int(body["id"])

    def bot_said(self, since: int, contains: str, kind: str = "text") -> Check:
        async def check() -> Any:
            _, messages = await self.api.get(f"/api/rooms/{self.room}/messages?since={since}")
            return next((m for m in messages if m["from"].startswith("wxid_bot_")
                         and m["type"] == kind and contains in (m["text"] or m["title"] or "")),
                        None)
        return check

    async def bot_messages(self, since: int = 0) -> list[dict[str, Any]]:
        _, messages = await self.api.get(f"/api/rooms/{self.room}/messages?since={since}")
        return [m for m in messages if m["from"].startswith("wxid_bot_") and m["type"] != "system"]


@pytest.fixture
async def bot(home: Home, clock: ManualClock, engine: Engine) -> AsyncIterator[AgriBot]:
    world = LocalWorld.from_home(home, clock)
    settings = RunSettings(simulator_port=0, schedule_wake=False)
    async with AgriBot(home, engine, settings, world=world, clock=clock) as running:
        await running.wait_ready(30)
        yield running


@pytest.fixture
async def api(bot: AgriBot) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        yield Api(bot.simulator, http)


def tick(bot: AgriBot) -> None:
    """What the app's quiz timer does, now, on the injected clock."""
    with session_factory(bot.engine).begin() as session:
        rounds.tick(session, bot.home, bot.clock.now())
    bot.wake_senders()
