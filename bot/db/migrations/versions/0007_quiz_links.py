"""Knowledge quizzes, tracked links, and the figures the rollup keeps of both.

Revision ID: 0007_quiz_links
Revises: 0006_stats_figures
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_quiz_links"
down_revision: str | None = "0006_stats_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_NEW_COUNTS = ("quiz_questions", "quiz_answers", "quiz_correct", "link_opens")


def upgrade() -> None:
    with op.batch_alter_table("daily_group_stats") as table:
        for name in _NEW_COUNTS:  # existing days had none of these
            table.add_column(sa.Column(name, sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "stats_link_opens",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("content_id", sa.String(128), primary_key=True),
        sa.Column("opens", sa.Integer, nullable=False),
    )
    op.create_index("ix_stats_link_opens_day", "stats_link_opens", ["day"])
    op.create_table(
        "quiz_rounds",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("bank_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("schedule_id", sa.String(64)),
        sa.Column("quiz_key", sa.String(255), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("of", sa.Integer, nullable=False),
        sa.Column("ask_key", sa.String(255), nullable=False, unique=True),
        sa.Column("window_seconds", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("asked", sa.Boolean, nullable=False),
        sa.Column("opened_at", sa.DateTime),
        sa.Column("closes_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime),
    )
    op.create_index("ix_quiz_rounds_group", "quiz_rounds", ["group_id", "closed_at"])
    op.create_index("ix_quiz_rounds_due", "quiz_rounds", ["closed_at", "closes_at"])
    op.create_index("ix_quiz_rounds_quiz_key", "quiz_rounds", ["quiz_key"])
    op.create_table(
        "quiz_answers",
        sa.Column("round_id", BigId, sa.ForeignKey("quiz_rounds.id"), primary_key=True),
        sa.Column("member", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("choice", sa.String(1), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("ts", sa.DateTime, nullable=False),
        sa.Column("event_id", BigId, nullable=False),
    )
    op.create_index("ix_quiz_answers_group_id", "quiz_answers", ["group_id"])
    op.create_table(
        "tracked_links",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("content_id", sa.String(128), nullable=False),
        sa.Column("push_key", sa.String(255), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_tracked_links_push_key", "tracked_links", ["push_key"])


def downgrade() -> None:
    op.drop_table("tracked_links")
    op.drop_table("quiz_answers")
    op.drop_table("quiz_rounds")
    op.drop_table("stats_link_opens")
    with op.batch_alter_table("daily_group_stats") as table:
        for name in _NEW_COUNTS:
            table.drop_column(name)
