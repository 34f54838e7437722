"""Labels from our own work: every inspection result, documents check, audit finding and enforcement case
becomes a label on the declaration (fraud / no fraud / critical, the duty at stake, the date it became
known), written by the consumer of those domains' events, exactly once per event id. Training reads them
(learned/platform.py) and so does the trader's compliance class."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.audit.catalogue import AuditEvent
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import DecisionKind
from haiquan.declarations.tables import DecisionRow, DeclarationRow
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk import compliance
from haiquan.risk.tables import LabelRow, RiskDecisionRow

OUTCOMES = ("no_fraud", "fraud", "critical")
LABELLED = frozenset(
    {
        DeclarationEvent.INSPECTION_RECORDED,
        DeclarationEvent.DOCUMENTS_ACCEPTED,
        AuditEvent.FINDINGS_RECORDED,
        EnforcementEvent.CASE_LINKED,
    }
)


@dataclass(frozen=True)
class Label:
    number: str
    source: str
    outcome: str
    duty_at_stake: Decimal


def _money(raw: object, default: Decimal = Decimal(0)) -> Decimal:
    try:
        return Decimal(str(raw)) if raw not in (None, "") else default
    except ArithmeticError:
        return default


def from_inspection(decision: DecisionRow, total_duties: Decimal) -> Label:
    """The physical inspection's result: fraud or not; `critical` when the officer marked it so."""
    findings: dict[str, Any] = dict(decision.findings or {})
    if not decision.fraud_found:
        return Label(decision.number, "inspection", "no_fraud", Decimal(0))
    outcome = "critical" if findings.get("critical") else "fraud"
    return Label(
        decision.number, "inspection", outcome, _money(findings.get("additional_duties_vnd"), total_duties)
    )


def label_of(session: Session, event: Event) -> Label | None:
    """The label an event amounts to, or None (an enforcement link to a container, say)."""
    p = event.payload
    if event.type == DeclarationEvent.INSPECTION_RECORDED:
        decision = session.scalars(
            select(DecisionRow)
            .where(DecisionRow.number == str(p["number"]), DecisionRow.kind == DecisionKind.INSPECTION_RESULT)
            .order_by(DecisionRow.at.desc(), DecisionRow.id.desc())
        ).first()
        if decision is None or decision.fraud_found is None:
            return None
        return from_inspection(decision, _money(p.get("total_duties")))
    if event.type == DeclarationEvent.DOCUMENTS_ACCEPTED:
        return Label(str(p["number"]), "documents", "no_fraud", Decimal(0))
    if event.type == AuditEvent.FINDINGS_RECORDED:
        return Label(str(p["number"]), "audit", str(p["outcome"]), _money(p.get("additional_duty")))
    if event.type == EnforcementEvent.CASE_LINKED and p.get("link_kind") == "declaration":
        decl = session.get(DeclarationRow, str(p["value"]))
        if decl is None:
            return None
        return Label(decl.number, "enforcement", "critical", decl.total_duties)
    return None


def on_labelled(uow: UnitOfWork, event: Event) -> None:
    session = uow.session
    if session.get(LabelRow, event.id) is not None:  # exactly once per event id, whatever the redelivery
        return
    label = label_of(session, event)
    if label is None:
        return
    decl = session.get(DeclarationRow, label.number)
    record = session.get(RiskDecisionRow, label.number)
    session.add(
        LabelRow(
            event_id=event.id, number=label.number, source=label.source, outcome=label.outcome,
            declarant_tax_code=decl.declarant_tax_code if decl else None, duty_at_stake=label.duty_at_stake,
            random_pick=bool(record and record.random_pick), known_at=event.occurred_at, recorded_at=clock.now(),
        )
    )  # fmt: skip
    ent = session.get(EnterpriseRow, decl.declarant_id) if decl else None
    if ent is not None and label.source != "inspection":  # inspection results: risk.labels recomputes
        compliance.recompute_one(session, ent=ent, actor="system:risk")


def consumers() -> list[Consumer]:
    return [Consumer("risk.label_book", LABELLED, on_labelled)]
