"""reports: running balances per node (pre-summed subtree rows live in the existing rollup tables)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports_balances",
        sa.Column("node", sa.String(length=16), nullable=False),
        sa.Column("in_area", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alerts_open", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("refunds_due", sa.Numeric(precision=22, scale=4), nullable=False),
        sa.PrimaryKeyConstraint("node"),
    )
    # Rollups written before this revision have no pre-summed rows: `haiquan reports rebuild-totals`.


def downgrade() -> None:
    op.drop_table("reports_balances")
