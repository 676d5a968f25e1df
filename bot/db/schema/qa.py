"""Questions and answers (bot/qa): questions, answers, assignments, the FAQ."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.schema.core import Base, BigId


class Question(Base):
    """A question asked in a group; its id is the number in ``Q-0042``."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))  # the account serving the origin group
    group_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(128))  # the asking message: asked once
    asker_id: Mapped[str] = mapped_column(String(128))
    asker_name: Mapped[str] = mapped_column(String(255))  # display only, never identity
    text: Mapped[str] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str] = mapped_column(String(64))  # where its experts are now
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|answered|closed
    attachments: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{kind, message_id}]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    closed_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (
        Index("uq_questions_message", "account", "message_id", unique=True),
        Index("ix_questions_due", "status", "deadline_at"),
        Index("ix_questions_asker", "asker_id", "group_id", "created_at"),
    )


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(BigId, ForeignKey("questions.id"), index=True)
    expert_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(16))  # private | group | quote
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    response_seconds: Mapped[int] = mapped_column(Integer)  # since the question was asked


class Assignment(Base):
    """An expert asked to answer a question, first by routing, later by escalation."""

    __tablename__ = "qa_assignments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(BigId, ForeignKey("questions.id"), index=True)
    expert_id: Mapped[str] = mapped_column(String(128), index=True)
    region_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))  # route | escalation
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))


class FaqEntry(Base):
    """An answered question kept as an FAQ entry; removing it deletes the row (the event log
    keeps the history)."""

    __tablename__ = "faq_entries"

    question_id: Mapped[int] = mapped_column(BigId, ForeignKey("questions.id"), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))


