"""Risk engine tables: profiles and their versions, value control, trader compliance, lane rates,
analyst overrides, the decisions the engine took (for evaluation), and the registry of learned models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class ProfileRow(Base):
    """A rule profile: a criteria text (see criteria.py), scope and validity; the current version."""

    __tablename__ = "risk_profiles"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[str] = mapped_column(Text)
    units: Mapped[list[str]] = mapped_column(JSONType, default=list)  # [] = every office
    valid_from: Mapped[date | None] = mapped_column(nullable=True)
    valid_to: Mapped[date | None] = mapped_column(nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason_vi: Mapped[str] = mapped_column(String(300), default="")
    reason_en: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class ProfileVersionRow(Base):
    """Every version of every profile, kept for ever: who changed what, when and why."""

    __tablename__ = "risk_profile_versions"
    profile_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(120))
    why: Mapped[str] = mapped_column(Text)


class ValueControlRow(Base):
    """Accepted unit values (VND per quantity unit) of an HS line from an origin ('*' = any origin)."""

    __tablename__ = "risk_value_control"
    hs_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    origin: Mapped[str] = mapped_column(String(2), primary_key=True)
    min_unit_value: Mapped[Decimal]
    max_unit_value: Mapped[Decimal]
    median_unit_value: Mapped[Decimal]
    sample_size: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10))  # learned | manual
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class TraderComplianceRow(Base):
    """A trader's compliance class and the facts it was computed from."""

    __tablename__ = "risk_trader_compliance"
    tax_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    compliance_class: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime]


class LaneRateRow(Base):
    """Expected share of each lane at an office ('*' = the default), in percent, and the random share."""

    __tablename__ = "risk_lane_rates"
    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    green: Mapped[Decimal]
    yellow: Mapped[Decimal]
    red: Mapped[Decimal]
    random_share: Mapped[Decimal]
    blue: Mapped[Decimal | None] = mapped_column(nullable=True)  # release now, audit later (0 when absent)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class OverrideRow(Base):
    """An analyst's lane override for a declarant, an importer or a declaration number, until a date."""

    __tablename__ = "risk_overrides"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # declarant | importer | declaration
    value: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    office: Mapped[str | None] = mapped_column(String(16), nullable=True)
    expires_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


Index("ix_risk_overrides_subject", OverrideRow.subject, OverrideRow.value)


class RiskDecisionRow(Base):
    """What the engine decided for a declaration at registration, and the label once inspected."""

    __tablename__ = "risk_decisions"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    office: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(8))
    score: Mapped[float]
    score_source: Mapped[str] = mapped_column(String(40))  # heuristic | model:<version>
    random_pick: Mapped[bool] = mapped_column(Boolean, default=False)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    total_duties: Mapped[Decimal]
    inspected: Mapped[bool] = mapped_column(Boolean, default=False)
    fraud_found: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    revenue_found: Mapped[Decimal | None] = mapped_column(nullable=True)
    labelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    model_line: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the line that scored highest
    explained: Mapped[bool] = mapped_column(Boolean, default=True)  # False: SHAP reasons still to add


Index("ix_risk_decisions_office_at", RiskDecisionRow.office, RiskDecisionRow.decided_at)


class ModelVersionRow(Base):
    """A learned model file registered for serving; one at most is promoted."""

    __tablename__ = "risk_models"
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    path: Mapped[str] = mapped_column(String(500))
    feature_version: Mapped[str] = mapped_column(String(20))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    data_window: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime]
    promoted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    promoted_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    serving: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("path", name="uq_risk_models_path"),)


class EnterpriseFactRow(Base):
    """A fact about an enterprise the criteria language reads (e.g. `finalisation_discrepancy_duty`: the
    duty at stake in its open finalisation discrepancies), kept by a consumer of the events that change it."""

    __tablename__ = "risk_enterprise_facts"
    tax_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    fact: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Decimal]
    source_event: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]


class LabelRow(Base):
    """A label on a declaration from our own work (an inspection result, a documents check, an audit
    finding, an enforcement case): once per source event, with the date it became known, so that training
    only sees what was known before its cut-off."""

    __tablename__ = "risk_labels"
    event_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), index=True)
    declarant_tax_code: Mapped[str | None] = mapped_column(String(14), nullable=True)
    source: Mapped[str] = mapped_column(String(12))  # inspection | documents | audit | enforcement
    outcome: Mapped[str] = mapped_column(String(10))  # fraud | no_fraud | critical
    duty_at_stake: Mapped[Decimal]
    random_pick: Mapped[bool] = mapped_column(Boolean, default=False)  # inspected by the random share
    known_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]


class ModelComparisonRow(Base):
    """A challenger trained from the platform's labels, compared with the champion on a later held-out
    period; promoted only by an analyst's recorded decision."""

    __tablename__ = "risk_model_comparisons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    challenger: Mapped[str] = mapped_column(String(40))  # the registered model version
    champion: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cutoff: Mapped[datetime]  # labels known before it trained the challenger
    test_from: Mapped[datetime]
    test_to: Mapped[datetime]
    metrics: Mapped[dict[str, Any]] = mapped_column(
        JSONType, default=dict
    )  # {"challenger": {...}, "champion": {...}}
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    decision: Mapped[str] = mapped_column(String(10), default="pending")  # pending | promoted | rejected
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    why: Mapped[str] = mapped_column(Text, default="")
