"""Inspection results flow back: the label goes onto the engine's decision record, and the declarant's
compliance class is recomputed. Handlers never commit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from haiquan.declarations.tables import DecisionRow
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk import compliance
from haiquan.risk.tables import RiskDecisionRow

DECISION_EVENTS = frozenset({"declaration.checked", "declaration.reject"})


def revenue_of(findings: dict[str, object], total_duties: Decimal) -> Decimal:
    """Revenue found: the additional duties the officer recorded, else the declaration's duties at stake."""
    raw = findings.get("additional_duties_vnd")
    if raw is not None:
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            pass
    return total_duties


def on_decision(uow: UnitOfWork, event: Event) -> None:
    session = uow.session
    number = str(event.payload["number"])
    labelled = session.scalars(
        select(DecisionRow)
        .where(DecisionRow.number == number, DecisionRow.fraud_found.is_not(None))
        .order_by(DecisionRow.at.desc())
    ).first()
    record = session.get(RiskDecisionRow, number)
    if labelled is not None and record is not None:
        record.inspected = True
        record.fraud_found = bool(labelled.fraud_found)
        record.revenue_found = (
            revenue_of(dict(labelled.findings or {}), record.total_duties)
            if labelled.fraud_found
            else Decimal(0)
        )
        record.labelled_at = clock.now()
    if labelled is not None and event.payload.get("declarant_id"):
        ent = session.get(EnterpriseRow, str(event.payload["declarant_id"]))
        if ent is not None:
            compliance.recompute_one(session, ent=ent, actor="system:risk")


def consumers() -> list[Consumer]:
    return [Consumer("risk.labels", DECISION_EVENTS, on_decision)]
