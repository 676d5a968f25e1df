"""Statistics: questions experts passed on with #转 (the misroute rate's numerator).

The catalog's ``forwarded`` figure counts ``question_forwarded`` events per group per day;
``misroute_rate`` is it over the questions asked. Days folded before this migration read 0 until
``agribot stats rebuild`` folds the log again.

Revision ID: 0008_stats_forwarded
Revises: 0007_quiz_links
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_stats_forwarded"
down_revision: str | None = "0007_quiz_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("daily_group_stats",
                  sa.Column("forwarded", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("daily_group_stats") as table:
        table.drop_column("forwarded")
