"""The whole bot with its simulator on a free port, the console under its ``/console/``, and an
HTTP client that keeps cookies as a browser does: an admin signs in exactly as on a phone, by
sending ``#后台`` in private chat and opening the link the bot answers with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home
from bot.console.web import COOKIE, CSRF_HEADER
from bot.transport.local_world import LocalWorld
from tests.harness import Watch

TIMEOUT = 20.0
FENGBO = "wxid_jt_fengbo"  # 冯波, admin of 九台区
LINK = re.compile(r"https?://\S+/console/login/[A-Za-z0-9_\-]+")
CSRF = re.compile(r'<meta name="csrf" content="([0-9a-f]+)">')


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))  # Thursday 11:00 in Jilin


@dataclass
class Browser:
    """Real HTTP to the bot's simulator and console, with a cookie jar of its own."""

    base: str
    http: aiohttp.ClientSession

    async def call(self, method: str, path: str, body: Any = None, *,
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        url = path if path.startswith("http") else self.base + path
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        async with self.http.request(method, url, headers=headers, allow_redirects=False,
                                     **kwargs) as resp:
            if resp.content_type == "application/json":
                return resp.status, await resp.json()
            if resp.content_type.startswith("text/"):
                return resp.status, await resp.text()
            return resp.status, await resp.read()

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, body, **kw)

    @property
    def session_cookie(self) -> str | None:
        found = [c for c in self.http.cookie_jar if c.key == COOKIE]
        return found[0].value if found else None

    async def csrf(self) -> str:
        status, page = await self.get("/console/")
        assert status == 200, page
        match = CSRF.search(page)
        assert match, page[:500]
        return match.group(1)

    async def post_safely(self, path: str, body: Any = None) -> tuple[int, Any]:
        """A POST as the console page makes it: its CSRF token, from its own origin."""
        return await self.post(path, body, headers={CSRF_HEADER: await self.csrf(),
                                                    "Origin": self.base})


@dataclass
class Running:
    bot: AgriBot
    world: LocalWorld
    clock: ManualClock
    watch: Watch
    base: str
    _clients: list[aiohttp.ClientSession]

    def browser(self) -> Browser:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        self._clients.append(http)
        return Browser(self.base, http)

    async def ask_link(self, contact: str = FENGBO) -> str:
        """``#后台`` in private chat; the link the bot answers with."""
        before = max((m.id for m in self.world.private_messages(contact)), default=0)
        status, body = await self.browser().post(f"/api/contacts/{contact}/messages",
                                                 {"text": "#后台"})
        assert status == 201, body

        def answered() -> str | None:
            for m in self.world.private_messages(contact, since=before):
                if m.from_id.startswith("wxid_bot_"):
                    found = LINK.search(m.text)
                    return found.group(0) if found else m.text
            return None

        return await self.watch.until(answered, TIMEOUT)

    async def signed_in(self, contact: str = FENGBO) -> Browser:
        browser = self.browser()
        link = await self.ask_link(contact)
        status, page = await browser.get(link)
        assert status == 200, page
        assert browser.session_cookie
        return browser


@pytest.fixture
async def running(home: Home, engine: Engine, clock: ManualClock) -> AsyncIterator[Running]:
    """The whole bot over its local world, its simulator (and console) on a free port."""
    world = LocalWorld.from_home(home, clock)
    watch = Watch(world)
    settings = RunSettings(simulator_port=0, schedule_wake=False)
    clients: list[aiohttp.ClientSession] = []
    async with AgriBot(home, engine, settings, world=world, clock=clock) as bot:
        await bot.wait_ready(30)
        yield Running(bot, world, clock, watch, f"http://127.0.0.1:{bot.simulator.port}",
                      clients)
        for http in clients:
            await http.close()


@pytest.fixture
def home(demo_copy: Any) -> Home:
    from bot.config import load_home
    from tests.conftest import unpaced

    return load_home(unpaced(demo_copy))
