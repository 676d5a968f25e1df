"""A second province with two accounts, through the simulator's HTTP API (issue 14): each bot's
private chats are visible, ``run --account`` shows that account's rooms only, and a province
admin sitting in a city group is an admin there.

The home is written here from scratch (山东省, two cities, three counties; the province's own
groups on one account, the counties' on the other), so nothing of the Jilin demo is assumed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.transport.local_world import LocalWorld, Message, bot_contact_id, room_id_for
from tests.harness import Watch

from .conftest import TIMEOUT

PROVINCE_ACCOUNT, COUNTY_ACCOUNT = "sd-kexie", "sd-xian"
PROVINCE_BOT, COUNTY_BOT = bot_contact_id(PROVINCE_ACCOUNT), bot_contact_id(COUNTY_ACCOUNT)
PROVINCE_ADMIN, CITY_ADMIN, COUNTY_ADMIN = "wxid_sd_admin", "wxid_jn_admin", "wxid_sg_admin"
COUNTY_EXPERT, PROVINCE_EXPERT = "wxid_sg_cai", "wxid_sd_expert"
SENIOR, JINAN = room_id_for("sd-senior"), room_id_for("jinan-intermediate")
SHOUGUANG = room_id_for("shouguang-junior")


def write_home(root: Path) -> Path:
    """山东省: 济南市 (章丘区, 平阴县) and 潍坊市 (寿光市); senior and city groups on the
    province's account, county groups on the county account."""
    for folder in ("config", "content_library", "schedules"):
        (root / folder).mkdir(parents=True)
    rate = {"per_minute": 600, "burst": 100, "jitter_seconds": 0.0}
    _dump(root / "config" / "bot.yaml", {
        "timezone": "Asia/Shanghai", "transport": "local",
        "accounts": [{"id": PROVINCE_ACCOUNT, "name": "山东科协助手", "rate": rate},
                     {"id": COUNTY_ACCOUNT, "name": "山东县级助手", "rate": rate}],
        "local": {"technicians_per_group": 3, "seed": 11}})
    _dump(root / "config" / "industries.yaml", {"industries": [
        {"id": "vegetables", "name": "设施蔬菜", "sector": "特色种植业",
         "keywords": ["大棚", "黄瓜", "番茄", "霜霉病"]},
        {"id": "fruit", "name": "果树", "sector": "特色种植业",
         "keywords": ["苹果", "梨", "桃树"]}]})
    counties = {"jinan": [("zhangqiu", "章丘区"), ("pingyin", "平阴县")],
                "weifang": [("shouguang", "寿光市")]}
    groups = [{"id": "sd-senior", "name": "山东省高级农技师工作群", "tier": "senior",
               "region": "shandong", "account": PROVINCE_ACCOUNT}]
    for city, name in (("jinan", "济南市"), ("weifang", "潍坊市")):
        groups.append({"id": f"{city}-intermediate", "name": f"{name}中级农技师工作群",
                       "tier": "intermediate", "region": city, "account": PROVINCE_ACCOUNT})
        groups += [{"id": f"{county}-junior", "name": f"{county_name}初级农技师工作群",
                    "tier": "junior", "region": county, "account": COUNTY_ACCOUNT}
                   for county, county_name in counties[city]]
    for group in groups:
        group["room_topic"] = group["name"]
    _dump(root / "config" / "groups.yaml", {
        "regions": {"id": "shandong", "name": "山东省", "cities": [
            {"id": city, "name": name, "counties": [{"id": c, "name": n}
                                                    for c, n in counties[city]]}
            for city, name in (("jinan", "济南市"), ("weifang", "潍坊市"))]},
        "groups": groups,
        "admins": [{"id": PROVINCE_ADMIN, "name": "孙立新", "region": "shandong"},
                   {"id": CITY_ADMIN, "name": "郑海燕", "region": "jinan"},
                   {"id": COUNTY_ADMIN, "name": "蔡国庆", "region": "shouguang"}],
        "experts": [
            {"id": COUNTY_EXPERT, "name": "蔡文涛", "title": "寿光市农技站 蔬菜",
             "industries": ["vegetables"], "region": "shouguang", "tier": "junior"},
            {"id": PROVINCE_EXPERT, "name": "刘春光", "title": "山东农业大学 蔬菜",
             "industries": ["vegetables"], "region": "shandong", "tier": "senior"}]})
    _dump(root / "content_library" / "vegetables.yaml", {"items": [{
        "id": "veg-001", "title": "黄瓜霜霉病的识别与防治", "industry": "vegetables",
        "tiers": ["junior"], "source": "山东农业大学", "speaker": "刘春光",
        "url": "https://example.org/agribot/veg-001", "url_is_example": True,
        "duration": "20:00", "description": "看叶片识别霜霉病", "tags": ["黄瓜"]}]})
    return root


def said(world: LocalWorld, room: str, bot: str, contains: str) -> Callable[[], Message | None]:
    """A message of ``bot`` in ``room`` containing ``contains``, newer than anything there now."""
    after = max((m.id for m in world.messages(room)), default=0)
    return lambda: next((m for m in world.messages(room, since=after)
                         if m.from_id == bot and contains in m.text), None)


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return load_home(write_home(tmp_path / "shandong"))


Api = Callable[..., Coroutine[Any, Any, tuple[int, Any]]]


