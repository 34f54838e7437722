"""Post-clearance audit and the blue lane (issue #21): the blue lane's rate per office and its count in the
daily report, labels on declarations from our own work, audit cases and plans, officers' expert fields,
and the stored challenger/champion comparisons of retraining.

Revision ID: 0016h
Revises: 0016g
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import haiquan.kit.db

revision: str = "0016h"
down_revision: str | Sequence[str] | None = "0016g"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("risk_lane_rates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blue", haiquan.kit.db.Money(precision=22, scale=4), nullable=True))
    with op.batch_alter_table("reports_daily_declarations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blue", COUNT, server_default="0", nullable=False))
    op.create_table(
        "audit_candidates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("declarant_tax_code", sa.String(length=14), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("queued_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_by", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", "source", name="uq_audit_candidates_number_source"),
    )
    op.create_index(op.f("ix_audit_candidates_number"), "audit_candidates", ["number"], unique=False)
    op.create_index("ix_audit_candidates_unit_status", "audit_candidates", ["unit", "status"], unique=False)
    op.create_table(
        "audit_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("declarant_tax_code", sa.String(length=14), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("officer", sa.String(length=60), nullable=True),
        sa.Column("plan_id", sa.String(length=32), nullable=True),
        sa.Column("candidate_id", sa.String(length=32), nullable=True),
        sa.Column("opened_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("documents", JSON, nullable=False),
        sa.Column("additional_duty", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.Column("late_interest", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.Column("penalty", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.Column("penalty_basis", sa.String(length=300), nullable=False),
        sa.Column("amendment_no", sa.Integer(), nullable=True),
        sa.Column("booked", sa.Boolean(), nullable=False),
        sa.Column("closed_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_cases_number"), "audit_cases", ["number"], unique=False)
    op.create_index(op.f("ix_audit_cases_unit"), "audit_cases", ["unit"], unique=False)
    op.create_table(
        "audit_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("planned_cases", sa.Integer(), nullable=False),
        sa.Column("themes", JSON, nullable=False),
        sa.Column("adopted_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("adopted_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit", "period", "title", name="uq_audit_plans_unit_period_title"),
    )
    op.create_index(op.f("ix_audit_plans_unit"), "audit_plans", ["unit"], unique=False)
    op.create_table(
        "risk_labels",
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("declarant_tax_code", sa.String(length=14), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("duty_at_stake", haiquan.kit.db.Money(precision=22, scale=4), nullable=False),
        sa.Column("random_pick", sa.Boolean(), nullable=False),
        sa.Column("known_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(op.f("ix_risk_labels_known_at"), "risk_labels", ["known_at"], unique=False)
    op.create_index(op.f("ix_risk_labels_number"), "risk_labels", ["number"], unique=False)
    op.create_table(
        "risk_model_comparisons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("challenger", sa.String(length=40), nullable=False),
        sa.Column("champion", sa.String(length=40), nullable=True),
        sa.Column("cutoff", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("test_from", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("test_to", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("created_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", haiquan.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expert_fields", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_column("expert_fields")
    op.drop_table("risk_model_comparisons")
    op.drop_index(op.f("ix_risk_labels_number"), table_name="risk_labels")
    op.drop_index(op.f("ix_risk_labels_known_at"), table_name="risk_labels")
    op.drop_table("risk_labels")
    op.drop_index(op.f("ix_audit_plans_unit"), table_name="audit_plans")
    op.drop_table("audit_plans")
    op.drop_index(op.f("ix_audit_cases_unit"), table_name="audit_cases")
    op.drop_index(op.f("ix_audit_cases_number"), table_name="audit_cases")
    op.drop_table("audit_cases")
    op.drop_index("ix_audit_candidates_unit_status", table_name="audit_candidates")
    op.drop_index(op.f("ix_audit_candidates_number"), table_name="audit_candidates")
    op.drop_table("audit_candidates")
    with op.batch_alter_table("reports_daily_declarations", schema=None) as batch_op:
        batch_op.drop_column("blue")
    with op.batch_alter_table("risk_lane_rates", schema=None) as batch_op:
        batch_op.drop_column("blue")
