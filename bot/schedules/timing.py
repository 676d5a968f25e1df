"""When a schedule fires: pure functions over datetimes, no event loop, no clock.

A :class:`Timing` holds one entry's ``when`` as a five-field cron expression (the friendly forms
are translated to one) or a single date, its time zone, date range and quiet hours. APScheduler's
``CronTrigger`` and ``DateTrigger`` compute the *planned* times; quiet hours then move a planned
time that lands inside them to their end. Several planned times moved to the same end (an hourly
schedule overnight) become one firing: the others are reported as merged, never sent in a burst.

:class:`EntryTrigger` wraps a timing for APScheduler so the job store wakes the bot at the
effective (shifted) times; it holds only primitives, so it pickles into the job table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot import messages as msg
from bot.config.values import Weekday
from bot.schedules.models import When


@dataclass(frozen=True)
class Firing:
    """One firing: sent at ``at`` (UTC); ``planned`` is the time the schedule named, and
    ``merged`` the further planned times that quiet hours moved onto the same ``at``."""

    at: datetime
    planned: datetime
    merged: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Timing:
    cron: str | None  # minute hour day month weekday, weekdays as names
    once: datetime | None  # naive: local wall time in ``timezone``
    timezone: str
    start: date | None = None
    end: date | None = None
    quiet: tuple[time, time] | None = None
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))

    def __getstate__(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in ("cron", "once", "timezone", "start", "end", "quiet")}

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__post_init__()

    # --- planned times ---------------------------------------------------------------------------

    def planned(self, begin: datetime) -> Iterator[datetime]:
        """Planned times at or after ``begin`` (aware), in order, within the date range."""
        if self.once is not None:
            at = DateTrigger(self.once, timezone=self._zone).get_next_fire_time(None, begin)
            if at >= begin and self._in_range(at):
                yield at
            return
        assert self.cron is not None
        trigger = _cron_trigger(self.cron, self.timezone, self.start, self.end)
        previous: datetime | None = None
        current = begin
        while (nxt := trigger.get_next_fire_time(previous, current)) is not None:
            yield nxt
            previous = current = nxt

    def _in_range(self, at: datetime) -> bool:
        local = at.astimezone(self._zone).date()
        return (self.start is None or local >= self.start) and (
            self.end is None or local <= self.end)

    # --- quiet hours -----------------------------------------------------------------------------

    def shift(self, planned: datetime) -> datetime:
        """``planned`` moved to the end of the quiet hours it falls in (unchanged otherwise)."""
        if self.quiet is None:
            return planned
        begin, end = self.quiet
        local = planned.astimezone(self._zone)
        clock = local.time().replace(tzinfo=None)
        if begin < end:
            inside, day = begin <= clock < end, local.date()
        else:  # wraps midnight: 22:00-07:00
            inside = clock >= begin or clock < end
            day = local.date() + timedelta(days=1) if clock >= begin else local.date()
        if not inside:
            return planned
        return datetime.combine(day, end, tzinfo=self._zone)

    def quiet_span(self) -> timedelta:
        if self.quiet is None:
            return timedelta(0)
        begin, end = (datetime.combine(date(2000, 1, 1), t) for t in self.quiet)
        return (end - begin) % timedelta(days=1)

    # --- effective firings -----------------------------------------------------------------------

    def firings(self, after: datetime, until: datetime | None = None) -> Iterator[Firing]:
        """Firings with ``after < at <= until`` (``until`` None: no end), in order, in UTC."""
        lookback = self.quiet_span() + timedelta(seconds=1)
        group: list[datetime] = []
        group_at: datetime | None = None
        for planned in self.planned(after - lookback):
            at = self.shift(planned).astimezone(UTC)
            if at == group_at:
                group.append(planned)
                continue
            if group_at is not None and group_at > after:
                yield _firing(group_at, group)
            if until is not None and at > until:
                return
            group, group_at = [planned], at
        if group_at is not None and group_at > after and (until is None or group_at <= until):
            yield _firing(group_at, group)

    def next_firing(self, now: datetime) -> Firing | None:
        """The first firing strictly after ``now``."""
        return next(self.firings(now), None)


def _firing(at: datetime, planned: list[datetime]) -> Firing:
    return Firing(at, planned[0].astimezone(UTC), tuple(p.astimezone(UTC) for p in planned[1:]))


@lru_cache(maxsize=16384)
def _cron_trigger(cron: str, zone: str, start: date | None, end: date | None) -> CronTrigger:
    minute, hour, day, month, weekday = cron.split()
    tz = ZoneInfo(zone)
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=tz,
        start_date=datetime.combine(start, time(), tzinfo=tz) if start else None,
        end_date=datetime.combine(end, time(23, 59, 59), tzinfo=tz) if end else None,
    )


# --- from the file's ``when`` --------------------------------------------------------------------


def cron_of(when: When) -> str | None:
    """The five-field cron expression for a periodic ``when`` (``None`` for ``once``).

    Raises ``ValueError`` with an admin-readable message when the expression is not valid.
    """
    if when.weekly is not None:
        t = when.weekly.time
        days = ",".join(d.cron for d in sorted(set(when.weekly.weekdays)))
        return f"{t.minute} {t.hour} * * {days}"
    if when.daily is not None:
        return f"{when.daily.time.minute} {when.daily.time.hour} * * *"
    if when.monthly is not None:
        t = when.monthly.time
        return f"{t.minute} {t.hour} {when.monthly.day} * *"
    if when.cron is None:
        return None
    written = when.cron.split()
    if len(written) != 5:
        raise ValueError(msg.SCHED_CRON_FIELDS.format(count=len(written)))
    fields = [*written[:4], _cron_weekdays(written[4], when.cron)]
    for position, key in enumerate(("minute", "hour", "day", "month", "day_of_week")):
        try:  # field by field, so the message can say which one (APScheduler's is English)
            CronTrigger(**{key: fields[position]}, timezone=UTC)
        except ValueError:
            raise _cron_bad(when.cron, position) from None
    expr = " ".join(fields)
    _cron_trigger(expr, "UTC", None, None)
    return expr


def _cron_bad(expr: str, position: int) -> ValueError:
    name, allowed = msg.CRON_FIELDS[position]
    return ValueError(msg.SCHED_CRON_BAD.format(
        expr=expr, position=position + 1, field=expr.split()[position], name=name,
        allowed=allowed))


def _cron_weekdays(text: str, expr: str) -> str:
    """Crontab counts weekdays from Sunday = 0, APScheduler 3 from Monday = 0: numbers become
    names so ``30 19 * * 1`` means Monday, as every crontab reference says."""
    if text == "*" or not any(ch.isdigit() for ch in text):
        return text
    days: set[int] = set()
    try:
        for part in text.split(","):
            body, _, step_text = part.partition("/")
            step = int(step_text) if step_text else 1
            if body == "*":
                low, high = 0, 6
            elif "-" in body:
                low_text, high_text = body.split("-", 1)
                low, high = _day_number(low_text), _day_number(high_text)
            else:
                low = _day_number(body)
                high = 6 if step_text else low
            if step < 1 or low > high:
                raise ValueError(body)
            days.update(d % 7 for d in range(low, high + 1, step))
    except ValueError:
        raise _cron_bad(expr, 4) from None
    return ",".join(day.cron for day in sorted(Weekday(d or 7) for d in days))


_CRON_NAMES = {day.cron: day for day in Weekday}


def _day_number(text: str) -> int:
    """A crontab weekday: 0 and 7 are Sunday, 1…6 Monday…Saturday, or a name (mon…sun)."""
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)  # 7 stays 7 (Sunday at the end) so "5-7" is a range
    if text.lower() in _CRON_NAMES:
        return _CRON_NAMES[text.lower()].value % 7
    raise ValueError(text)


class EntryTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """APScheduler's view of a :class:`Timing`: fire at each effective (quiet-shifted) time."""

    __slots__ = ("timing",)

    def __init__(self, timing: Timing) -> None:
        self.timing = timing

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime
                           ) -> datetime | None:
        after = previous_fire_time if previous_fire_time is not None else now - timedelta(
            microseconds=1)
        firing = next(self.timing.firings(after.astimezone(UTC)), None)
        return firing.at if firing is not None else None

    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "timing": self.timing}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.timing = state["timing"]  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"agribot[{self.timing.cron or self.timing.once}]"
