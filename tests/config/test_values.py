"""A time of day and a weekday read the same in every file: schedules, qa.yaml, reports.yaml."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot import messages as msg
from bot.config import ConfigError, load_home
from bot.config.values import Weekday, parse_time_of_day


@pytest.mark.parametrize(("text", "expected"), [
    ("19:30", time(19, 30)), ("19：30", time(19, 30)), (" 8:05 ", time(8, 5)), ("00:00", time(0)),
])
def test_time_of_day_spellings(text: str, expected: time) -> None:
    """ASCII and full-width colons, one or two hour digits."""
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["24:00", "19:60", "1930", "19.30", "七点", ""])
def test_time_of_day_mistakes_name_the_value(text: str) -> None:
    """A wrong clock is refused with the value and the format to write."""
    with pytest.raises(ValueError) as caught:
        parse_time_of_day(text)
    assert str(caught.value) == msg.TIME_FORMAT.format(value=text)


def test_unquoted_time_is_explained() -> None:
    """YAML reads an unquoted 19:30 as 1170; the message says to quote it."""
    with pytest.raises(ValueError, match="引号"):
        parse_time_of_day(1170)


@pytest.mark.parametrize("spelling", ["一", "周一", "星期一", "礼拜一", "mon", "Monday", 1, "1"])
def test_weekday_spellings(spelling: object) -> None:
    """Every way an admin writes Monday."""
    assert Weekday.parse(spelling) is Weekday.MON


def test_weekday_numberings_derive_from_one_place() -> None:
    """ISO value, date.weekday() index, crontab name and label agree for every day."""
    for offset in range(7):
        day = date(2026, 11, 30 + offset) if offset == 0 else date(2026, 12, offset)
        weekday = Weekday.of(day)
        assert weekday.index == day.weekday() and weekday.value == day.isoweekday()
        assert weekday.cron == day.strftime("%a").lower()
    assert [d.label for d in Weekday] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert Weekday.parse("天") is Weekday.SUN is Weekday.parse(7)


@pytest.mark.parametrize("bad", ["周八", "8", 0, True, "someday"])
def test_unknown_weekday(bad: object) -> None:
    with pytest.raises(ValueError, match="不认识的星期"):
        Weekday.parse(bad)


def test_same_spellings_in_every_settings_file(demo_copy: Path) -> None:
    """qa.yaml and reports.yaml accept the weekday and clock spellings schedules accept."""
    config = demo_copy / "config"
    (config / "qa.yaml").write_text(
        "working_hours: {start: '8：30', end: '17:00', days: [周一, 星期三, fri]}\n",
        encoding="utf-8")
    (config / "reports.yaml").write_text("weekly: {weekday: 二, time: '07：45'}\n",
                                         encoding="utf-8")
    home = load_home(demo_copy)
    assert home.qa.working_hours is not None
    assert home.qa.working_hours.start == time(8, 30)
    assert home.qa.working_hours.weekday_numbers() == {0, 2, 4}
    assert (home.reports.weekly.weekday, home.reports.weekly.time) == (Weekday.TUE, time(7, 45))


def test_unquoted_working_hours_are_refused(demo_copy: Path) -> None:
    """``end: 18:00`` unquoted is the number 1080 to YAML: refused at its place, not read as
    00:18."""
    path = demo_copy / "config" / "qa.yaml"
    path.write_text("working_hours:\n  start: '08:00'\n  end: 18:00\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_home(demo_copy)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (path, 3, 8)
    assert "引号" in problem.message
