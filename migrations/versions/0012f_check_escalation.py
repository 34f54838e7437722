"""Overdue checks escalate to the team lead: who a declaration's check was escalated to, and when.

Revision ID: 0012f
Revises: 0012d
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0012f"
down_revision: str | Sequence[str] | None = "0012d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalated_to", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("escalated_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_declarations_escalated_to"), ["escalated_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_escalated_to"))
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalated_to")
