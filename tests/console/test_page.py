"""The console in a real headless Chromium: the 九台区 admin sends #后台 through the simulator's
API, opens the link, sees this week's figures and the chart, opens 问题 and 日程, downloads
the XLSX report (read back with openpyxl) and sends a dead letter again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.db.schema import OutboxRow
from bot.delivery import outbox
from bot.transport.local_world import room_id_for
from tests.browser import chromium
from tests.console.conftest import Running
from tests.console.test_api import TECH, _dead_letter

JIUTAI = room_id_for("jiutai-junior")
WAIT_MS = 15_000


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


async def _page(browser: Any) -> Any:
    # a phone's screen: the console is for county offices and phones alike
    page = await browser.new_page(viewport={"width": 412, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


async def test_an_admin_reads_the_county_in_the_browser(
        browser: Any, running: Running, tmp_path: Path) -> None:
    """Sign in from chat, read the overview, questions and schedule, download the XLSX."""
    http = running.browser()
    status, _ = await http.post(f"/api/rooms/{JIUTAI}/messages",
                                {"from": TECH, "text": "#问 香菇菌棒出现绿霉怎么办？"})
    assert status == 201
    await running.watch.until(lambda: any(
        "Q-0001" in m.text for m in running.world.messages(JIUTAI)))
    link = await running.ask_link()

    page = await _page(browser)
    await page.goto(link)
    await page.wait_for_url(f"{running.base}/console/")
    await page.locator("#content[data-loaded=overview]").wait_for()
    assert "冯波 · 九台区" in (await page.locator("#who").text_content() or "")
    questions = page.locator("#week .card[data-code=questions] .value")
    assert await questions.text_content() == "1"
    assert await page.locator("#month .card[data-code=active_members] .value").text_content() \
        not in ("", "—")
    assert await page.locator("svg.chart rect").count() >= 2
    cookies = await page.context.cookies()
    [cookie] = [c for c in cookies if c["name"] == "agribot_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    await page.locator("#tab-questions").click()
    await page.locator("#content[data-loaded=questions]").wait_for()
    row = page.locator("tr", has_text="Q-0001")
    assert "绿霉" in (await row.text_content() or "")

    await page.locator("#tab-schedule").click()
    await page.locator("#content[data-loaded=schedule]").wait_for()
    assert await page.locator(".day .push").count() >= 1
    assert "schedules/jilin/changchun/jiutai.yaml" in (
        await page.locator(".file").first.text_content() or "")

    await page.locator("#tab-report").click()
    await page.locator("#content[data-loaded=report]").wait_for()
    assert "核验通过" in (await page.locator("#verify").text_content() or "")
    async with page.expect_download() as info:
        await page.locator("a[data-format=xlsx]").click()
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "report.xlsx"
    await download.save_as(str(saved))
    book = load_workbook(saved, read_only=True)
    text = "\n".join(str(c) for sheet in book.worksheets
                     for r in sheet.iter_rows(values_only=True) for c in r if c)
    book.close()
    assert "九台区" in text and "agribot-covers" in text
    assert page.errors == []


async def test_a_dead_letter_retried_from_the_page(browser: Any, running: Running) -> None:
    """发送 lists the dead letter; its button sends it again, and the page shows it sent."""
    row = await running.bot.db.run(_dead_letter, "jiutai-junior", "明早八点大棚现场会",
                                   running.clock.now())
    page = await _page(browser)
    await page.goto(await running.ask_link())
    await page.wait_for_url(f"{running.base}/console/")
    await page.locator("#tab-outbox").click()
    await page.locator("#content[data-loaded=outbox]").wait_for()
    await page.locator(f"button.retry[data-id='{row}']").click()
    await running.watch.until(lambda: any(
        "明早八点大棚现场会" in m.text for m in running.world.messages(JIUTAI)))
    assert await running.bot.db.read(lambda s: s.get(OutboxRow, row).status) == outbox.SENT
    await page.locator(f"button.retry[data-id='{row}']").wait_for(state="detached")
    assert page.errors == []
