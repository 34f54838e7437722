"""Special customs regimes with stock accounting (issue #19): the stock ledger, the deadlines that run from
clearance, discrepancies, officers' alerts and export-processing enterprises.

Revision ID: 0016c
Revises: 0015b
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import haiquan.kit.db

revision: str = "0016c"
down_revision: str | Sequence[str] | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> haiquan.kit.db.Money:
    return haiquan.kit.db.Money(precision=22, scale=4)


def upgrade() -> None:
    _ledger()
    _deadlines()
    _discrepancies()
    op.create_table(
        "regime_alerts",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("declaration_number", sa.String(12), nullable=True),
        sa.Column("message_vi", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("raised_at", _ts(), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False, unique=True),
    )
    op.create_index("ix_regime_alerts_unit", "regime_alerts", ["unit"])
    op.create_index("ix_regime_alerts_status", "regime_alerts", ["status"])
    op.create_table(
        "regime_epes",
        sa.Column("tax_code", sa.String(14), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("zone", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_regime_epes_unit", "regime_epes", ["unit"])


def _ledger() -> None:
    op.create_table(
        "regime_ledger",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("regime", sa.String(24), nullable=False),
        sa.Column("account", sa.String(16), nullable=False),
        sa.Column("item_code", sa.String(20), nullable=False),
        sa.Column("item_unit", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("value_vnd", _money(), nullable=False),
        sa.Column("duty_vnd", _money(), nullable=False),
        sa.Column("declaration_number", sa.String(12), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("procedure_code", sa.String(4), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.UniqueConstraint("event_id", "leg", name="uq_regime_ledger_event_leg"),
    )
    op.create_index(
        "ix_regime_ledger_stock", "regime_ledger", ["tax_code", "account", "regime", "item_code", "item_unit"]
    )
    op.create_index("ix_regime_ledger_unit_regime", "regime_ledger", ["unit", "regime"])
    op.create_index("ix_regime_ledger_declaration", "regime_ledger", ["declaration_number"])
    op.create_index("ix_regime_ledger_tax_day", "regime_ledger", ["tax_code", "day"])


def _deadlines() -> None:
    op.create_table(
        "regime_deadlines",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("regime", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("declaration_number", sa.String(12), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(4), nullable=False),
        sa.Column("item_code", sa.String(20), nullable=False),
        sa.Column("item_unit", sa.String(10), nullable=False),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("quantity_left", _money(), nullable=False),
        sa.Column("duty_at_stake", _money(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("warn_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("warned_at", _ts(), nullable=True),
        sa.Column("overdue_at", _ts(), nullable=True),
        sa.Column("duty_booked", _money(), nullable=False),
        sa.Column("discharged_at", _ts(), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.UniqueConstraint("declaration_number", "line_no", name="uq_regime_deadline_line"),
    )
    op.create_index("ix_regime_deadlines_unit", "regime_deadlines", ["unit"])
    op.create_index("ix_regime_deadlines_declaration_number", "regime_deadlines", ["declaration_number"])
    op.create_index("ix_regime_deadlines_due_on", "regime_deadlines", ["due_on"])
    op.create_index("ix_regime_deadlines_state", "regime_deadlines", ["state"])
    op.create_index("ix_regime_deadlines_stock", "regime_deadlines", ["tax_code", "regime", "item_code"])


def _discrepancies() -> None:
    op.create_table(
        "regime_discrepancies",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("regime", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("item_code", sa.String(20), nullable=False),
        sa.Column("item_unit", sa.String(10), nullable=False),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("duty_at_stake", _money(), nullable=False),
        sa.Column("declaration_number", sa.String(12), nullable=True),
        sa.Column("location", sa.String(20), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("raised_at", _ts(), nullable=False),
        sa.UniqueConstraint("source", "kind", name="uq_regime_discrepancy_source"),
    )
    op.create_index("ix_regime_discrepancies_unit", "regime_discrepancies", ["unit"])
    op.create_index("ix_regime_discrepancies_tax_code", "regime_discrepancies", ["tax_code"])


def downgrade() -> None:
    for table in (
        "regime_epes",
        "regime_alerts",
        "regime_discrepancies",
        "regime_deadlines",
        "regime_ledger",
    ):
        op.drop_table(table)
