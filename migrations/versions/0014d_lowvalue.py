"""lowvalue: express manifests and postal dispatches (lowvalue_manifests) and their parcels, one low-value
declaration (MIC/MEC) each (lowvalue_parcels), keyed per carrier by house AWB or postal item id (decision 0024).

Revision ID: 0014d
Revises: 0013h
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import haiquan.kit.sql

revision: str = "0014d"
down_revision: str | Sequence[str] | None = "0013h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lowvalue_manifests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("carrier_tax_code", sa.String(length=14), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("transport", sa.String(length=20), nullable=False),
        sa.Column("transport_date", sa.Date(), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("created_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id", "channel", "reference"),
    )
    with op.batch_alter_table("lowvalue_manifests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lowvalue_manifests_office"), ["office"], unique=False)

    op.create_table(
        "lowvalue_parcels",
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("manifest_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("item_hash", sa.String(length=32), nullable=False),
        sa.Column("declaration_type", sa.String(length=3), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("bag", sa.String(length=30), nullable=True),
        sa.Column("consignee_name", sa.String(length=200), nullable=False),
        sa.Column("consignee_address", sa.String(length=300), nullable=False),
        sa.Column("consignee_id", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("hs_code", sa.String(length=8), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("value_vnd", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("weight_kg", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("lodged_lane", sa.String(length=6), nullable=False),
        sa.Column("lane", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("lodged_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["lowvalue_manifests.id"],
        ),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("enterprise_id", "item_key"),
    )
    with op.batch_alter_table("lowvalue_parcels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lowvalue_parcels_manifest_id"), ["manifest_id"], unique=False)
        batch_op.create_index("ix_lowvalue_parcels_office_status", ["office", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lowvalue_parcels", schema=None) as batch_op:
        batch_op.drop_index("ix_lowvalue_parcels_office_status")
        batch_op.drop_index(batch_op.f("ix_lowvalue_parcels_manifest_id"))

    op.drop_table("lowvalue_parcels")
    with op.batch_alter_table("lowvalue_manifests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lowvalue_manifests_office"))

    op.drop_table("lowvalue_manifests")
