"""config/qa.yaml (read by load_home into home.qa): optional, validated, errors at their place."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_home
from bot.config.settings import QaSettings


def test_demo_file_and_defaults(demo_copy: Path) -> None:
    """The demo's qa.yaml loads; without the file the documented defaults apply."""
    assert load_home(demo_copy).qa.deadlines.county == 4
    (demo_copy / "config" / "qa.yaml").unlink()
    defaults = load_home(demo_copy).qa
    assert defaults == QaSettings()
    assert (defaults.deadlines.county, defaults.deadlines.city, defaults.deadlines.province) == (
        4, 8, 24)
    assert defaults.working_hours is None


def test_working_hours_parse(demo_copy: Path) -> None:
    """Working hours read as clock times and weekdays."""
    (demo_copy / "config" / "qa.yaml").write_text(
        'working_hours: {start: "08:00", end: "18:00", days: [mon, sat]}\n', encoding="utf-8")
    hours = load_home(demo_copy).qa.working_hours
    assert hours is not None and (hours.start, hours.end) == (time(8), time(18))
    assert hours.weekday_numbers() == {0, 5}


@pytest.mark.parametrize(("text", "line", "column", "needle"), [
    ("deadlines:\n  county: -1\n", 2, 11, "county"),
    ("deadlines:\n  contry: 3\n", 2, 3, "contry"),
    ("working_hours:\n  start: '25:00'\n  end: '18:00'\n", 2, 10, "25:00"),
    ("working_hours:\n  start: '18:00'\n  end: '08:00'\n", 2, 3, "start"),
    ("faq: [1]\n", 1, 6, "faq"),
])
def test_errors_point_at_their_place(demo_copy: Path, text: str, line: int, column: int,
                                     needle: str) -> None:
    """Each mistake is reported as path:line:col with the culprit named."""
    path = demo_copy / "config" / "qa.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_home(demo_copy)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (path, line, column)
    assert needle in problem.message or needle in str(problem)
