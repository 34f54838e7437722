"""Other agencies' permits and inspections (issue #17): the requirements table, the agencies' members
(their systems and staff), permits and their history, and the declaration's hold while a permit is missing.

Revision ID: 0014f
Revises: 0014e
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014f"
down_revision: str | Sequence[str] | None = "0014e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agency_requirements",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("hs_prefix", sa.String(8), nullable=False),
        sa.Column("agency", sa.String(12), nullable=False),
        sa.Column("requirement", sa.String(12), nullable=False),
        sa.Column("kinds", JSON, nullable=False),
        sa.Column("origins", JSON, nullable=False),
        sa.Column("except_origins", JSON, nullable=False),
        sa.Column("uses", JSON, nullable=False),
        sa.Column("title_vi", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("legal_source", sa.String(300), nullable=False),
    )
    op.create_table(
        "agency_members",
        sa.Column("principal", sa.String(80), primary_key=True),
        sa.Column("agency", sa.String(12), nullable=False),
        sa.Column("units", JSON, nullable=False),
    )
    op.create_index("ix_agency_members_agency", "agency_members", ["agency"])
    _permits()
    _reports()
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_hold", sa.Boolean(), server_default=sa.false(), nullable=False))


def _permits() -> None:
    op.create_table(
        "agency_permits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("number", sa.String(12), sa.ForeignKey("declarations.number"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(8), nullable=False),
        sa.Column("origin_country", sa.String(2), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("declarant_id", sa.String(32), nullable=False),
        sa.Column("agency", sa.String(12), nullable=False),
        sa.Column("requirement", sa.String(12), nullable=False),
        sa.Column("requirement_id", sa.String(40), nullable=False),
        sa.Column("title_vi", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", _ts(), nullable=False),
        sa.Column("deadline", _ts(), nullable=False),
        sa.Column("reference_no", sa.String(60), nullable=False),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("lab_reference", sa.String(80), nullable=False),
        sa.Column("overdue_at", _ts(), nullable=True),
        sa.Column("case_number", sa.String(40), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
    )
    op.create_index("ix_agency_permits_number", "agency_permits", ["number"])
    op.create_index("ix_agency_permits_declarant_id", "agency_permits", ["declarant_id"])
    op.create_index("ix_agency_permits_agency_status", "agency_permits", ["agency", "status"])
    op.create_table(
        "agency_permit_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("permit_id", sa.String(32), sa.ForeignKey("agency_permits.id"), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=True),
        sa.Column("status_to", sa.String(20), nullable=False),
        sa.Column("detail", JSON, nullable=False),
    )
    op.create_index("ix_agency_permit_history_permit_id", "agency_permit_history", ["permit_id"])


def _reports() -> None:
    count = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    keys = [
        sa.Column("unit", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("agency", sa.String(12), primary_key=True),
    ]
    op.create_table(
        "reports_daily_permit_requests",
        *[c.copy() for c in keys],
        *[sa.Column(n, count, nullable=False) for n in ("requested", "closed")],
    )
    op.create_table(
        "reports_daily_permit_outcomes",
        *[c.copy() for c in keys],
        *[
            sa.Column(n, count, nullable=False)
            for n in ("approved", "conditional", "refused", "overdue", "minutes")
        ],
    )
    for name in ("reports_daily_permit_requests", "reports_daily_permit_outcomes"):
        op.create_index(f"ix_{name}_day_unit", name, ["day", "unit"])


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_column("agency_hold")
    op.drop_table("reports_daily_permit_outcomes")
    op.drop_table("reports_daily_permit_requests")
    op.drop_table("agency_permit_history")
    op.drop_table("agency_permits")
    op.drop_table("agency_members")
    op.drop_table("agency_requirements")
