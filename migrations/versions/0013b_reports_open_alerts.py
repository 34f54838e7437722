"""reports_open_alerts: the alerts the rollups counted open, keyed by unit and alert id, so that closing an
alert they never saw raised (raised before this revision) leaves "alerts open" where it is instead of
driving it below zero.

Revision ID: 0013b
Revises: 0013a
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013b"
down_revision: str | Sequence[str] | None = "0013a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports_open_alerts",
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("unit", "alert_id"),
    )


def downgrade() -> None:
    op.drop_table("reports_open_alerts")
