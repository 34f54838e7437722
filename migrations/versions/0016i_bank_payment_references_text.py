"""A bank payment names up to 50 references of 40 characters each (payments.schemas.PaymentIn): its
`references` column is text, no longer 400 characters (PostgreSQL refused a payment naming about 30).

Revision ID: 0016i
Revises: 0016h
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016i"
down_revision: str | Sequence[str] | None = "0016h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bank_payments") as batch:
        batch.alter_column(
            "references", type_=sa.Text(), existing_type=sa.String(400), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_payments") as batch:
        batch.alter_column(
            "references", type_=sa.String(400), existing_type=sa.Text(), existing_nullable=False
        )
