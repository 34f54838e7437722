"""ATIGA preference claims on the leaders' dashboard (issue #17): the daily rollup of the claims accepted,
refused by reason with the duty at stake, deferred and resolved, and the deferred claims counted pending.

Revision ID: 0015a
Revises: 0014g
Create Date: 2026-12-06 21:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0015a"
down_revision: str | Sequence[str] | None = "0014g"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    count = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "reports_daily_preferences",
        sa.Column("unit", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("reason", sa.String(40), primary_key=True),
        sa.Column("accepted", count, nullable=False),
        sa.Column("refused", count, nullable=False),
        sa.Column("duty_at_stake", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.Column("deferred", count, nullable=False),
        sa.Column("resolved", count, nullable=False),
    )
    op.create_index("ix_reports_daily_preferences_day_unit", "reports_daily_preferences", ["day", "unit"])
    op.create_table(
        "reports_open_preferences",
        sa.Column("declaration_number", sa.String(40), primary_key=True),
        sa.Column("line_no", sa.Integer(), primary_key=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reports_open_preferences")
    op.drop_index("ix_reports_daily_preferences_day_unit", table_name="reports_daily_preferences")
    op.drop_table("reports_daily_preferences")
