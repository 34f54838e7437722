"""Transits declared by the trader and the guarantee reservations holding their duty; finalisation reports
and their reconciled lines; enterprise facts for risk (issue #19).

Revision ID: 0016d
Revises: 0016e
Create Date: 2026-12-06 22:53:13.188705
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import haiquan.kit.db
import haiquan.kit.sql

revision: str = "0016d"
down_revision: str | Sequence[str] | None = "0016e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sv_transit_declarations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("departure_office", sa.String(length=16), nullable=False),
        sa.Column("destination_office", sa.String(length=16), nullable=False),
        sa.Column(
            "route",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("distance_km", sa.Integer(), nullable=False),
        sa.Column("hours_allowed", sa.Integer(), nullable=False),
        sa.Column("goods", sa.Text(), nullable=False),
        sa.Column(
            "seals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "containers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("duty_amount", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("guarantee", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("declared_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.String(length=120), nullable=True),
        sa.Column("deadline", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column(
            "seals_found",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("overdue_alerted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["departure_office"],
            ["units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["destination_office"],
            ["units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("sv_transit_declarations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sv_transit_declarations_deadline"), ["deadline"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sv_transit_declarations_departure_office"), ["departure_office"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sv_transit_declarations_destination_office"), ["destination_office"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sv_transit_declarations_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sv_transit_declarations_status"), ["status"], unique=False)

    op.create_table(
        "payment_guarantee_reservations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("guarantee_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("amount", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reserved_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_because", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantee_id"],
            ["payment_guarantees.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("payment_guarantee_reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_guarantee_reservations_guarantee_id"), ["guarantee_id"], unique=False
        )
    op.create_table(
        "regime_finalisation_lines",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("finalisation_id", sa.String(length=32), nullable=False),
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("material_code", sa.String(length=20), nullable=False),
        sa.Column("material_unit", sa.String(length=10), nullable=False),
        sa.Column("opening", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("inflow", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("outflow", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("used", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("declared", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("difference", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("duty_per_unit", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("duty_at_stake", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("discrepancy", sa.Boolean(), nullable=False),
        sa.Column("task", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("resolved_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("regime_finalisation_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regime_finalisation_lines_finalisation_id"), ["finalisation_id"], unique=False
        )
        batch_op.create_index("ix_regime_finalisation_tasks", ["unit", "task"], unique=False)

    op.create_table(
        "regime_finalisations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("regime", sa.String(length=24), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column(
            "norms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stock",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("materials", sa.Integer(), nullable=False),
        sa.Column("discrepancies", sa.Integer(), nullable=False),
        sa.Column("duty_at_stake", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("filed_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "tax_code", "regime", "period_start", "period_end", name="uq_regime_finalisation_period"
        ),
    )
    with op.batch_alter_table("regime_finalisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regime_finalisations_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_regime_finalisations_tax_code"), ["tax_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_regime_finalisations_unit"), ["unit"], unique=False)

    op.create_table(
        "risk_enterprise_facts",
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("fact", sa.String(length=40), nullable=False),
        sa.Column("value", haiquan.kit.sql.Money(precision=22, scale=4), nullable=False),
        sa.Column("source_event", sa.String(length=40), nullable=False),
        sa.Column("updated_at", haiquan.kit.sql.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tax_code", "fact"),
    )


def downgrade() -> None:
    op.drop_table("risk_enterprise_facts")
    with op.batch_alter_table("regime_finalisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regime_finalisations_unit"))
        batch_op.drop_index(batch_op.f("ix_regime_finalisations_tax_code"))
        batch_op.drop_index(batch_op.f("ix_regime_finalisations_enterprise_id"))

    op.drop_table("regime_finalisations")
    with op.batch_alter_table("regime_finalisation_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_regime_finalisation_tasks")
        batch_op.drop_index(batch_op.f("ix_regime_finalisation_lines_finalisation_id"))

    op.drop_table("regime_finalisation_lines")
    with op.batch_alter_table("payment_guarantee_reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_guarantee_reservations_guarantee_id"))

    op.drop_table("payment_guarantee_reservations")
    with op.batch_alter_table("sv_transit_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sv_transit_declarations_status"))
        batch_op.drop_index(batch_op.f("ix_sv_transit_declarations_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_sv_transit_declarations_destination_office"))
        batch_op.drop_index(batch_op.f("ix_sv_transit_declarations_departure_office"))
        batch_op.drop_index(batch_op.f("ix_sv_transit_declarations_deadline"))

    op.drop_table("sv_transit_declarations")
