"""Post-clearance audit and the blue lane (issue #21): the blue lane's rate per office and its count in the
daily report, labels on declarations from our own work, audit cases and plans, officers' expert fields,
and the stored challenger/champion comparisons of retraining.

Revision ID: 0016h
Revises: 0015b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0016h"
down_revision: str | Sequence[str] | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts() -> sa.types.TypeEngine[object]:
    return haiquan.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("risk_lane_rates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blue", haiquan.kit.db.Money(precision=22, scale=4), nullable=True))
    with op.batch_alter_table("reports_daily_declarations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blue", COUNT, server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("reports_daily_declarations", schema=None) as batch_op:
        batch_op.drop_column("blue")
    with op.batch_alter_table("risk_lane_rates", schema=None) as batch_op:
        batch_op.drop_column("blue")
