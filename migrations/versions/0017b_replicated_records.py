"""Records, not only totals (issue #24, decision 0038): the replicated read model of child nodes' records,
one row per declaration, manifest, transit or enforcement case that began at a node below.

Revision ID: 0017b
Revises: 0017c
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import haiquan.kit.db

revision: str = "0017b"
down_revision: str | Sequence[str] | None = "0017c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "replicated_records",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.String(length=32), nullable=False),
        sa.Column("updated_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "kind"),
    )
    op.create_index(
        op.f("ix_replicated_records_reference"), "replicated_records", ["reference"], unique=False
    )
    op.create_index(
        "ix_replicated_records_unit_updated", "replicated_records", ["unit", "updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_replicated_records_unit_updated", table_name="replicated_records")
    op.drop_index(op.f("ix_replicated_records_reference"), table_name="replicated_records")
    op.drop_table("replicated_records")
