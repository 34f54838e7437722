"""sharing federation

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 21:52:15.258568
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import haiquan.kit.db

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_agreements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "units",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_agreements_agency"), ["agency"], unique=False)

    op.create_table(
        "agency_deliveries",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("agreement_id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column(
            "body", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("agency_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_deliveries_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_deliveries_published_at"), ["published_at"], unique=False)
        batch_op.create_index("ux_agency_delivery", ["agreement_id", "event_id"], unique=True)

    op.create_table(
        "federated_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stream_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("federated_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federated_events_node"), ["node"], unique=False)
        batch_op.create_index(batch_op.f("ix_federated_events_unit"), ["unit"], unique=False)
        batch_op.create_index("ix_federated_node_received", ["node", "received_at"], unique=False)

    op.create_table(
        "reference_versions",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("applied_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )
    op.create_table(
        "unit_event_totals",
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("dim", sa.String(length=60), nullable=False),
        sa.Column("count", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.PrimaryKeyConstraint("unit", "day", "type", "dim"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("origin")

    op.drop_table("unit_event_totals")
    op.drop_table("reference_versions")
    with op.batch_alter_table("federated_events", schema=None) as batch_op:
        batch_op.drop_index("ix_federated_node_received")
        batch_op.drop_index(batch_op.f("ix_federated_events_unit"))
        batch_op.drop_index(batch_op.f("ix_federated_events_node"))

    op.drop_table("federated_events")
    with op.batch_alter_table("agency_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ux_agency_delivery")
        batch_op.drop_index(batch_op.f("ix_agency_deliveries_published_at"))
        batch_op.drop_index(batch_op.f("ix_agency_deliveries_agreement_id"))

    op.drop_table("agency_deliveries")
    with op.batch_alter_table("agency_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_agreements_agency"))

    op.drop_table("agency_agreements")
