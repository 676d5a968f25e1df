"""Values people write the same way in every file of a home: a time of day and a weekday.

Schedules, ``qa.yaml`` working hours and the weekly report all take a clock time and weekdays;
they are parsed here, once, so ``"19:30"`` and ``"19：30"``, ``周一`` and ``mon`` mean the same
thing in every file and a mistake gets the same sentence wherever it is made.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import IntEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler
from pydantic_core import core_schema

from bot import messages as msg

# Hours and minutes; the full-width colon is what a Chinese input method types.
CLOCK_PATTERN = r"\d{1,2}[:：]\d{2}"
_CLOCK = re.compile(rf"^({CLOCK_PATTERN})$")


def parse_time_of_day(value: object) -> time:
    """``"19:30"`` / ``"19：30"`` → ``time(19, 30)``; raise ``ValueError`` with the fix."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 19:30 as the sexagesimal number 19*60+30.
        raise ValueError(msg.TIME_UNQUOTED)
    if isinstance(value, str) and _CLOCK.match(value.strip()):
        hours, minutes = (int(part) for part in re.split("[:：]", value.strip()))
        if hours <= 23 and minutes <= 59:
            return time(hours, minutes)
    raise ValueError(msg.TIME_FORMAT.format(value=value))


TimeOfDay = Annotated[time, BeforeValidator(parse_time_of_day)]

_DIGITS = "一二三四五六日"
_SHORT = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPELLINGS: dict[str, int] = {
    **{name: i + 1 for i, name in enumerate(_DIGITS)}, "天": 7,
    **{name: i + 1 for i, name in enumerate(_SHORT)},
    **{name: i + 1 for i, name in enumerate(_LONG)},
}


class Weekday(IntEnum):
    """A day of the week, numbered as 周一…周日 count (ISO: Monday = 1 … Sunday = 7).

    The other numberings in use are derived here and nowhere else: :attr:`index` is Python's
    ``date.weekday()`` (Monday = 0), :attr:`cron` the crontab name (crontab counts Sunday as 0).
    """

    MON = 1
    TUE = 2
    WED = 3
    THU = 4
    FRI = 5
    SAT = 6
    SUN = 7

    @property
    def index(self) -> int:
        """``date.weekday()`` numbering: Monday = 0."""
        return self.value - 1

    @property
    def cron(self) -> str:
        return _SHORT[self.value - 1]

    @property
    def label(self) -> str:
        return "周" + _DIGITS[self.value - 1]

    @classmethod
    def of(cls, day: date) -> Weekday:
        return cls(day.isoweekday())

    @classmethod
    def parse(cls, value: object) -> Weekday:
        """Every spelling an admin writes: ``1``…``7``, ``一``…``日``/``天`` with or without
        周/星期/礼拜, ``mon``…``sun``, ``monday``…``sunday``; ``ValueError`` otherwise."""
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
            return cls(value)
        text = str(value).strip().lower()
        for prefix in ("星期", "礼拜", "周"):
            text = text.removeprefix(prefix)
        if text.isdigit() and 1 <= int(text) <= 7:
            return cls(int(text))
        if text in _SPELLINGS:
            return cls(_SPELLINGS[text])
        raise ValueError(msg.WEEKDAY_UNKNOWN.format(day=value))

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(int))
