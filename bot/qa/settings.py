"""Q&A settings from ``config/qa.yaml``: escalation deadlines, working hours, FAQ matching.

The file is optional; without it the defaults below apply (4 h at the county, 8 h at the city,
24 h at the province, the clock counting every hour). Errors point at ``path:line:col`` like every
other file of a home.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from bot import messages as msg
from bot.config import HomePaths
from bot.config.home import load_settings
from bot.config.models import Model
from bot.domain import Level

FILE_NAME = "qa.yaml"
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(value: object) -> object:
    """``"08:00"`` → ``time(8, 0)``; YAML reads an unquoted 08:00 as a string too."""
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(msg.QA_BAD_CLOCK.format(value=value))
        return time(int(match.group(1)), int(match.group(2)))
    return value


TimeOfDay = Annotated[time, BeforeValidator(_clock)]
Hours = Annotated[float, Field(gt=0, le=24 * 30)]


class Deadlines(Model):
    """Hours a question may wait unanswered at each level before it goes one level up."""

    county: Hours = 4
    city: Hours = 8
    province: Hours = 24

    def hours(self, level: Level) -> float:
        return {Level.COUNTY: self.county, Level.CITY: self.city,
                Level.PROVINCE: self.province}[level]


class WorkingHours(Model):
    """When deadlines run; outside these hours the escalation clock stands still."""

    start: TimeOfDay
    end: TimeOfDay
    days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], min_length=1)

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError(msg.QA_HOURS_ORDER)
        return self

    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.days)


class FaqSettings(Model):
    # Share of character bigrams two questions must have in common (Dice) to suggest an answer.
    min_similarity: float = Field(default=0.45, gt=0, le=1)
    max_answer_chars: int = Field(default=300, ge=20, le=2000)


class QaSettings(Model):
    deadlines: Deadlines = Deadlines()
    working_hours: WorkingHours | None = None
    attachment_window_minutes: float = Field(default=2, gt=0, le=60)
    experts_per_question: int = Field(default=1, ge=1, le=10)
    faq: FaqSettings = FaqSettings()


def load_qa_settings(paths: HomePaths) -> QaSettings:
    """Read ``config/qa.yaml``, or the defaults when it is absent; raise :class:`ConfigError`."""
    return load_settings(paths.config / FILE_NAME, QaSettings)
