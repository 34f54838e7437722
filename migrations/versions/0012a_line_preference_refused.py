"""declaration_lines.preference_refused: why a line's claimed preference scheme was not applied (origin
not a member of the agreement, no preferential rate for the line under it, certificate missing), kept as
the lodging or amendment answered it so that later reads show the same reason. Null on existing lines.

Revision ID: 0012a
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012a"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("declaration_lines") as batch:
        batch.add_column(sa.Column("preference_refused", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("declaration_lines") as batch:
        batch.drop_column("preference_refused")
