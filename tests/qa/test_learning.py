"""The classifier is rebuilt at start and once a night, each rebuild logged with its accuracy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_home
from bot.qa.learning import LiveClassifier


def test_nightly_rebuild_once_after_three(demo_copy: Path, caplog: pytest.LogCaptureFixture
                                          ) -> None:
    """Started at 01:00 local (UTC+8): the start-up build counts for last night, so the first
    rebuild is at 03:00, then none until the next night's 03:00."""
    home = load_home(demo_copy)
    with caplog.at_level(logging.INFO, logger="bot.qa.learning"):
        live = LiveClassifier(home, None)
    [built] = [r.getMessage() for r in caplog.records if "rebuilt" in r.getMessage()]
    assert "fixed test split" in built and "% right" in built
    first = live.current

    def at(day: int, hour: int) -> datetime:  # the home's local time, as UTC like the clock
        return datetime(2026, 6, day, hour, 30, tzinfo=ZoneInfo(home.bot.timezone)
                        ).astimezone(UTC)

    assert live.rebuild_due(at(2, 1)) is False  # the app's job at start
    assert live.rebuild_due(at(2, 2)) is False
    assert live.current is first
    assert live.rebuild_due(at(2, 3)) is True
    assert live.rebuild_due(at(2, 4)) is False
    assert live.rebuild_due(at(2, 23)) is False
    assert live.rebuild_due(at(3, 3)) is True
    assert live.current is not first