@asynccontextmanager
async def running(home: Home, engine: Engine, *accounts: str
                  ) -> AsyncIterator[tuple[AgriBot, LocalWorld, Api]]:
    """The whole bot for ``accounts`` (all when none) with its simulator on a free port."""
    clock = ManualClock(datetime(2026, 6, 2, 1, 0, tzinfo=UTC))  # Tuesday 09:00 in 山东
    world = LocalWorld.from_home(home, clock)
    settings = RunSettings(accounts=accounts, simulator_port=0, schedule_wake=False)
    async with AgriBot(home, engine, settings, world=world, clock=clock) as bot, \
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as http:
        await bot.wait_ready(TIMEOUT)
        base = f"http://127.0.0.1:{bot.simulator.port}"

        async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
            async with http.request(method, base + path, json=body) as response:
                return response.status, await response.json()

        yield bot, world, call


async def test_each_bot_accounts_private_chats_are_shown(home: Home, engine: Engine) -> None:
    """A county question is relayed to the county's expert by the county account, the second
    in bot.yaml; the expert's private chats read back one per bot, each message saying which
    bot it is with, and he answers the county bot's chat from the page."""
    async with running(home, engine) as (bot, world, call):
        tech = next(c.id for c in world.members(SHOUGUANG) if c.role == "member")
        watch = Watch(world)
        numbered = said(world, SHOUGUANG, COUNTY_BOT, "Q-0001")
        status, _ = await call("POST", f"/api/rooms/{SHOUGUANG}/messages",
                               {"from": tech, "text": "#问 大棚黄瓜叶子背面长霉，是霜霉病吗？"})
        assert status == 201
        await watch.until(numbered)
        bot.wake_senders()

        async def relayed() -> list[dict[str, Any]] | None:
            _, chat = await call("GET", f"/api/contacts/{COUNTY_EXPERT}/messages")
            return chat if any("Q-0001" in m["text"] for m in chat) else None

        chat = await watch.until(relayed)
        assert {m["bot"] for m in chat} == {COUNTY_BOT}
        _, with_county = await call("GET", f"/api/contacts/{COUNTY_EXPERT}/messages"
                                           f"?bot={COUNTY_BOT}")
        _, with_province = await call("GET", f"/api/contacts/{COUNTY_EXPERT}/messages"
                                             f"?bot={PROVINCE_BOT}")
        assert with_county == chat and with_province == []
        _, people = await call("GET", "/api/contacts")
        expert = next(p for p in people if p["id"] == COUNTY_EXPERT)
        assert expert["bots"] == [COUNTY_BOT]
        province_admin = next(p for p in people if p["id"] == PROVINCE_ADMIN)
        assert province_admin["bots"] == [PROVINCE_BOT]

        answered = said(world, SHOUGUANG, COUNTY_BOT, "摘除病叶")
        status, sent = await call("POST", f"/api/contacts/{COUNTY_EXPERT}/messages",
                                  {"text": "#答 Q-0001 是霜霉病，摘除病叶，加强放风。",
                                   "bot": COUNTY_BOT})
        assert status == 201
        assert world.message(sent["id"]).to_id == COUNTY_BOT
        bot.wake_senders()
        answer = await watch.until(answered)
        assert answer.from_id == COUNTY_BOT and tech in answer.mentions
        status, refused = await call("GET", f"/api/contacts/{COUNTY_EXPERT}/messages"
                                            "?bot=wxid_bot_nobody")
        assert status == 400 and "wxid_bot_nobody" in refused["error"]


async def test_run_with_one_account_shows_that_accounts_rooms_only(home: Home,
                                                                   engine: Engine) -> None:
    """``run --account`` for the county account: its three county groups and its bot, and the
    province's rooms are not found."""
    async with running(home, engine, COUNTY_ACCOUNT) as (_bot, _world, call):
        _, rooms = await call("GET", "/api/rooms")
        assert sorted(r["group_id"] for r in rooms) == [
            "pingyin-junior", "shouguang-junior", "zhangqiu-junior"]
        _, info = await call("GET", "/api/info")
        assert [b["id"] for b in info["bots"]] == [COUNTY_BOT]
        status, _ = await call("GET", f"/api/rooms/{SENIOR}/messages")
        assert status == 404
        status, _ = await call("POST", f"/api/contacts/{COUNTY_ADMIN}/messages",
                               {"text": "#帮助", "bot": PROVINCE_BOT})
        assert status == 400


async def test_a_province_admin_in_a_city_group_is_an_admin_there(home: Home,
                                                                  engine: Engine) -> None:
    """Roles come from the admins of the group's region and every region above it, as the bot
    judges them; a county admin in the city's group is not the city's admin."""
    async with running(home, engine) as (_bot, _world, call):
        status, joined = await call("POST", f"/api/rooms/{JINAN}/members",
                                    {"id": PROVINCE_ADMIN})
        assert status == 201 and joined["role"] == "admin"
        await call("POST", f"/api/rooms/{JINAN}/members", {"id": COUNTY_ADMIN})
        _, rooms = await call("GET", "/api/rooms")
        roles = {m["id"]: m["role"] for m in next(r for r in rooms if r["id"] == JINAN)[
            "members"]}
        assert (roles[PROVINCE_ADMIN], roles[CITY_ADMIN], roles[COUNTY_ADMIN]) == (
            "admin", "admin", "member")
        assert roles[PROVINCE_BOT] == "bot"
