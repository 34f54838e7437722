"""Representations: an importer or exporter grants a declarant (a customs agent) the right to lodge
declarations naming it as the party, for a period, until revoked; and the indexes by which the party lists
the declarations lodged in its name.

Revision ID: 0012d
Revises: 0012a
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0012d"
down_revision: str | Sequence[str] | None = "0012a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = haiquan.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "representations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("principal_id", sa.String(length=32), nullable=False),
        sa.Column("representative_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("valid_from", WHEN, nullable=False),
        sa.Column("valid_until", WHEN, nullable=True),
        sa.Column("granted_at", WHEN, nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["principal_id"], ["enterprises.id"]),
        sa.ForeignKeyConstraint(["representative_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_representations_principal_id", "representations", ["principal_id"])
    op.create_index("ix_representations_representative_id", "representations", ["representative_id"])
    op.create_index("ix_declarations_importer_lodged", "declarations", ["importer_tax_code", "lodged_at"])
    op.create_index("ix_declarations_exporter_lodged", "declarations", ["exporter_tax_code", "lodged_at"])


def downgrade() -> None:
    op.drop_index("ix_declarations_exporter_lodged", table_name="declarations")
    op.drop_index("ix_declarations_importer_lodged", table_name="declarations")
    op.drop_index("ix_representations_representative_id", table_name="representations")
    op.drop_index("ix_representations_principal_id", table_name="representations")
    op.drop_table("representations")
