"""Activities: training sessions become 培训 / 讲座 / 义诊 with a responsible person and a place,
check-ins keep the member's name, and each activity keeps its photos and videos.

The tables keep their names (``training_sessions``, ``training_checkins``): rows written before
this revision are trainings opened by the admin in ``opened_by``, which is what the defaults say.

Revision ID: 0009_activities
Revises: 0008_stats_forwarded
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_activities"
down_revision: str | None = "0008_stats_forwarded"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("training_sessions") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=False,
                                   server_default="training"))
        table.add_column(sa.Column("region_id", sa.String(64)))
        table.add_column(sa.Column("responsible", sa.String(128)))
        table.add_column(sa.Column("responsible_name", sa.String(64)))
        table.add_column(sa.Column("package_path", sa.String(512)))
    op.execute("UPDATE training_sessions SET responsible = opened_by")
    with op.batch_alter_table("training_checkins") as table:
        table.add_column(sa.Column("name", sa.String(64)))
        table.add_column(sa.Column("group_id", sa.String(64)))
    op.create_table(
        "activity_media",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("session_id", BigId, nullable=False, index=True),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(128), nullable=False),
        sa.Column("sender_name", sa.String(64)),
        sa.Column("group_id", sa.String(64)),
        sa.Column("ts", sa.DateTime(timezone=False), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activity_media")
    with op.batch_alter_table("training_checkins") as table:
        table.drop_column("group_id")
        table.drop_column("name")
    with op.batch_alter_table("training_sessions") as table:
        for column in ("package_path", "responsible_name", "responsible", "region_id", "kind"):
            table.drop_column(column)
