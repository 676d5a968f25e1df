"""Statistics: drop the two rollup columns no report can read.

``courses`` (distinct courses pushed to a group that day) and ``median_response_seconds`` (the
day's median first response) do not add up over days: a week's distinct courses are not the sum
of its days', nor is its median the median of daily medians. Every report therefore computes
both from the side tables (``stats_course_reach``, ``stats_questions``), and the columns were
written on every fold (the median with an extra query per batch) and read by nothing. The
figures' catalog (``bot/stats/catalog.py``) now marks both as computed, not stored.

A new figure's migration goes after this one on the ``stats`` branch, e.g.::

    revision = "0007_stats_<figure>"; down_revision = "0006_stats_figures"
    op.add_column("daily_group_stats",
                  sa.Column("<figure>", sa.Integer, nullable=False, server_default="0"))

Revision ID: 0006_stats_figures
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_stats_figures"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED = ("courses", "median_response_seconds")


def upgrade() -> None:
    # batch: SQLite rebuilds the table (it cannot drop a column in every version we support)
    with op.batch_alter_table("daily_group_stats") as table:
        for column in _DROPPED:
            table.drop_column(column)


def downgrade() -> None:
    # The values are gone; `agribot stats rebuild` on the old code fills them again.
    with op.batch_alter_table("daily_group_stats") as table:
        table.add_column(sa.Column("courses", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("median_response_seconds", sa.Float))
