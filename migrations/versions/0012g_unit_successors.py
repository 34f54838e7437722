"""units: successor and dissolved_at. A dissolved unit's records stay on its code; its successor (or, without
one, its last parent) holds them in scope, and its officers follow the successor (decision in
docs/operations.md, "Restructuring"). Units deactivated before this revision keep a null dissolved_at.

Revision ID: 0012g
Revises: 0012f
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0012g"
down_revision: str | Sequence[str] | None = "0012f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("successor", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("dissolved_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("dissolved_at")
        batch_op.drop_column("successor")
