"""The bot's tables, as SQLAlchemy 2.0 typed ORM models.

Times are stored as naive UTC everywhere: SQLite keeps no zone, and the event hash must read back
exactly what was written on either database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.stats import catalog

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY is the rowid).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Event(Base):
    """One interaction, appended once and never changed; ``hash`` chains it to the one before."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    account: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(128))
    ref: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_events_group_ts", "group_id", "ts"),
        Index("ix_events_kind_ts", "kind", "ts"),
    )


class OutboxRow(Base):
    """One outbound message, written before it is sent so a crash never loses it.

    ``key`` makes enqueueing idempotent: a scheduled push is keyed (schedule, fire time, group),
    a reply by the message it answers, so firing or handling twice queues once.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    account: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))  # group | contact
    target_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)  # bot.core.messages.payload_to_json
    purpose: Mapped[str] = mapped_column(String(32))  # reply | push | relay | alert | welcome …
    ref: Mapped[str | None] = mapped_column(String(128))  # content id, question id …
    priority: Mapped[int] = mapped_column(Integer, default=0)  # 0 people waiting, 1 bulk
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_due", "account", "status", "priority", "next_attempt_at"),
    )


class RoomBinding(Base):
    """Which platform room serves a configured group, learnt when the account lists its rooms."""

    __tablename__ = "room_bindings"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(128), index=True)
    topic: Mapped[str] = mapped_column(String(255))
    bound_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))


# --- statistics (bot/stats) ----------------------------------------------------------------------


# The rollup: one group's figures for one local day (bot.yaml time zone), folded from the event
# log in id order so a rebuild reproduces it exactly. Its figure columns are the stored figures
# of bot.stats.catalog, one INTEGER each (tests/stats/test_catalog.py checks the migrations
# made the same table). Question figures are counted on the day the question was asked (a
# cohort), so an answer rate never exceeds 100 %.
DAILY_GROUP_STATS = Table(
    "daily_group_stats", Base.metadata,
    Column("group_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    *(Column(f.code, Integer, nullable=False, default=0) for f in catalog.STORED),
    Index("ix_daily_group_stats_day", "day"),
)


class DailyGroupStats(Base):
    """The rollup's rows as objects (for tests and one-off reads; the fold uses the table)."""

    __table__ = DAILY_GROUP_STATS


class StatsWatermark(Base):
    """The last event folded into the rollup, with its hash (what a report says it covers)."""

    __tablename__ = "stats_watermark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigId)
    event_hash: Mapped[str] = mapped_column(String(64))


class StatsMember(Base):
    """Current members of each group, from joins and leaves: gives members at end of day."""

    __tablename__ = "stats_members"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)


class StatsActive(Base):
    """Who was active in a group on a day, so distinct active members count once."""

    __tablename__ = "stats_active"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)


class StatsCourseReach(Base):
    """Which course reached which group on a day, and how many members the room had then."""

    __tablename__ = "stats_course_reach"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    content_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pushes: Mapped[int] = mapped_column(Integer, default=0)
    members: Mapped[int] = mapped_column(Integer, default=0)  # the most at any push that day

    __table_args__ = (Index("ix_stats_course_reach_day", "day"),)


class StatsLinkOpens(Base):
    """How often a course's tracked link pushed to a group was opened on a day (anonymous)."""

    __tablename__ = "stats_link_opens"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    content_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    opens: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_stats_link_opens_day", "day"),)


class StatsQuestion(Base):
    """One question's outcome, kept so medians over any period are exact (medians do not add)."""

    __tablename__ = "stats_questions"

    ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    group_id: Mapped[str | None] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    question_event_id: Mapped[int] = mapped_column(BigId)
    answer_event_id: Mapped[int | None] = mapped_column(BigId)
    response_seconds: Mapped[float | None] = mapped_column(Float)
    in_time: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_event_id: Mapped[int | None] = mapped_column(BigId)
    closed_event_id: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (Index("ix_stats_questions_day", "day", "group_id"),)


class StatsQuestionExpert(Base):
    """A question routed to (or answered by) one expert: the per-expert figures."""

    __tablename__ = "stats_question_experts"

    ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    expert: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    received_event_id: Mapped[int] = mapped_column(BigId)
    answer_event_id: Mapped[int | None] = mapped_column(BigId)
    response_seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_stats_question_experts_day", "day"),)


class TrainingSession(Base):
    """An activity — 培训 (``kind`` training), 讲座 (lecture) or 义诊/健康咨询 (clinic) — opened
    by an admin (or a schedule) in one group; it runs for every group of its region and tier
    (a county's overflow groups share it). The table keeps its first name, from when trainings
    were the only kind."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(64), index=True)  # where it was opened
    account: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="training")
    region_id: Mapped[str | None] = mapped_column(String(64))  # None: written before 0006
    topic: Mapped[str] = mapped_column(String(255))
    # 专人专项: the admin who opened it, or the expert named for a lecture
    responsible: Mapped[str | None] = mapped_column(String(128))
    responsible_name: Mapped[str | None] = mapped_column(String(64))
    opened_by: Mapped[str | None] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    closed_by: Mapped[str | None] = mapped_column(String(128))
    open_event_id: Mapped[int] = mapped_column(BigId)
    package_path: Mapped[str | None] = mapped_column(String(512))  # the 报送 zip, once closed


class TrainingCheckin(Base):
    """One member's check-in to one activity (at most one each), in whichever of its groups."""

    __tablename__ = "training_checkins"

    session_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    event_id: Mapped[int] = mapped_column(BigId)
    name: Mapped[str | None] = mapped_column(String(64))  # as shown in the group at check-in
    group_id: Mapped[str | None] = mapped_column(String(64))


class ActivityMedia(Base):
    """A photo or video posted in a group while an activity was open, kept under the home's
    ``data/activities/<id>/``; ``sha256`` is also in its event, which proves the file."""

    __tablename__ = "activity_media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(BigId, index=True)
    event_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(16))  # image | video
    path: Mapped[str] = mapped_column(String(512))  # relative to the home's data folder
    name: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(128))
    sender_name: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


# --- questions and answers (bot/qa) ---------------------------------------------------------


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


# --- schedules (bot/schedules) -------------------------------------------------------------------


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


# --- knowledge quizzes (bot/quiz) and tracked links (bot/links) --------------------------------


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
