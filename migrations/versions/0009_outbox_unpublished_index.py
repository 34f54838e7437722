"""outbox: a partial index of the rows the relay has still to publish, in sequence order, instead of an
index of published_at over every row

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPUBLISHED = sa.text("published_at IS NULL AND origin IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_published_at"))
        batch_op.create_index(
            "ix_outbox_unpublished",
            ["seq"],
            unique=False,
            postgresql_where=UNPUBLISHED,
            sqlite_where=UNPUBLISHED,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished", postgresql_where=UNPUBLISHED, sqlite_where=UNPUBLISHED)
        batch_op.create_index(batch_op.f("ix_outbox_published_at"), ["published_at"], unique=False)
