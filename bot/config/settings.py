"""The optional settings files of a home: ``config/qa.yaml`` and ``config/reports.yaml``.

:func:`bot.config.home.load_home` reads them with the other files, so a mistake in one is
reported with every other problem at ``path:line:col``, and the rest of the bot reads them from
the :class:`~bot.config.home.Home` (``home.qa``, ``home.reports``), never from disk. A missing or
empty file means the defaults below.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import Field, model_validator

from bot import messages as msg
from bot.config.models import Model
from bot.config.values import TimeOfDay, Weekday
from bot.domain import ActivityKind, Level

QA_FILE = "qa.yaml"
REPORTS_FILE = "reports.yaml"

# --- config/qa.yaml: escalation deadlines, working hours, FAQ matching -------------------------

Hours = Annotated[float, Field(gt=0, le=24 * 30)]


class Deadlines(Model):
    """Hours a question may wait unanswered at each level before it goes one level up
    (4 h at the county, 8 h at the city, 24 h at the province by default)."""

    county: Hours = 4
    city: Hours = 8
    province: Hours = 24

    def hours(self, level: Level) -> float:
        return {Level.COUNTY: self.county, Level.CITY: self.city,
                Level.PROVINCE: self.province}[level]


class WorkingHours(Model):
    """When deadlines run; outside these hours the escalation clock stands still. Without
    working hours in qa.yaml the clock counts every hour."""

    start: TimeOfDay
    end: TimeOfDay
    days: list[Weekday] = Field(
        default=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI], min_length=1)

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError(msg.QA_HOURS_ORDER)
        return self

    def weekday_numbers(self) -> frozenset[int]:
        """The working days in ``date.weekday()`` numbering."""
        return frozenset(day.index for day in self.days)


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


# --- config/reports.yaml: when the weekly report goes out, the training targets ---------------


class WeeklyReport(Model):
    enabled: bool = True
    weekday: Weekday = Weekday.MON
    time: TimeOfDay = time(8, 0)


class TrainingTarget(Model):
    """开展培训1-2场次，每场次不少于百人 — per city and per county."""

    min_sessions: int = Field(default=1, ge=0, le=100)
    max_sessions: int = Field(default=2, ge=0, le=100)
    min_participants: int = Field(default=100, ge=0, le=100_000)


class ReportsConfig(Model):
    weekly: WeeklyReport = WeeklyReport()
    training: TrainingTarget = TrainingTarget()
    # the seed sets no number for lectures and 义诊/健康咨询: optional, the training: shape
    lecture: TrainingTarget | None = None
    clinic: TrainingTarget | None = None

    def target(self, kind: ActivityKind) -> TrainingTarget | None:
        """The target activities of ``kind`` are counted against; ``None``: none is set."""
        found: TrainingTarget | None = getattr(self, kind.value)
        return found
