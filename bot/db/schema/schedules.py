"""Schedules (bot/schedules): series cursors, the push log, pauses and progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.schema.core import Base


class PushCursor(Base):
    """The next episode of a series for one group: a group added later starts at episode 1."""

    __tablename__ = "push_cursor"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    series_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_episode: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))


class PushLog(Base):
    """One decision per (schedule, fire time, group), queued or skipped, keyed like its outbox
    row: a firing handled twice finds the row and does nothing. Also what picks and the
    per-member request limit read (which items a group already had, who asked today)."""

    __tablename__ = "push_log"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    schedule_id: Mapped[str | None] = mapped_column(String(64))  # None for a #点播 request
    group_id: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str | None] = mapped_column(String(64))
    fire_time: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    outcome: Mapped[str] = mapped_column(String(16))  # queued | skipped
    reason: Mapped[str | None] = mapped_column(String(16))  # quiet | missed | paused | exhausted
    requested_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))

    __table_args__ = (
        Index("ix_push_log_group_content", "group_id", "content_id"),
        Index("ix_push_log_requested", "requested_by", "created_at"),
    )


class PushPause(Base):
    """A group whose admin sent #暂停推送: its scheduled pushes are skipped until #恢复推送."""

    __tablename__ = "push_pause"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    paused_by: Mapped[str] = mapped_column(String(128))
    paused_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))


class ScheduleProgress(Base):
    """Up to when an account has handled a schedule's firings; after a restart, the firings
    since then are caught up (sent within the grace period, else skipped and logged)."""

    __tablename__ = "schedule_progress"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_until: Mapped[datetime] = mapped_column(DateTime(timezone=False))


