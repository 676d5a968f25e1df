"""Questions, answers, expert assignments and FAQ entries (bot/qa).

Revision ID: 0004
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("qa",)
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("asker_id", sa.String(128), nullable=False),
        sa.Column("asker_name", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("industry", sa.String(64)),
        sa.Column("region_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attachments", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=False)),
        sa.Column("first_answer_at", sa.DateTime(timezone=False)),
        sa.Column("first_response_seconds", sa.Integer),
        sa.Column("closed_at", sa.DateTime(timezone=False)),
        sa.Column("closed_by", sa.String(128)),
    )
    op.create_index("uq_questions_message", "questions", ["account", "message_id"], unique=True)
    op.create_index("ix_questions_due", "questions", ["status", "deadline_at"])
    op.create_index("ix_questions_asker", "questions", ["asker_id", "group_id", "created_at"])
    op.create_table(
        "answers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("question_id", BigId, sa.ForeignKey("questions.id"), nullable=False,
                  index=True),
        sa.Column("expert_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("response_seconds", sa.Integer, nullable=False),
    )
    op.create_table(
        "qa_assignments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("question_id", BigId, sa.ForeignKey("questions.id"), nullable=False,
                  index=True),
        sa.Column("expert_id", sa.String(128), nullable=False, index=True),
        sa.Column("region_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "faq_entries",
        sa.Column("question_id", BigId, sa.ForeignKey("questions.id"), primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=False), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("faq_entries")
    op.drop_table("qa_assignments")
    op.drop_table("answers")
    op.drop_index("ix_questions_asker", table_name="questions")
    op.drop_index("ix_questions_due", table_name="questions")
    op.drop_index("uq_questions_message", table_name="questions")
    op.drop_table("questions")
