"""Statistics: the daily rollup, its side tables, and training sessions.

Revision ID: 0005
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("stats",)
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_COUNTS = ("members_end", "joins", "leaves", "messages", "active_members", "pushes_sent",
           "pushes_failed", "pushes_skipped", "courses", "questions", "answered",
           "answered_in_time", "escalated", "closed")


def upgrade() -> None:
    op.create_table(
        "daily_group_stats",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in _COUNTS),
        sa.Column("median_response_seconds", sa.Float),
        sa.Column("checkins", sa.Integer, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
    )
    op.create_index("ix_daily_group_stats_day", "daily_group_stats", ["day"])
    op.create_table(
        "stats_watermark",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("event_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "stats_members",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("member", sa.String(128), primary_key=True),
    )
    op.create_table(
        "stats_active",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("member", sa.String(128), primary_key=True),
    )
    op.create_table(
        "stats_course_reach",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("content_id", sa.String(128), primary_key=True),
        sa.Column("pushes", sa.Integer, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
    )
    op.create_index("ix_stats_course_reach_day", "stats_course_reach", ["day"])
    op.create_table(
        "stats_questions",
        sa.Column("ref", sa.String(128), primary_key=True),
        sa.Column("group_id", sa.String(64)),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=False)),
        sa.Column("question_event_id", BigId, nullable=False),
        sa.Column("answer_event_id", BigId),
        sa.Column("response_seconds", sa.Float),
        sa.Column("in_time", sa.Boolean, nullable=False),
        sa.Column("escalation_event_id", BigId),
        sa.Column("closed_event_id", BigId),
    )
    op.create_index("ix_stats_questions_day", "stats_questions", ["day", "group_id"])
    op.create_table(
        "stats_question_experts",
        sa.Column("ref", sa.String(128), primary_key=True),
        sa.Column("expert", sa.String(128), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("received_event_id", BigId, nullable=False),
        sa.Column("answer_event_id", BigId),
        sa.Column("response_seconds", sa.Float),
    )
    op.create_index("ix_stats_question_experts_day", "stats_question_experts", ["day"])
    op.create_table(
        "training_sessions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("group_id", sa.String(64), nullable=False, index=True),
        sa.Column("account", sa.String(64)),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("opened_by", sa.String(128)),
        sa.Column("opened_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=False)),
        sa.Column("closed_by", sa.String(128)),
        sa.Column("open_event_id", BigId, nullable=False),
    )
    op.create_table(
        "training_checkins",
        sa.Column("session_id", BigId, primary_key=True),
        sa.Column("member", sa.String(128), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=False), nullable=False),
        sa.Column("event_id", BigId, nullable=False),
    )


def downgrade() -> None:
    for table in ("training_checkins", "training_sessions", "stats_question_experts",
                  "stats_questions", "stats_course_reach", "stats_active", "stats_members",
                  "stats_watermark", "daily_group_stats"):
        op.drop_table(table)
