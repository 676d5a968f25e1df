"""A second province (四川省, written in tests/second_province.py) through the simulator: the
bot's replies take their examples from that home's catalog and industries, never the demo's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.transport.local_world import LocalWorld, room_id_for
from tests.second_province import ADMIN_PJ, DEMO_WORDS, write_second_province
from tests.simulator.test_conversations import Talk

PUJIANG = room_id_for("pujiang-junior")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return load_home(write_second_province(tmp_path / "sichuan"))


@pytest.fixture
def world(home: Home, clock: ManualClock) -> LocalWorld:
    return LocalWorld.from_home(home, clock)


@pytest.fixture
async def talk(home: Home, world: LocalWorld, clock: ManualClock, engine: Engine,
               serve: Callable[..., Any]) -> AsyncIterator[Talk]:
    settings = RunSettings(simulator_port=None, schedule_wake=False)
    async with AgriBot(home, engine, settings, world=world, clock=clock) as bot:
        await bot.wait_ready(30)
        async with serve(ready=bot.is_ready) as api:
            yield Talk(api, world)


async def test_replies_carry_this_provinces_examples(talk: Talk) -> None:
    """#帮助, #课程, a bare #点播, #问, #开始培训 and #暂停推送 in private: every example names
    this home's courses, industries and groups, and no word of the Jilin demo appears."""
    chat = talk
    _, rooms = await chat.api.get("/api/rooms")
    room = next(r for r in rooms if r["id"] == PUJIANG)
    tech = next(m["id"] for m in room["members"] if m["role"] == "member")
    said: list[str] = []

    async def expect(sender: str, text: str, contains: str) -> str:
        since = await chat.say(PUJIANG, sender, text)
        found = await chat.until(chat.bot_in_room(PUJIANG, since, contains))
        said.append(found["text"])
        return str(found["text"])

    help_text = await expect(tech, "#帮助", "使用说明")
    assert "「#点播 tea-101」" in help_text and "「#课程 茶叶」" in help_text
    assert "「#课程 茶叶」" in await expect(tech, "#课程", "近期课程")
    assert "「#点播 tea-101」" in await expect(tech, "#点播", "课程编号")
    assert "#问 茶叶有什么要注意的？" in await expect(tech, "#问", "#问")
    await expect(tech, "#答 Q-0001 好的", "专家")  # not an expert
    admin_help = await expect(ADMIN_PJ, "#帮助", "使用说明")
    assert "#暂停推送" in admin_help
    assert "#开始培训 春茶采摘与炒制" in await expect(ADMIN_PJ, "#开始培训", "培训主题")

    since = await chat.say_privately(ADMIN_PJ, "#暂停推送")
    assert since
    private = await chat.until(chat.bot_in_private(ADMIN_PJ, "群编号"))
    assert "「#暂停推送 pujiang-junior」" in private["text"]
    said.append(private["text"])

    leftovers = [(word, text) for text in said for word in DEMO_WORDS if word in text]
    assert leftovers == []


async def test_the_page_starts_in_this_provinces_words(talk: Talk) -> None:
    """The simulator's welcome card names this home's first county group and a question about
    its own industries, not 长春市 and 香菇."""
    status, page = await talk.api.get("/")
    assert status == 200
    assert "初级 › 成都市 › 蒲江县初级农技师群" in page
    assert page.count("#问 茶叶有什么要注意的？") == 2  # the first steps and the chip
    assert [w for w in DEMO_WORDS if w in page] == []
