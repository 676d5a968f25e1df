"""The weekly report: due at the configured time, once per week, to each region's admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot import eventlog
from bot.config import ConfigError, Home, load_home
from bot.config.settings import ReportsConfig
from bot.core.messages import ImageOut, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import OutboxRow
from bot.stats import weekly
from bot.stats.reports import stamp
from bot.stats.reports.charts import NoCJKFont
from bot.stats.rollup import Coverage
from bot.stats.weekly import due_week, send_weekly_if_due
from tests.stats.history import generate


def test_due_week_follows_the_setting(home: Home) -> None:
    """Monday 08:00 Beijing sends last week; before it nothing; a day late is skipped."""
    config = ReportsConfig()
    assert due_week(home, config, datetime(2026, 3, 16, 0, 30, tzinfo=UTC)) == (
        datetime(2026, 3, 9).date(), datetime(2026, 3, 15).date())
    assert due_week(home, config, datetime(2026, 3, 15, 23, 0, tzinfo=UTC)) is None
    assert due_week(home, config, datetime(2026, 3, 18, 0, 30, tzinfo=UTC)) is None


def three_regions(home: Home) -> Home:
    """Three regions keep the tests quick: each region's chart takes a moment to draw."""
    return replace(home, admins=tuple(a for a in home.admins
                                      if a.region in ("jilin", "changchun", "nongan")))


async def test_weekly_report_sent_once_to_each_admin(engine: Engine, home: Home) -> None:
    """Every admin gets a Markdown summary and a PNG chart, both anchoring the log's head
    (event count and hash); a second call queues nothing."""
    home = three_regions(home)
    generate(engine, home, seed=5, days=7, groups=["nongan-junior", "changchun-intermediate"])
    now = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing
    sessions = session_factory(engine)
    async with DatabaseRunner(sessions) as db:
        added = await send_weekly_if_due(db, home, now)
        assert added == 2 * len(home.admins)
        assert await send_weekly_if_due(db, home, now) == 0
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.target_id == "wxid_cc_wangshuzhen")).all()
    payloads = [payload_from_json(r.payload) for r in rows]
    text = next(p for p in payloads if isinstance(p, TextOut))
    image = next(p for p in payloads if isinstance(p, ImageOut))
    assert "长春市" in text.text and "2026-03-02 至 2026-03-08" in text.text
    assert Path(image.path).stat().st_size > 10_000
    with sessions() as session:
        head = eventlog.anchor(session)
    assert f"共 {head.events} 条事件，链头哈希 {head.head}" in text.text
    assert stamp.read(Path(image.path)) == Coverage(head.events, head.head)


async def test_weekly_text_goes_out_when_no_chart_can_be_drawn(
        engine: Engine, home: Home, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """On a machine where charts cannot be drawn (no CJK font), every admin still gets the
    text; the failure is logged once, and the next check does not queue the week again."""
    home = three_regions(home)
    generate(engine, home, seed=5, days=7, groups=["nongan-junior"])
    now = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)

    def no_font(_report: object, _path: Path) -> None:
        raise NoCJKFont("没有可用的中文字体")

    monkeypatch.setattr(weekly, "render_png", no_font)
    sessions = session_factory(engine)
    async with DatabaseRunner(sessions) as db:
        assert await send_weekly_if_due(db, home, now) == len(home.admins)
        assert await send_weekly_if_due(db, home, now) == 0
    with sessions() as session:
        payloads = [payload_from_json(p) for p in session.scalars(
            select(OutboxRow.payload).where(OutboxRow.purpose == "report"))]
    assert len(payloads) == len(home.admins)
    assert all(isinstance(p, TextOut) and "2026-03-02 至 2026-03-08" in p.text for p in payloads)
    failures = [r for r in caplog.records if "could not be drawn" in r.getMessage()]
    assert len(failures) == 1 and "NoCJKFont" in failures[0].getMessage()


def test_reports_yaml_errors_point_at_the_line(demo_copy: Path) -> None:
    """A bad weekday in reports.yaml is reported at its line; defaults when the file is gone."""
    path = demo_copy / "config" / "reports.yaml"
    path.write_text("weekly:\n  weekday: someday\n  time: '08:00'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_home(demo_copy)
    assert str(caught.value.problems[0]).startswith(f"{path}:2:")
    path.write_text("weekly:\n  weekday: 周三\n  time: '18:30'\ntraining: {min_participants: 50}\n",
                    encoding="utf-8")
    config = load_home(demo_copy).reports
    assert (config.weekly.weekday.index, config.weekly.time.hour, config.training.min_participants
            ) == (2, 18, 50)
    path.unlink()
    assert load_home(demo_copy).reports == ReportsConfig()
