"""The sources each officer logged in from, shared by every worker (issue #25 finding 4, kit.login_sources).

Revision ID: 0015b
Revises: 0015a
Create Date: 2026-12-06 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0015b"
down_revision: str | Sequence[str] | None = "0015a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_known_sources",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "source"),
    )
    with op.batch_alter_table("login_known_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_known_sources_last_success_at"), ["last_success_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_known_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_known_sources_last_success_at"))
    op.drop_table("login_known_sources")
