"""The outbox shares the send budget fairly (issue 13): three priorities from the purpose, the
round each row is served in (round robin across targets), and who asked for a command reply and
what (the per-member limit and duplicate commands); the rollup counts stale replies dropped.

Rows queued before this revision keep their order: bulk (1) becomes 2, and the interactive ones
(0) that are not answers, relays or knowledge-base answers become command replies (1).

Revision ID: 0013_outbox_fairness
Revises: 0012_account_leases
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_outbox_fairness"
down_revision: str | None = "0012_account_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("serve_round", sa.Integer, nullable=False,
                                   server_default="0"))
        table.add_column(sa.Column("requester", sa.String(128)))
        table.add_column(sa.Column("request", sa.String(32)))
        table.drop_index("ix_outbox_due")
        table.create_index("ix_outbox_due", ["account", "status", "priority", "serve_round",
                                             "next_attempt_at"])
        table.create_index("ix_outbox_target", ["account", "target_kind", "target_id", "status",
                                                "priority"])
        table.create_index("ix_outbox_requester", ["account", "requester", "next_attempt_at"])
    op.execute("UPDATE outbox SET priority = 2 WHERE priority = 1")
    op.execute("UPDATE outbox SET priority = 1 WHERE priority = 0 "
               "AND purpose NOT IN ('answer', 'relay', 'faq')")
    op.add_column("daily_group_stats",
                  sa.Column("replies_stale", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("daily_group_stats") as table:
        table.drop_column("replies_stale")
    op.execute("UPDATE outbox SET priority = 0 WHERE priority = 1")
    op.execute("UPDATE outbox SET priority = 1 WHERE priority = 2")
    with op.batch_alter_table("outbox") as table:
        table.drop_index("ix_outbox_requester")
        table.drop_index("ix_outbox_target")
        table.drop_index("ix_outbox_due")
        table.create_index("ix_outbox_due", ["account", "status", "priority", "next_attempt_at"])
        table.drop_column("request")
        table.drop_column("requester")
        table.drop_column("serve_round")
