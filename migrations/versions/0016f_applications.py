"""Applications filed online (issue #20): refunds, exemptions and "không thu", advance rulings and
payment-deadline extensions; their history and documents; the rulings in force and the extensions granted.

Revision ID: 0016f
Revises: 0015b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import haiquan.kit.sql

revision: str = "0016f"
down_revision: str | Sequence[str] | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> haiquan.kit.sql.Money:
    return haiquan.kit.sql.Money(precision=22, scale=4)


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("reason_code", sa.String(24), nullable=False),
        sa.Column("refund_mode", sa.String(20), nullable=True),
        sa.Column("declaration_number", sa.String(12), nullable=True),
        sa.Column("amount_requested", _money(), nullable=True),
        sa.Column("requested_due_date", sa.Date(), nullable=True),
        sa.Column("goods_code", sa.String(40), nullable=False),
        sa.Column("goods_description", sa.Text(), nullable=False),
        sa.Column("hs_code", sa.String(8), nullable=False),
        sa.Column("origin_country", sa.String(2), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("filed_at", _ts(), nullable=False),
        sa.Column("clock_started_at", _ts(), nullable=False),
        sa.Column("deadline", _ts(), nullable=False),
        sa.Column("deadline_source", sa.String(200), nullable=False),
        sa.Column("overdue_at", _ts(), nullable=True),
        sa.Column("info_request", sa.Text(), nullable=False),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("amount_granted", _money(), nullable=True),
        sa.Column("decided_hs_code", sa.String(8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("new_due_date", sa.Date(), nullable=True),
        sa.Column("amount_paid_back", _money(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
    )
    op.create_index("ix_applications_office", "applications", ["office"])
    op.create_index("ix_applications_enterprise_id", "applications", ["enterprise_id"])
    op.create_index("ix_applications_declaration_number", "applications", ["declaration_number"])
    op.create_index("ix_applications_office_status", "applications", ["office", "status"])
    op.create_table(
        "application_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=True),
        sa.Column("status_to", sa.String(20), nullable=False),
        sa.Column("detail", JSON, nullable=False),
    )
    op.create_index("ix_application_history_application_id", "application_history", ["application_id"])
    op.create_table(
        "application_documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(100), nullable=False),
        sa.Column("uploaded_at", _ts(), nullable=False),
        sa.Column("uploaded_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_application_documents_application_id", "application_documents", ["application_id"])
    op.create_table(
        "advance_rulings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("holder_tax_code", sa.String(14), nullable=False),
        sa.Column("goods_code", sa.String(40), nullable=False),
        sa.Column("goods_description", sa.Text(), nullable=False),
        sa.Column("hs_code", sa.String(8), nullable=False),
        sa.Column("origin_country", sa.String(2), nullable=False),
        sa.Column("value_note", sa.Text(), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("issued_at", _ts(), nullable=False),
    )
    op.create_index("ix_advance_rulings_holder_goods", "advance_rulings", ["holder_tax_code", "goods_code"])
    op.create_table(
        "payment_extensions",
        sa.Column("application_id", sa.String(32), primary_key=True),
        sa.Column("declaration_number", sa.String(12), nullable=False),
        sa.Column("tax_code", sa.String(14), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("new_due_date", sa.Date(), nullable=False),
        sa.Column("granted_at", _ts(), nullable=False),
    )
    op.create_index("ix_payment_extensions_declaration_number", "payment_extensions", ["declaration_number"])
    op.create_index("ix_payment_extensions_tax_code", "payment_extensions", ["tax_code"])


def downgrade() -> None:
    for table in (
        "payment_extensions", "advance_rulings", "application_documents", "application_history", "applications",
    ):  # fmt: skip
        op.drop_table(table)
