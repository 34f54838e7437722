"""Declaration tables: the declaration, its lines, its history, officer decisions, notifications."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class DeclarationRow(Base):
    __tablename__ = "declarations"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(12))
    procedure_code: Mapped[str] = mapped_column(String(4))
    office: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"))
    declarant_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"))
    declarant_tax_code: Mapped[str] = mapped_column(String(14))
    importer_tax_code: Mapped[str | None] = mapped_column(String(14), nullable=True)
    importer_name: Mapped[str] = mapped_column(String(300), default="")
    exporter_tax_code: Mapped[str | None] = mapped_column(String(14), nullable=True)
    exporter_name: Mapped[str] = mapped_column(String(300), default="")
    partner_country: Mapped[str] = mapped_column(String(2))
    transport_mode: Mapped[str] = mapped_column(String(10))
    transport_document: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    containers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    package_count: Mapped[int] = mapped_column(Integer, default=0)
    gross_mass_kg: Mapped[Decimal]
    invoice_currency: Mapped[str] = mapped_column(String(3))
    invoice_amount: Mapped[Decimal]
    incoterm: Mapped[str] = mapped_column(String(3))
    freight: Mapped[Decimal]
    insurance: Mapped[Decimal]
    exchange_rate: Mapped[Decimal]
    customs_value_vnd: Mapped[Decimal]
    import_duty: Mapped[Decimal]
    excise: Mapped[Decimal]
    vat: Mapped[Decimal]
    export_duty: Mapped[Decimal]
    total_duties: Mapped[Decimal]
    duties_settled: Mapped[bool] = mapped_column(Boolean, default=False)
    settlement: Mapped[str | None] = mapped_column(String(20), nullable=True)
    checks_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    # a line waits for another agency's permit or inspection (agencies): the declaration does not clear
    agency_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str | None] = mapped_column(String(8), nullable=True)
    channel_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    risk_score: Mapped[float | None] = mapped_column(nullable=True)
    assigned_officer_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    check_deadline: Mapped[datetime | None] = mapped_column(nullable=True)
    escalated_to: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    amendment_no: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    lodged_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    registered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (optimistic locking)


Index("ix_declarations_office_status", DeclarationRow.office, DeclarationRow.status)
Index("ix_declarations_declarant_lodged", DeclarationRow.declarant_id, DeclarationRow.lodged_at)
# the importer (exporter) named as party lists the declarations lodged in its name
Index("ix_declarations_importer_lodged", DeclarationRow.importer_tax_code, DeclarationRow.lodged_at)
Index("ix_declarations_exporter_lodged", DeclarationRow.exporter_tax_code, DeclarationRow.lodged_at)


class DeclarationLineRow(Base):
    __tablename__ = "declaration_lines"
    number: Mapped[str] = mapped_column(String(12), ForeignKey("declarations.number"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    hs_code: Mapped[str] = mapped_column(String(8), index=True)
    description: Mapped[str] = mapped_column(String(500))
    origin_country: Mapped[str] = mapped_column(String(2))
    quantity: Mapped[Decimal]
    quantity_unit: Mapped[str] = mapped_column(String(10))
    net_mass_kg: Mapped[Decimal]
    invoice_value: Mapped[Decimal]
    preference_scheme: Mapped[str | None] = mapped_column(String(10), nullable=True)
    certificate_no: Mapped[str | None] = mapped_column(String(40), nullable=True)
    customs_value_vnd: Mapped[Decimal]
    import_rate: Mapped[Decimal]
    import_duty: Mapped[Decimal]
    excise_rate: Mapped[Decimal]
    excise: Mapped[Decimal]
    vat_rate: Mapped[Decimal]
    vat: Mapped[Decimal]
    export_rate: Mapped[Decimal]
    export_duty: Mapped[Decimal]
    applied_scheme: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # why the claimed scheme was not applied (tariff.domain.preference_refusal), kept as answered
    preference_refused: Mapped[str | None] = mapped_column(String(32), nullable=True)


class DeclarationHistoryRow(Base):
    """Every step of a declaration, kept for ever (the regulated record's history)."""

    __tablename__ = "declaration_history"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(12), ForeignKey("declarations.number"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    status_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_to: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class DecisionRow(Base):
    """An officer's decision; inspection results are the labels the risk engine learns from."""

    __tablename__ = "declaration_decisions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), ForeignKey("declarations.number"), index=True)
    officer_id: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    fraud_found: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    findings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RosterCursorRow(Base):
    """Round-robin position of automatic check assignment per office."""

    __tablename__ = "roster_cursors"
    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_officer: Mapped[str] = mapped_column(String(60))


class NotificationRow(Base):
    """A status change as the declarant sees it: pulled with a cursor, pushed by webhook."""

    __tablename__ = "notifications"
    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str] = mapped_column(String(32), index=True)
    declaration_number: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    __table_args__ = (UniqueConstraint("event_id", "enterprise_id"),)


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    notification_seq: Mapped[int] = mapped_column(SeqInt, ForeignKey("notifications.seq"))
    enterprise_id: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class PaperCaptureRow(Base):
    """A declaration captured from paper by an officer (declarations.paper): the paper's own number, why it
    was on paper, whether it was back-captured after an outage, who captured it."""

    __tablename__ = "declaration_paper_captures"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    office: Mapped[str] = mapped_column(String(16), index=True)
    paper_number: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(20))
    back_captured: Mapped[bool] = mapped_column(Boolean)
    paper_lodged_at: Mapped[datetime]
    incident: Mapped[str | None] = mapped_column(String(60), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    captured_by: Mapped[str] = mapped_column(String(120))
    captured_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("office", "paper_number", name="uq_declaration_paper_office_number"),)
