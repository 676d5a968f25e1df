"""Knowledge quizzes (bot/quiz) and tracked links (bot/links)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.schema.core import Base, BigId


class QuizRound(Base):
    """One question of a quiz put to one group. A quiz of three questions is three rounds, asked
    one after another: each opens when its message is sent and closes ``window_seconds`` later.
    ``ask_key`` is the outbox key of the question's message (for the first round, the
    schedule's push key)."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[str] = mapped_column(String(64))
    bank_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    schedule_id: Mapped[str | None] = mapped_column(String(64))
    quiz_key: Mapped[str] = mapped_column(String(255), index=True)  # shared by a quiz's rounds
    seq: Mapped[int] = mapped_column(Integer)  # 1..of within its quiz
    of: Mapped[int] = mapped_column(Integer)
    ask_key: Mapped[str] = mapped_column(String(255), unique=True)
    window_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    asked: Mapped[bool] = mapped_column(Boolean, default=False)  # its message was queued
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))  # sent
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))

    __table_args__ = (
        Index("ix_quiz_rounds_group", "group_id", "closed_at"),
        Index("ix_quiz_rounds_due", "closed_at", "closes_at"),
    )


class QuizAnswer(Base):
    """A member's answer to a round: the first one counts, so one row per member."""

    __tablename__ = "quiz_answers"

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("quiz_rounds.id"), primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))  # display only, never identity
    group_id: Mapped[str] = mapped_column(String(64), index=True)
    choice: Mapped[str] = mapped_column(String(1))
    correct: Mapped[bool] = mapped_column(Boolean)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    event_id: Mapped[int] = mapped_column(BigId)


class TrackedLink(Base):
    """The unguessable code of one pushed link: which group it went to, for which course and
    push, and where it leads. Opens are events (never who opened)."""

    __tablename__ = "tracked_links"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str] = mapped_column(String(128))
    push_key: Mapped[str] = mapped_column(String(255), index=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
