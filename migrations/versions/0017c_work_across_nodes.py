"""Work that crosses nodes (issue #24, decision 0039): events routed down to the node whose units they
concern, the inbox of routed events applied, and the read model of other nodes' records to act on.

Revision ID: 0017c
Revises: 0017a
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import haiquan.kit.db

revision: str = "0017c"
down_revision: str | Sequence[str] | None = "0017a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> haiquan.kit.db.UTCDateTime:
    return haiquan.kit.db.UTCDateTime(timezone=True)


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "work_deliveries",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("node", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("published_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_work_deliveries_published_at", "work_deliveries", ["published_at"])
    op.create_index("ux_work_delivery", "work_deliveries", ["node", "event_id"], unique=True)
    op.create_table(
        "work_received",
        sa.Column("event_id", sa.String(32), primary_key=True),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("from_node", sa.String(16), nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
    )
    op.create_table(
        "work_items",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("record_id", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("origin_node", sa.String(16), nullable=False),
        sa.Column("origin_unit", sa.String(16), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("last_event_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id"),
    )
    op.create_index("ix_work_items_unit", "work_items", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_work_items_unit", table_name="work_items")
    op.drop_table("work_items")
    op.drop_table("work_received")
    op.drop_index("ux_work_delivery", table_name="work_deliveries")
    op.drop_index("ix_work_deliveries_published_at", table_name="work_deliveries")
    op.drop_table("work_deliveries")
