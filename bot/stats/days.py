"""Local days: the rollup counts per day in the home's time zone (bot.yaml), stores UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class LocalDay:
    """Maps a stored (naive UTC) time to its local date, cached per quarter hour: every zone's
    offset is a multiple of 15 minutes, and the rollup asks millions of times."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._cache: dict[int, date] = {}

    def __call__(self, ts: datetime) -> date:
        key = ts.toordinal() * 96 + ts.hour * 4 + ts.minute // 15
        day = self._cache.get(key)
        if day is None:
            base = ts.replace(minute=ts.minute - ts.minute % 15, second=0, microsecond=0)
            day = base.replace(tzinfo=UTC).astimezone(self.zone).date()
            self._cache[key] = day
        return day

    def bounds(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The naive-UTC half-open range ``[start, end)`` covering local days first..last."""
        start = datetime.combine(first, time(), self.zone).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), time(), self.zone).astimezone(UTC)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
