"""A restart sends at once to the rooms an earlier run bound, while the account is still listing
its rooms; a group bound by nobody yet waits for the listing, untried, instead of failing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from bot.app import AgriBot, RunSettings
from bot.clock import SystemClock
from bot.config import load_home
from bot.core.messages import Target, TextOut
from bot.db.engine import session_factory
from bot.db.schema import RoomBinding
from bot.delivery.fairness import BULK
from bot.delivery.outbox import Outgoing, enqueue
from bot.transport.local_puppet import LocalPuppet
from bot.transport.local_world import LocalWorld, room_id_for
from tests.conftest import unpaced
from tests.delivery.support import events, row
from tests.harness import ACCOUNT, Watch

BOUND, NEW = "nongan-junior", "jiutai-junior"


async def test_restart_sends_before_the_rooms_are_listed(
        demo_copy: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    home = load_home(unpaced(demo_copy))
    world = LocalWorld.from_home(home, SystemClock())
    settings = RunSettings(simulator_port=None)
    async with AgriBot(home, engine, settings, world=world) as first:
        await first.wait_ready(30)  # every room bound, as a run before the restart leaves it
    with session_factory(engine).begin() as session:
        session.execute(delete(RoomBinding).where(RoomBinding.group_id == NEW))  # added since
        enqueue(session, [Outgoing(f"p-{group}", ACCOUNT, Target.group(group),
                                   TextOut(f"今晚学习 {group}"), "push", "course-1", BULK)
                          for group in (NEW, BOUND)], now=SystemClock().now())

    listing = asyncio.Event()  # the platform takes its time listing the rooms until set
    room_list = LocalPuppet.room_list

    async def slow_room_list(self: LocalPuppet) -> list[str]:
        await listing.wait()
        return await room_list(self)

    monkeypatch.setattr(LocalPuppet, "room_list", slow_room_list)
    watch = Watch(world)
    pushed = watch.bot_said(room_id_for(BOUND), f"今晚学习 {BOUND}")  # from now on
    async with AgriBot(home, engine, settings, world=world) as second:
        sent = await watch.until(pushed)
        adapter = second.adapters[ACCOUNT]
        assert adapter.connected and not adapter.ready  # sent while the listing goes on
        waiting = row(engine, f"p-{NEW}")
        assert (waiting.status, waiting.attempts) == ("pending", 0)  # untried, not failed
        pushed = watch.bot_said(room_id_for(NEW), f"今晚学习 {NEW}")
        listing.set()
        await second.wait_ready(30)
        await watch.until(pushed)
    assert sent.room_id == room_id_for(BOUND)
    assert row(engine, f"p-{NEW}").attempts == 1
    assert not events(engine, "push_failed")
