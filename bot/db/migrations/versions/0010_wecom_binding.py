"""Room bindings remember who bound a WeCom chat with "@bot #绑定 <group-id>".

A WeCom 智能机器人 cannot list its chats: a chat's id is learnt when someone @s the bot there,
and an admin binds it; ``bound_by`` is that admin (None for rooms found by listing).

Revision ID: 0010_wecom_binding
Revises: 0009_activities
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_wecom_binding"
down_revision: str | None = "0009_activities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("room_bindings", sa.Column("bound_by", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("room_bindings") as table:
        table.drop_column("bound_by")
