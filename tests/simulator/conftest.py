"""The simulator served over the demo home's world on a free port, and an HTTP client for it.

``live_bot`` also runs the whole bot behind the world, for the page test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.db.engine import make_engine, upgrade
from bot.simulator import SimulatorServer
from bot.transport.local_world import LocalWorld
from tests.conftest import unpaced

TIMEOUT = 10.0  # seconds; reached only when something awaited never comes
NONGAN = "room-nongan-junior@chatroom"


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(unpaced(demo_copy))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 11, 1, 30, tzinfo=UTC))


@pytest.fixture
def world(home: Home, clock: ManualClock) -> LocalWorld:
    return LocalWorld.from_home(home, clock)


@dataclass
class Api:
    """Real HTTP to a running simulator."""

    server: SimulatorServer
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else None
        kwargs: dict[str, Any] = {"data": data} if raw is not None else {"json": body}
        async with self.http.request(method, self.base + path, headers=headers,
                                     **kwargs) as resp:
            text = await resp.text()
            if resp.content_type == "application/json":
                return resp.status, await resp.json()
            return resp.status, text

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, body, **kw)


@pytest.fixture
async def serve(world: LocalWorld, home: Home) -> AsyncIterator[Callable[..., Any]]:
    """``async with serve(token=..., ready=...) as api`` runs a simulator on a free port."""
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))

    class _Serving:
        def __init__(self, **options: Any) -> None:
            self.server = SimulatorServer(world, home, port=0, **options)

        async def __aenter__(self) -> Api:
            await self.server.__aenter__()
            return Api(self.server, http)

        async def __aexit__(self, *exc: object) -> None:
            await self.server.__aexit__(None, None, None)

    yield _Serving
    await http.close()


@pytest.fixture
async def api(serve: Callable[..., Any]) -> AsyncIterator[Api]:
    async with serve() as running:
        yield running


@pytest.fixture
async def live_bot(home: Home, world: LocalWorld, tmp_path: Path) -> AsyncIterator[AgriBot]:
    """The whole bot answering in the world, as ``agribot run`` runs it (its own simulator off:
    the tests serve theirs)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'agribot.db'}")
    upgrade(engine)
    async with AgriBot(home, engine, RunSettings(simulator_port=None), world=world) as bot:
        await bot.wait_ready(TIMEOUT)
        yield bot
    engine.dispose()


@pytest.fixture
async def bot_api(home: Home, world: LocalWorld, clock: ManualClock, engine: Engine,
                  serve: Callable[..., Any]) -> AsyncIterator[tuple[Api, AgriBot]]:
    """The whole bot over the world (schedules fire only when asked), and the API beside it."""
    settings = RunSettings(simulator_port=None, schedule_wake=False)
    async with AgriBot(home, engine, settings, world=world, clock=clock) as bot:
        await bot.wait_ready(30)
        async with serve(ready=bot.is_ready) as api:
            yield api, bot
