"""banks.round_the_clock: whether a bank confirms payments 24/7 (nights and holidays included), recorded when
an administrator connects the bank (`haiquan payments bank add`, `POST /api/v1/payments/banks`). Banks
connected before are taken to be 24/7, as the gateway was built for them.

Revision ID: 0012e
Revises: 0012g
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012e"
down_revision: str | Sequence[str] | None = "0012g"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("round_the_clock", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("round_the_clock")
