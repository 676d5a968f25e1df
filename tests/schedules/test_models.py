"""Schedule file fields: the friendly spellings admins use, and the slips they make."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from pydantic import ValidationError

from bot.schedules.models import Entry, When

BASE = {"id": "a", "targets": ["nongan-junior"], "what": "cs-002"}


def entry(**fields: object) -> Entry:
    return Entry.model_validate({**BASE, "when": {"daily": {"time": "19:30"}}, **fields})


def error_text(**fields: object) -> str:
    with pytest.raises(ValidationError) as caught:
        entry(**fields)
    return str(caught.value)


def test_weekdays_in_chinese_english_and_numbers() -> None:
    """一/周三/星期日/mon/7 all name ISO weekdays (Monday = 1)."""
    when = When.model_validate({"weekly": {"weekdays": ["一", "周三", "星期日", "fri", 6],
                                           "time": "19：30"}})
    assert when.weekly is not None
    assert when.weekly.weekdays == [1, 3, 7, 5, 6]
    assert when.weekly.time == time(19, 30)


def test_unquoted_time_names_the_fix() -> None:
    """YAML reads an unquoted 19:30 as 1170; the error says to quote it."""
    assert "要加英文引号" in error_text(when={"daily": {"time": 1170}})


def test_unknown_weekday_and_bad_clock() -> None:
    """A weekday that does not exist and an impossible time are refused with the fix."""
    assert "不认识的星期 “周八”" in error_text(when={"weekly": {"weekdays": ["周八"],
                                                              "time": "19:30"}})
    assert "19:30" in error_text(when={"daily": {"time": "25:00"}})


def test_one_form_of_when_and_of_what() -> None:
    """Writing two forms at once is ambiguous, so it is an error."""
    assert "只能写一种" in error_text(when={"daily": {"time": "08:00"}, "cron": "0 8 * * *"})
    assert "item、series、pick" in error_text(what={"item": "cs-002", "series": "x"})


def test_shorthands() -> None:
    """A bare string is a cron ``when``, an item ``what``; ``all`` targets the whole region."""
    e = Entry.model_validate({"id": "a", "targets": "all", "when": "0 8 * * *", "what": "cs-002"})
    assert e.when.cron == "0 8 * * *" and e.what.item == "cs-002"
    assert e.targets.tier is None and e.targets.region is None  # type: ignore[union-attr]


def test_quiet_hours_grace_and_once() -> None:
    """Quiet hours, grace and one-off times accept their usual spellings."""
    e = entry(quiet_hours="22:00-07:00", on_missed={"grace": "1h30m"},
              when={"once": {"at": "2026-12-01 19:30"}})
    assert e.quiet_hours == (time(22), time(7))
    assert e.on_missed.grace == timedelta(hours=1, minutes=30)
    assert e.when.once is not None and e.when.once.at == datetime(2026, 12, 1, 19, 30)
    assert "22:00-07:00" in error_text(quiet_hours="晚上十点到早上七点")
    assert "3h" in error_text(on_missed={"grace": "three hours"})
    assert "YYYY-MM-DD HH:MM" in error_text(when={"once": {"at": "12月1日"}})


def test_template_placeholders_are_checked() -> None:
    """A misspelt placeholder is caught at load, not when the push goes out."""
    assert entry(message="{title}（{speaker}）{group}").message
    assert "{titel}" in error_text(message="{titel}")
    assert "{title.__class__}" in error_text(message="{title.__class__}")


def test_end_before_start() -> None:
    """A date range that ends before it starts is refused."""
    assert "早于" in error_text(start="2026-12-10", end="2026-12-01")
