"""Feedback names the turn it rates and keeps what was asked and answered, so that a rating
can be exported as an evaluation question even after its session is deleted.

Revision ID: 0002_feedback_turn
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_feedback_turn"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as table:
        table.add_column(sa.Column("turn", sa.Integer, nullable=True))
        table.add_column(sa.Column("question", sa.Text, nullable=False, server_default=""))
        table.add_column(sa.Column("answer", sa.Text, nullable=False, server_default=""))
        table.add_column(sa.Column("cited", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as table:
        for column in ("cited", "answer", "question", "turn"):
            table.drop_column(column)
