"""sharing_link_holders: which process holds a federated node's link (relay and consumers) when several
workers or hosts serve one node database (one row per duty, written by the holder).

Revision ID: 0017e
Revises: 0017b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0017e"
down_revision: str | Sequence[str] | None = "0017b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = haiquan.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sharing_link_holders",
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("taken_at", WHEN, nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("duty"),
    )


def downgrade() -> None:
    op.drop_table("sharing_link_holders")
