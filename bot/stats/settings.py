"""``config/reports.yaml``: when the weekly report goes out, and the seed's training targets.

bot.yaml's model belongs to the configuration loader, so these settings have their own small
file and model; a missing file means the defaults (Monday 08:00; 1–2 sessions, ≥100 people).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import Field, field_validator

from bot import messages as msg
from bot.config import Home
from bot.config.home import load_settings
from bot.config.models import Model

FILE_NAME = "reports.yaml"
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4,
            "周六": 5, "周日": 6, "周天": 6}
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Weekly(Model):
    enabled: bool = True
    weekday: str = "monday"
    time: Annotated[str, Field(pattern=_CLOCK.pattern)] = "08:00"

    @field_validator("weekday")
    @classmethod
    def _known_day(cls, value: str) -> str:
        if value.strip().lower() not in WEEKDAYS:
            raise ValueError(msg.STATS_BAD_WEEKDAY.format(value=value))
        return value

    @property
    def weekday_index(self) -> int:
        return WEEKDAYS[self.weekday.strip().lower()]

    @property
    def at(self) -> dt.time:
        match = _CLOCK.match(self.time)
        assert match is not None  # the field pattern guarantees it
        return dt.time(int(match.group(1)), int(match.group(2)))


class TrainingTarget(Model):
    """开展培训1-2场次，每场次不少于百人 — per city and per county."""

    min_sessions: int = Field(default=1, ge=0, le=100)
    max_sessions: int = Field(default=2, ge=0, le=100)
    min_participants: int = Field(default=100, ge=0, le=100_000)


class ReportsConfig(Model):
    weekly: Weekly = Weekly()
    training: TrainingTarget = TrainingTarget()


def load_reports_config(home: Home) -> ReportsConfig:
    """Read ``config/reports.yaml``; defaults when absent; errors carry ``path:line:col``."""
    return load_settings(home.paths.config / FILE_NAME, ReportsConfig)
