"""Fixtures for the transport tests: the demo home's world on a manual clock, and a running
adapter over the local puppet whose callbacks fill queues."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.chat.rooms import RoomInfo
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.transport.local_puppet import LocalPuppet
from bot.transport.local_world import LocalWorld
from bot.transport.wechaty_adapter import WechatyAdapter
from tests.conftest import REPO

TIMEOUT = 10  # seconds; only reached when an awaited event never comes


@pytest.fixture(scope="session")
def home() -> Home:
    return load_home(REPO)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2024, 5, 1, 8, 30, tzinfo=UTC))


@pytest.fixture
def world(home: Home, clock: ManualClock) -> LocalWorld:
    return LocalWorld.from_home(home, clock)


@dataclass
class Running:
    adapter: WechatyAdapter
    world: LocalWorld
    account: str
    inbox: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    rooms: asyncio.Queue[list[RoomInfo]] = field(default_factory=asyncio.Queue)
    delays: list[float] = field(default_factory=list)  # reconnect waits, never slept

    async def next(self) -> Any:
        return await asyncio.wait_for(self.inbox.get(), TIMEOUT)

    async def next_rooms(self) -> list[RoomInfo]:
        return await asyncio.wait_for(self.rooms.get(), TIMEOUT)


@pytest.fixture
async def running(home: Home, world: LocalWorld, clock: ManualClock) -> AsyncIterator[Running]:
    account = home.bot.accounts[0].id
    state: dict[str, Running] = {}

    def on_ready(rooms: list[RoomInfo]) -> None:
        state["r"].rooms.put_nowait(rooms)

    async def sleep(seconds: float) -> None:
        state["r"].delays.append(seconds)

    adapter = WechatyAdapter(account, lambda: LocalPuppet(world, account),
                             on_message=lambda m: state["r"].inbox.put_nowait(m),
                             on_membership=lambda c: state["r"].inbox.put_nowait(c),
                             on_ready=on_ready, clock=clock, sleep=sleep)
    state["r"] = Running(adapter, world, account)
    async with adapter:
        await adapter.wait_ready(TIMEOUT)
        yield state["r"]
