"""Inspection results flow back: the label goes onto the engine's decision record, and the declarant's
compliance class is recomputed. Handlers never commit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import structlog
from sqlalchemy import select, update

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import DecisionKind
from haiquan.declarations.registration import facts_from_rows
from haiquan.declarations.tables import DecisionRow, DeclarationLineRow, DeclarationRow
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.tables import EnterpriseRow
from haiquan.regimes.catalogue import FinalisationEvent
from haiquan.risk import compliance, enterprise_facts, labels, scoring
from haiquan.risk.tables import ModelVersionRow, RiskDecisionRow

log = structlog.get_logger(__name__)

# the label is the physical inspection's result (fraud found or not), never the kind of a later decision
DECISION_EVENTS = frozenset({DeclarationEvent.INSPECTION_RECORDED})


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
        .where(
            DecisionRow.number == number,
            DecisionRow.kind == DecisionKind.INSPECTION_RESULT,
            DecisionRow.fraud_found.is_not(None),
        )
        .order_by(DecisionRow.at.desc(), DecisionRow.id.desc())
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


def on_red(uow: UnitOfWork, event: Event) -> None:
    """A red declaration scored by a model: add the model's top SHAP contributions to its reasons (on the
    engine's record and on the declaration the officer reads), off the inline registration path."""
    session = uow.session
    number = str(event.payload["number"])
    rec = session.get(RiskDecisionRow, number)
    if rec is None or rec.explained or not rec.score_source.startswith("model:"):
        return
    version = rec.score_source.split(":", 1)[1]
    model_row = session.get(ModelVersionRow, version)
    decl = session.get(DeclarationRow, number)
    rec.explained = True
    if model_row is None or decl is None:
        return
    try:
        serving = scoring.Serving(version, scoring.load_version(version, model_row.path))
    except scoring.ModelLoadError as exc:
        log.warning("risk.explanation_unavailable", number=number, version=version, error=str(exc))
        return
    lines = list(
        session.scalars(
            select(DeclarationLineRow)
            .where(DeclarationLineRow.number == number)
            .order_by(DeclarationLineRow.line_no)
        )
    )
    ent = session.get(EnterpriseRow, decl.declarant_id)
    facts = facts_from_rows(decl, lines, ent.compliance_class if ent else "normal")
    if not facts.lines:
        return
    extra = scoring.explain(serving, facts, min(rec.model_line or 0, len(facts.lines) - 1))
    rec.reasons = [*rec.reasons, *extra]
    # a plain UPDATE: the declaration's optimistic-lock version is left alone, so an officer working on it
    # at the same moment is not refused
    session.execute(
        update(DeclarationRow)
        .where(DeclarationRow.number == number)
        .values(channel_reasons=[*(decl.channel_reasons or []), *extra])
        .execution_options(synchronize_session=False)
    )


def on_finalisation(uow: UnitOfWork, event: Event) -> None:
    """A finalisation reconciled or one of its discrepancies resolved: the enterprise's open duty at stake
    becomes the fact `finalisation_discrepancy_duty` its declarations are assessed with."""
    enterprise_facts.keep(
        uow.session,
        tax_code=str(event.payload["tax_code"]),
        fact=enterprise_facts.FINALISATION_DUTY,
        value=Decimal(str(event.payload["open_duty_at_stake"])),
        event_id=event.id,
    )


def consumers() -> list[Consumer]:
    return [
        Consumer("risk.labels", DECISION_EVENTS, on_decision),
        Consumer("risk.explanations", frozenset({DeclarationEvent.INSPECTION_ORDERED}), on_red),
        Consumer("risk.finalisation_facts", frozenset(FinalisationEvent), on_finalisation),
        *labels.consumers(),
    ]
