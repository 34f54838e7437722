"""Inspection (issue #22): centralised inspection locations and express warehouses with their workflow
history, approval delegations, scanners with their device keys' hashes, scanner results (an image's
reference and SHA-256, never the image); paper declarations captured by officers.

Revision ID: 0014e
Revises: 0014d
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014e"
down_revision: str | Sequence[str] | None = "0014d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "declaration_paper_captures",
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("paper_number", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("back_captured", sa.Boolean(), nullable=False),
        sa.Column("paper_lodged_at", _when(), nullable=False),
        sa.Column("incident", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("captured_by", sa.String(length=120), nullable=False),
        sa.Column("captured_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("office", "paper_number", name="uq_declaration_paper_office_number"),
    )
    op.create_index(
        ("ix_declaration_paper_captures_office"), "declaration_paper_captures", ["office"], unique=False
    )
    op.create_table(
        "inspection_locations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=16), nullable=False),
        sa.Column("operator_id", sa.String(length=32), nullable=False),
        sa.Column("operator_tax_code", sa.String(length=14), nullable=False),
        sa.Column("area_m2", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("scanners", sa.Integer(), nullable=False),
        sa.Column("cameras", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("applied_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("approved_at", _when(), nullable=True),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_as", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["enterprises.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit"],
            ["units.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(
        ("ix_inspection_locations_operator_id"), "inspection_locations", ["operator_id"], unique=False
    )
    op.create_index(("ix_inspection_locations_unit"), "inspection_locations", ["unit"], unique=False)
    op.create_table(
        "inspection_delegations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=16), nullable=False),
        sa.Column("delegator_id", sa.String(length=32), nullable=False),
        sa.Column("delegator", sa.String(length=120), nullable=False),
        sa.Column("delegate_id", sa.String(length=32), nullable=False),
        sa.Column("delegate", sa.String(length=120), nullable=False),
        sa.Column("valid_from", _when(), nullable=False),
        sa.Column("valid_until", _when(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("revoked_at", _when(), nullable=True),
        sa.Column("revoked_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["officers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"],
            ["officers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_inspection_delegations_delegate_dept",
        "inspection_delegations",
        ["delegate_id", "department"],
        unique=False,
    )
    op.create_index(
        ("ix_inspection_delegations_department"), "inspection_delegations", ["department"], unique=False
    )
    op.create_table(
        "inspection_location_history",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=12), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inspection_locations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        ("ix_inspection_location_history_location_id"),
        "inspection_location_history",
        ["location_id"],
        unique=False,
    )
    op.create_table(
        "inspection_scanners",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("registered_by", sa.String(length=120), nullable=False),
        sa.Column("registered_at", _when(), nullable=False),
        sa.Column("revoked_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inspection_locations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_id"),
    )
    op.create_index(
        ("ix_inspection_scanners_location_id"), "inspection_scanners", ["location_id"], unique=False
    )
    op.create_table(
        "inspection_scan_results",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=32), nullable=False),
        sa.Column("scanner_id", sa.String(length=32), nullable=False),
        sa.Column("operator_id", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("declaration_number", sa.String(length=12), nullable=True),
        sa.Column("house_bill", sa.String(length=60), nullable=True),
        sa.Column("container", sa.String(length=11), nullable=True),
        sa.Column("image_reference", sa.String(length=2000), nullable=False),
        sa.Column("reference_kind", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("effect", sa.String(length=12), nullable=False),
        sa.Column("scanned_at", _when(), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inspection_locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["scanner_id"],
            ["inspection_scanners.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        ("ix_inspection_scan_results_declaration_number"),
        "inspection_scan_results",
        ["declaration_number"],
        unique=False,
    )
    op.create_index(
        ("ix_inspection_scan_results_house_bill"), "inspection_scan_results", ["house_bill"], unique=False
    )
    op.create_index(
        ("ix_inspection_scan_results_location_id"), "inspection_scan_results", ["location_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("inspection_scan_results")
    op.drop_table("inspection_scanners")
    op.drop_table("inspection_location_history")
    op.drop_table("inspection_delegations")
    op.drop_table("inspection_locations")
    op.drop_table("declaration_paper_captures")
