"""The weekly report: due at the configured time, once per week, to each region's admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.config import ConfigError, Home, load_home
from bot.core.messages import ImageOut, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow
from bot.stats.settings import ReportsConfig, load_reports_config
from bot.stats.weekly import due_week, send_weekly_if_due
from tests.stats.history import generate


def test_due_week_follows_the_setting(home: Home) -> None:
    """Monday 08:00 Beijing sends last week; before it nothing; a day late is skipped."""
    config = ReportsConfig()
    assert due_week(home, config, datetime(2026, 3, 16, 0, 30, tzinfo=UTC)) == (
        datetime(2026, 3, 9).date(), datetime(2026, 3, 15).date())
    assert due_week(home, config, datetime(2026, 3, 15, 23, 0, tzinfo=UTC)) is None
    assert due_week(home, config, datetime(2026, 3, 18, 0, 30, tzinfo=UTC)) is None


def test_weekly_report_sent_once_to_each_admin(engine: Engine, home: Home) -> None:
    """Every admin gets a Markdown summary and a PNG chart; a second call queues nothing."""
    # three regions keep the test quick: each region's chart takes a moment to draw
    home = replace(home, admins=tuple(a for a in home.admins
                                      if a.region in ("jilin", "changchun", "nongan")))
    generate(engine, home, seed=5, days=7, groups=["nongan-junior", "changchun-intermediate"])
    now = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing
    sessions = session_factory(engine)
    with sessions.begin() as session:
        added = send_weekly_if_due(session, home, now)
    assert added == 2 * len(home.admins)
    with sessions.begin() as session:
        assert send_weekly_if_due(session, home, now) == 0
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.target_id == "wxid_cc_wangshuzhen")).all()
    payloads = [payload_from_json(r.payload) for r in rows]
    text = next(p for p in payloads if isinstance(p, TextOut))
    image = next(p for p in payloads if isinstance(p, ImageOut))
    assert "长春市" in text.text and "2026-03-02 至 2026-03-08" in text.text
    assert Path(image.path).stat().st_size > 10_000


def test_reports_yaml_errors_point_at_the_line(demo_copy: Path) -> None:
    """A bad weekday in reports.yaml is reported at its line; defaults when the file is gone."""
    path = demo_copy / "config" / "reports.yaml"
    path.write_text("weekly:\n  weekday: someday\n  time: '08:00'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_reports_config(load_home(demo_copy))
    assert str(caught.value.problems[0]).startswith(f"{path}:2:")
    path.write_text("weekly:\n  weekday: 周三\n  time: '18:30'\ntraining: {min_participants: 50}\n",
                    encoding="utf-8")
    config = load_reports_config(load_home(demo_copy))
    assert (config.weekly.weekday_index, config.weekly.at.hour, config.training.min_participants
            ) == (2, 18, 50)
    path.unlink()
    assert load_reports_config(load_home(demo_copy)) == ReportsConfig()
