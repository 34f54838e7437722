"""Tax accounts (issue #20): penalty decisions and customs fees, the nightly positions, and the index
that reads a payer's allocations by declaration.

Revision ID: 0016e
Revises: 0015b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016e"
down_revision: str | Sequence[str] | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(22, 4)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tax_charges",
        sa.Column("number", sa.String(12), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("declaration_number", sa.String(12), nullable=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("legal_basis", sa.String(300), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reference", sa.String(15), nullable=False),
        sa.Column("incurred", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("decided_at", _ts(), nullable=False),
    )
    op.create_index("ix_tax_charges_tax_code", "tax_charges", ["tax_code"])
    op.create_index("ix_tax_charges_office", "tax_charges", ["office"])
    op.create_table(
        "tax_positions",
        sa.Column("tax_code", sa.String(14), primary_key=True),
        *[sa.Column(c, MONEY, nullable=False) for c in
          ("outstanding", "overdue", "interest", "not_due", "d1_30", "d31_60", "d61_90", "over_90")],
        sa.Column("oldest_due", sa.Date(), nullable=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("computed_at", _ts(), nullable=False),
    )  # fmt: skip
    op.create_index("ix_tax_positions_stage", "tax_positions", ["stage"])
    op.create_index("ix_payment_allocations_declaration", "payment_allocations", ["declaration_number"])


def downgrade() -> None:
    op.drop_index("ix_payment_allocations_declaration", table_name="payment_allocations")
    op.drop_table("tax_positions")
    op.drop_table("tax_charges")
