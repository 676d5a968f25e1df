"""Schedules: series cursors, the push decision log, paused groups, per-account progress.

Revision ID: 0003
Revises: 0002

APScheduler's own job tables (``apscheduler_jobs_<account>``) are created by its job store.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("schedules",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_cursor",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("series_id", sa.String(64), primary_key=True),
        sa.Column("next_episode", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "push_log",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("schedule_id", sa.String(64)),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("content_id", sa.String(64)),
        sa.Column("fire_time", sa.DateTime(timezone=False), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16)),
        sa.Column("requested_by", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_push_log_group_content", "push_log", ["group_id", "content_id"])
    op.create_index("ix_push_log_requested", "push_log", ["requested_by", "created_at"])
    op.create_table(
        "push_pause",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("paused_by", sa.String(128), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "schedule_progress",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("schedule_id", sa.String(64), primary_key=True),
        sa.Column("handled_until", sa.DateTime(timezone=False), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schedule_progress")
    op.drop_table("push_pause")
    op.drop_index("ix_push_log_requested", "push_log")
    op.drop_index("ix_push_log_group_content", "push_log")
    op.drop_table("push_log")
    op.drop_table("push_cursor")
