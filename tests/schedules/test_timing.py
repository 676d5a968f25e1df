"""Fire times: cron and friendly forms in a zone, quiet hours, date ranges — plain datetimes."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time

import pytest

from bot.schedules.models import When
from bot.schedules.timing import EntryTrigger, Timing, cron_of
from tests.schedules.conftest import local


def timing(cron: str, **kw: object) -> Timing:
    return Timing(cron, None, "Asia/Shanghai", **kw)  # type: ignore[arg-type]


def ats(t: Timing, start: datetime, end: datetime) -> list[datetime]:
    return [f.at for f in t.firings(start, end)]


@pytest.mark.parametrize(("cron", "expected"), [
    ("30 19 * * 1,3", "30 19 * * mon,wed"),  # crontab: 1 is Monday (APScheduler 3: Tuesday)
    ("0 8 * * 0", "0 8 * * sun"),
    ("0 8 * * 7", "0 8 * * sun"),
    ("0 8 * * 1-5", "0 8 * * mon,tue,wed,thu,fri"),
    ("0 8 * * */2", "0 8 * * tue,thu,sat,sun"),
    ("0 8 * * mon-fri", "0 8 * * mon-fri"),
])
def test_cron_weekdays_count_as_crontab_does(cron: str, expected: str) -> None:
    """Numeric weekdays follow crontab (0 and 7 = Sunday), not APScheduler 3's Monday = 0."""
    assert cron_of(When(cron=cron)) == expected


def test_bad_cron_is_explained() -> None:
    """A cron with four fields or a bad value says what is wrong."""
    with pytest.raises(ValueError, match="5 段"):
        cron_of(When(cron="30 19 * *"))
    with pytest.raises(ValueError, match="无法识别"):
        cron_of(When(cron="61 19 * * *"))


def test_weekly_fires_on_the_local_weekdays() -> None:
    """Weekly Tue/Thu 19:30 Shanghai fires at 11:30 UTC on those days."""
    when = When.model_validate({"weekly": {"weekdays": ["二", "四"], "time": "19:30"}})
    t = timing(cron_of(when) or "")
    assert ats(t, local(2026, 11, 30, 0), local(2026, 12, 8, 0)) == [
        local(2026, 12, 1, 19, 30), local(2026, 12, 3, 19, 30)]


def test_quiet_hours_move_a_firing_to_their_end() -> None:
    """A 23:00 firing inside 22:00-07:00 is sent at 07:00 the next morning."""
    t = timing("0 23 * * *", quiet=(time(22), time(7)))
    [firing] = t.firings(local(2026, 12, 1, 12), local(2026, 12, 2, 12))
    assert firing.at == local(2026, 12, 2, 7)
    assert firing.planned == local(2026, 12, 1, 23)


def test_quiet_hours_merge_firings_instead_of_a_burst() -> None:
    """An hourly schedule overnight sends once at the end of the quiet hours, not nine times."""
    t = timing("0 * * * *", quiet=(time(22), time(7)))
    firings = list(t.firings(local(2026, 12, 1, 21, 30), local(2026, 12, 2, 8, 30)))
    assert [f.at for f in firings] == [local(2026, 12, 2, 7), local(2026, 12, 2, 8)]
    seven = firings[0]
    # planned 22:00, then 23:00 … 06:00 and the 07:00 that falls on the same minute
    assert seven.planned == local(2026, 12, 1, 22) and len(seven.merged) == 9


def test_quiet_hours_within_a_day() -> None:
    """A midday quiet window (12:00-13:30) shifts 12:15 to 13:30 and leaves 14:00 alone."""
    t = timing("15 12,14 * * *", quiet=(time(12), time(13, 30)))
    assert ats(t, local(2026, 12, 1, 0), local(2026, 12, 1, 23)) == [
        local(2026, 12, 1, 13, 30), local(2026, 12, 1, 14, 15)]


def test_date_range_is_inclusive_in_local_days() -> None:
    """start and end are whole local days, both included."""
    t = timing("0 8 * * *", start=date(2026, 12, 2), end=date(2026, 12, 4))
    assert ats(t, local(2026, 11, 30, 0), local(2026, 12, 10, 0)) == [
        local(2026, 12, 2, 8), local(2026, 12, 3, 8), local(2026, 12, 4, 8)]


def test_once_fires_once_and_respects_the_window() -> None:
    """A one-off time appears only in windows that contain it."""
    t = Timing(None, datetime(2026, 12, 15, 19, 30), "Asia/Shanghai")
    assert ats(t, local(2026, 12, 1, 0), local(2026, 12, 31, 0)) == [local(2026, 12, 15, 19, 30)]
    assert ats(t, local(2026, 12, 15, 19, 30), local(2026, 12, 31, 0)) == []
    assert t.next_firing(local(2026, 12, 16, 0)) is None


def test_other_time_zone() -> None:
    """An entry's own time zone is honoured (Europe/Berlin in winter is UTC+1)."""
    t = Timing("0 9 * * *", None, "Europe/Berlin")
    assert t.next_firing(datetime(2026, 12, 1, 0, tzinfo=UTC)).at == datetime(  # type: ignore[union-attr]
        2026, 12, 1, 8, tzinfo=UTC)


def test_entry_trigger_pickles_and_steps_through_effective_times() -> None:
    """The APScheduler trigger survives the job table and yields the quiet-shifted times."""
    trigger = pickle.loads(pickle.dumps(EntryTrigger(timing("0 23 * * *",
                                                             quiet=(time(22), time(7))))))
    first = trigger.get_next_fire_time(None, local(2026, 12, 1, 12))
    assert first == local(2026, 12, 2, 7)
    assert trigger.get_next_fire_time(first, first) == local(2026, 12, 3, 7)
