"""Statistics (bot/stats): the daily rollup, its side tables, activities and check-ins."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.schema.core import Base, BigId
from bot.stats import catalog

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


