"""The simulator page in a real headless Chromium: pick a county group, speak as a technician,
see the bot answer live; unread counts and token mode work in the browser; with two accounts,
one private chat per bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot import messages as msg
from bot.app import AgriBot
from bot.config import load_home
from tests.browser import chromium
from tests.conftest import REPO
from tests.simulator.conftest import NONGAN
from tests.simulator.test_two_accounts import (
    COUNTY_ADMIN,
    COUNTY_BOT,
    PROVINCE_BOT,
    running,
    write_home,
)

ARTIFACTS = REPO / "artifacts"
WAIT_MS = 10_000
TECH = "wxid_t_nongan-junior_1"
YUSHU = "room-yushu-junior@chatroom"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium driven by Playwright (tests/browser.py)."""
    async with chromium() as launched:
        yield launched


async def _open(browser: Any, url: str) -> Any:
    page = await browser.new_page(viewport={"width": 1280, "height": 820}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    await page.goto(url)
    return page


async def test_a_technician_asks_for_help_and_sees_the_bot_answer(
        browser: Any, serve: Callable[..., Any], live_bot: AgriBot) -> None:
    """Open the page, pick 农安县's group, send #帮助 as a technician, see the bot's bubble."""
    async with serve(ready=lambda: live_bot.is_ready()) as api:
        page = await _open(browser, api.server.url)
        await page.locator("#status[data-state=ok]").wait_for()
        await page.locator(".item", has_text="农安县初级农技师工作群").click()
        await page.locator(".chat-title", has_text="农安县初级农技师工作群").wait_for()
        option = page.locator(f"#speaker option[value='{TECH}']")
        assert "农技师" in (await option.text_content() or "")
        await page.select_option("#speaker", TECH)
        await page.fill("#text", "#帮助")
        await page.press("#text", "Enter")

        mine = page.locator(".msg.mine .bubble", has_text="#帮助")
        await mine.wait_for()
        answer = page.locator(".msg.from-bot .bubble", has_text=msg.HELP_HEADER)
        await answer.wait_for()
        assert "#帮助" in (await answer.text_content() or "")
        assert await page.locator(".msg.from-bot .tag.bot").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "simulator-help.png"))
        assert (ARTIFACTS / "simulator-help.png").stat().st_size > 10_000
        assert page.errors == []


async def test_live_updates_unread_counts_and_token(
        browser: Any, serve: Callable[..., Any]) -> None:
    """With a token in its URL the page loads; a message in another group raises its unread
    badge, and one in the open group appears without a refresh."""
    async with serve(token="tok-123") as api:
        page = await _open(browser, api.server.url)
        await page.locator("#status[data-state=ok]").wait_for()
        await page.locator(".item", has_text="农安县初级农技师工作群").click()
        await page.locator(".chat-title", has_text="农安县").wait_for()

        headers = {"Authorization": "Bearer tok-123"}
        await api.post(f"/api/rooms/{YUSHU}/messages",
                       {"from": "wxid_t_yushu-junior_1", "text": "榆树这边玉米出苗了"},
                       headers=headers)
        badge = page.locator(".item", has_text="榆树市初级农技师工作群").locator(".badge")
        await badge.wait_for()
        assert await badge.text_content() == "1"

        status, _ = await api.post(f"/api/rooms/{NONGAN}/messages",
                                   {"from": "wxid_na_zhoulei", "text": "@大家 明天上午培训"},
                                   headers=headers)
        assert status == 201
        bubble = page.locator(".bubble", has_text="明天上午培训")
        await bubble.wait_for()
        assert await page.locator(".msg", has=bubble).locator(".tag.admin").count() == 1
        assert page.errors == []


async def test_one_private_chat_per_bot(browser: Any, tmp_path: Path, engine: Engine) -> None:
    """With two accounts, a county admin who heard from both bots has two private chats on the
    page, each with its bot's name; what he writes in one goes to that bot and comes back there."""
    home = load_home(write_home(tmp_path / "shandong"))
    async with running(home, engine) as (bot, world, _call):
        world.post(COUNTY_ADMIN, PROVINCE_BOT, "text", text="省科协通知：下周培训")
        page = await _open(browser, bot.simulator.url)
        await page.locator("#status[data-state=ok]").wait_for()
        await page.locator(".tab[data-tab=private]").click()
        chats = page.locator(".item", has_text="蔡国庆")
        await chats.nth(1).wait_for()
        assert await chats.count() == 2
        await page.locator(".item", has_text="蔡国庆 · 寿光市 · 山东科协助手").click()
        await page.locator(".chat-title", has_text="山东科协助手").wait_for()
        await page.locator(".bubble", has_text="省科协通知").wait_for()
        await page.fill("#text", "#帮助")
        await page.press("#text", "Enter")
        await page.locator(".msg.from-bot .bubble", has_text=msg.HELP_HEADER).wait_for()
        assert any(msg.HELP_HEADER in m.text
                   for m in world.private_messages(COUNTY_ADMIN, bot_id=PROVINCE_BOT))
        assert not world.private_messages(COUNTY_ADMIN, bot_id=COUNTY_BOT)
        await page.locator(".item", has_text="蔡国庆 · 寿光市 · 山东县级助手").click()
        await page.locator(".chat-title", has_text="山东县级助手").wait_for()
        assert await page.locator(".bubble", has_text="省科协通知").count() == 0
        assert page.errors == []
