"""Pushed links go out as ``/l/<code>`` on the bot's own server; opening one redirects to the
course and counts an anonymous open for the group it was pushed to, which the report shows and
``report explain`` traces to the open events."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from bot.app import AgriBot
from bot.cli.main import main
from bot.db.engine import session_factory
from bot.db.schema import Event, TrackedLink
from tests.quiz.conftest import JIUTAI, NONGAN, Room
from tests.quiz.test_conversation import report, sheet_rows
from tests.simulator.conftest import Api

DAY = date(2026, 12, 3)
COURSE = "ef-001"


async def _request_course(room: Room) -> dict[str, object]:
    [member, *_] = await room.members()
    asked = await room.say(member["id"], f"#点播 {COURSE}")
    card = await room.until(room.bot_said(asked, "", kind="url"))
    return dict(card)


async def test_opens_per_group_in_the_report_and_traced(
        bot: AgriBot, api: Api, engine: Engine, db_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """One course pushed to two groups; its link opened twice from one, once from the other
    (a forward, from a browser that is no member at all): 2 and 1 opens in the XLSX."""
    assert bot.world is not None
    jiutai, nongan = Room(api, bot.world, JIUTAI), Room(api, bot.world, NONGAN)
    cards = [await _request_course(jiutai), await _request_course(nongan)]
    course = bot.home.items[COURSE]
    for card in cards:
        assert card["title"] == course.title
        url = urlsplit(str(card["url"]))
        assert f"{url.scheme}://{url.netloc}" == api.base and url.path.startswith("/l/")
        assert len(url.path.removeprefix("/l/")) == 16 and course.url not in str(card["url"])
    codes = [urlsplit(str(c["url"])).path.removeprefix("/l/") for c in cards]
    assert codes[0] != codes[1]

    async with aiohttp.ClientSession() as stranger:  # no token, no cookie: anyone's phone
        for code in (codes[0], codes[0], codes[1]):
            async with stranger.get(f"{api.base}/l/{code}", allow_redirects=False) as resp:
                assert resp.status == 302 and resp.headers["Location"] == course.url
        async with stranger.head(f"{api.base}/l/{codes[1]}", allow_redirects=False) as resp:
            assert resp.status == 302  # a link checker's HEAD: redirected, not counted
        async with stranger.get(f"{api.base}/l/{codes[0][:-1]}x") as resp:
            assert resp.status == 404 and "链接不存在或已失效" in await resp.text()
            assert resp.content_type == "text/html"

    with session_factory(engine)() as session:
        opens = list(session.scalars(select(Event).where(Event.kind == "link_open")
                                     .order_by(Event.id)))
        links = {link.code: link for link in session.scalars(select(TrackedLink))}
    assert [(e.group_id, e.ref, e.actor) for e in opens] == [
        ("jiutai-junior", COURSE, None), ("jiutai-junior", COURSE, None),
        ("nongan-junior", COURSE, None)]
    assert links[codes[1]].group_id == "nongan-junior" and links[codes[1]].url == course.url

    out = tmp_path / "links.xlsx"
    assert report(bot, db_url, out, "--format", "xlsx") == 0
    rows = list(load_rows(out))
    by_group = {r["群编号"]: r for r in rows if r["课程编号"] == COURSE}
    assert (by_group["jiutai-junior"]["推送次数"], by_group["jiutai-junior"]["打开次数"]) == (1, 2)
    assert (by_group["nongan-junior"]["推送次数"], by_group["nongan-junior"]["打开次数"]) == (1, 1)
    assert by_group["jiutai-junior"]["打开率(%)"] == 200.0
    courses = sheet_rows(out, "课程")[COURSE]
    assert (courses["推送次数"], courses["打开次数"], courses["打开率(%)"]) == (2, 3, 150.0)
    groups = sheet_rows(out, "群")
    assert groups["jiutai-junior"]["链接打开次数"] == 2
    assert groups["nongan-junior"]["打开率(打开/推送,%)"] == 100.0

    capsys.readouterr()
    code = str(by_group["jiutai-junior"]["追溯代码"])
    assert main(["report", "explain", code, "--home", str(bot.home.paths.root), "--db", db_url,
                 "--from", DAY.isoformat(), "--to", DAY.isoformat()]) == 0
    traced = capsys.readouterr().out
    assert f"{code}  {DAY}..{DAY}: 2 个事件" in traced
    assert f"{opens[0].id}-{opens[1].id}" in traced and str(opens[2].id) not in traced


def load_rows(path: Path) -> list[dict[str, object]]:
    rows = list(load_workbook(path)["课程打开"].iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, r, strict=True)) for r in rows[1:]]
