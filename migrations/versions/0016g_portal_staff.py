"""The trader portal (issue #20): an enterprise's staff accounts and their server-side sessions.

Revision ID: 0016g
Revises: 0016a
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016g"
down_revision: str | Sequence[str] | None = "0016a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_staff",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("username", sa.String(60), nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_portal_staff_enterprise_id", "portal_staff", ["enterprise_id"])
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("staff_id", sa.String(32), sa.ForeignKey("portal_staff.id"), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("last_seen_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=False),
    )
    op.create_index("ix_portal_sessions_staff_id", "portal_sessions", ["staff_id"])


def downgrade() -> None:
    op.drop_table("portal_sessions")
    op.drop_table("portal_staff")
