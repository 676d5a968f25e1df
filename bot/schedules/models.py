"""The shape of a schedule file (``schedules/**/*.yaml``), as frozen pydantic models.

County admins write these by hand, so each field accepts the friendly spellings people use
(``[一, 三]`` or ``[mon, wed]``, ``"19:30"`` or ``"19：30"``) and rejects the classic slips with a
sentence that names the fix: an unquoted ``19:30`` (YAML reads it as the number 1170), a cron
expression with the wrong number of fields, a placeholder the template does not know. References
to groups, regions and content are checked in :mod:`bot.schedules.loader`, which sees the home.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Discriminator, Field, Tag, field_validator, model_validator

from bot import messages as msg
from bot.config.models import ContentId, IndustryRef, Model, Slug, Text
from bot.config.values import CLOCK_PATTERN, TimeOfDay, Weekday, parse_time_of_day
from bot.domain import Tier

# --- small value types ---------------------------------------------------------------------------

_AT = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})[ T]+({CLOCK_PATTERN})(?::(\d{{2}}))?$")


def _at(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        match = _AT.match(value.strip())
        if match:
            try:
                year, month, day = (int(g) for g in match.group(1, 2, 3))
                clock = parse_time_of_day(match.group(4))
                return datetime(year, month, day, clock.hour, clock.minute,
                                int(match.group(5) or 0))
            except ValueError:
                pass
    raise ValueError(msg.SCHED_AT_FORMAT)


_QUIET = re.compile(rf"^({CLOCK_PATTERN})\s*[-–—~～至到]\s*({CLOCK_PATTERN})$")


def _quiet(value: object) -> object:
    if not isinstance(value, str) or not (match := _QUIET.match(value.strip())):
        raise ValueError(msg.SCHED_QUIET_FORMAT)
    start, end = parse_time_of_day(match.group(1)), parse_time_of_day(match.group(2))
    if start == end:
        raise ValueError(msg.SCHED_QUIET_EMPTY)
    return (start, end)


QuietHours = Annotated[tuple[time, time], BeforeValidator(_quiet)]

_GRACE = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$")


def _grace(value: object) -> object:
    if value == 0 or value == "0":
        return timedelta(0)
    if isinstance(value, str) and value.strip() and (match := _GRACE.match(value.strip().lower())):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(msg.SCHED_GRACE_FORMAT)


Grace = Annotated[timedelta, BeforeValidator(_grace)]

# --- when --------------------------------------------------------------------------------------


class Weekly(Model):
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    time: TimeOfDay


class Daily(Model):
    time: TimeOfDay


def _month_day(value: object) -> object:
    """1…31 or ``last``: one sentence for both, not one per alternative of the union."""
    if value in ("last", "月末", "最后一天"):
        return "last"
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31:
        return value
    raise ValueError(msg.SCHED_MONTH_DAY.format(value=value))


class Monthly(Model):
    day: Annotated[int | Literal["last"], BeforeValidator(_month_day)]
    time: TimeOfDay


class Once(Model):
    at: Annotated[datetime, BeforeValidator(_at)]


def _when_shorthand(value: object) -> object:
    return {"cron": value} if isinstance(value, str) else value


class When(Model):
    """Exactly one form; a bare string is a cron expression."""

    cron: str | None = None
    weekly: Weekly | None = None
    daily: Daily | None = None
    monthly: Monthly | None = None
    once: Once | None = None

    @model_validator(mode="after")
    def _one_form(self) -> When:
        chosen = [self.cron, self.weekly, self.daily, self.monthly, self.once]
        if sum(form is not None for form in chosen) != 1:
            raise ValueError(msg.SCHED_ONE_WHEN)
        return self


# --- targets and what ----------------------------------------------------------------------------


class Selector(Model):
    """Every group of ``tier`` (any tier when absent) in ``region``'s subtree (default: the
    file's own region)."""

    tier: Tier | None = None
    region: Slug | None = None


def _targets_kind(value: Any) -> str:
    return "groups" if isinstance(value, list | tuple) else "selector"


def _targets_shorthand(value: object) -> object:
    if value == "all" or value == "全部":
        return {}
    if isinstance(value, str):  # one group id on its own
        return [value]
    return value


Targets = Annotated[
    Annotated[list[Slug], Tag("groups")] | Annotated[Selector, Tag("selector")],
    Discriminator(_targets_kind),
    BeforeValidator(_targets_shorthand),
]


class Pick(Model):
    """An item of ``industry`` suited to the group (and to ``tier`` when given) that the group
    has not had yet."""

    industry: IndustryRef
    tier: Tier | None = None


def _what_shorthand(value: object) -> object:
    return {"item": value} if isinstance(value, str) else value


QUIZ_WINDOW = timedelta(minutes=30)


class What(Model):
    item: ContentId | None = None
    series: ContentId | None = None
    pick: Pick | None = None
    # a knowledge quiz: the next ``questions`` of the bank the group has not had, one after
    # another, each open for ``window`` before its answer is posted
    quiz: Slug | None = None
    questions: Annotated[int, Field(ge=1, le=20)] | None = None
    window: Grace | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> What:
        kinds = (self.item, self.series, self.pick, self.quiz)
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError(msg.SCHED_ONE_WHAT)
        if self.quiz is None and (self.questions is not None or self.window is not None):
            raise ValueError(msg.SCHED_QUIZ_ONLY)
        if self.window is not None and not timedelta(minutes=1) <= self.window <= \
                timedelta(days=1):
            raise ValueError(msg.SCHED_QUIZ_WINDOW)
        return self

    @property
    def quiz_questions(self) -> int:
        return self.questions or 1

    @property
    def quiz_window(self) -> timedelta:
        return self.window or QUIZ_WINDOW


class OnMissed(Model):
    grace: Grace = timedelta(hours=3)


PLACEHOLDERS = ("title", "speaker", "source", "duration", "group", "episode", "id")


class Entry(Model):
    id: Slug
    name: Text | None = None
    targets: Targets
    when: Annotated[When, BeforeValidator(_when_shorthand)]
    start: date | None = None
    end: date | None = None
    timezone: str | None = None
    quiet_hours: QuietHours | None = None
    what: Annotated[What, BeforeValidator(_what_shorthand)]
    message: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    on_missed: OnMissed = OnMissed()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(msg.UNKNOWN_TIMEZONE.format(zone=value)) from None
        return value

    @field_validator("message")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        if value is not None:
            check_template(value)
        return value

    @model_validator(mode="after")
    def _range(self) -> Entry:
        if self.start and self.end and self.end < self.start:
            raise ValueError(msg.SCHED_END_BEFORE_START)
        return self


def check_template(template: str) -> None:
    """Raise ``ValueError`` unless every ``{name}`` in ``template`` is a known placeholder."""
    allowed = " ".join("{" + p + "}" for p in PLACEHOLDERS)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        raise ValueError(msg.SCHED_TEMPLATE_BAD) from None
    for name in fields:
        if name not in PLACEHOLDERS:
            raise ValueError(msg.SCHED_PLACEHOLDER.format(name=name, allowed=allowed))


class ScheduleFile(Model):
    region: Slug
    schedules: list[Entry] = Field(default_factory=list)
