"""Reference data flowing down (decision 0037): `reference_parts`, the parts of a version that came in several
messages, kept until the version is whole; `node_reference_versions`, per node (this one and those below
it) and kind, the newest version applied and the refusals.

Revision ID: 0017a
Revises: 0016i
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0017a"
down_revision: str | Sequence[str] | None = "0016i"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_parts",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("received_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "version", "part"),
    )
    op.create_table(
        "node_reference_versions",
        sa.Column("node", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("last_refused_version", sa.Integer(), nullable=True),
        sa.Column("last_refused_why", sa.String(200), nullable=True),
        sa.Column("updated_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node", "kind"),
    )


def downgrade() -> None:
    op.drop_table("node_reference_versions")
    op.drop_table("reference_parts")
