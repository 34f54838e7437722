"""Trader compliance classes from history: declarations, inspection findings, payment record and age.
Recomputed nightly (CLI) and for the declarant on each inspection result (outbox consumer)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DecisionRow, DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.domain import TraderHistory, compliance
from haiquan.risk.tables import LabelRow, TraderComplianceRow
from haiquan.taxes import service as taxes

HISTORY_DAYS = 730


def history(session: Session, ent: EnterpriseRow) -> TraderHistory:
    since = clock.now() - timedelta(days=HISTORY_DAYS)
    mine = select(DeclarationRow.number).where(
        DeclarationRow.declarant_id == ent.id, DeclarationRow.lodged_at >= since
    )
    declarations = session.scalar(
        select(func.count())
        .select_from(DeclarationRow)
        .where(
            DeclarationRow.declarant_id == ent.id,
            DeclarationRow.lodged_at >= since,
            DeclarationRow.registered_at.is_not(None),
        )
    )
    results: list[tuple[str, bool]] = [
        (n, bool(f))
        for n, f in session.execute(
            select(DecisionRow.number, DecisionRow.fraud_found).where(
                DecisionRow.number.in_(mine), DecisionRow.kind == "inspection_result"
            )
        )
    ]
    results += _labelled(session, mine)  # audits, documents checks, enforcement cases too
    late = session.scalar(
        select(func.count())
        .select_from(DeclarationRow)
        .where(
            DeclarationRow.declarant_id == ent.id,
            DeclarationRow.lodged_at >= since,
            DeclarationRow.status == "duty_payment_reference_issued",
            DeclarationRow.registered_at < clock.now() - timedelta(days=30),
        )
    )
    first = session.scalar(
        select(func.min(DeclarationRow.lodged_at)).where(DeclarationRow.declarant_id == ent.id)
    )
    start = min(x for x in (ent.created_at, first) if x is not None)
    return TraderHistory(
        declarations=int(declarations or 0),
        inspections=len({n for n, _ in results}),
        frauds=len({n for n, f in results if f}),
        overdue_tax_days=taxes.unscoped_overdue_days(session, ent.tax_code),
        late_payments=int(late or 0),
        age_days=(clock.now() - start).days,
        suspended=ent.status != "active",
    )


def _labelled(session: Session, mine: Select[str]) -> list[tuple[str, bool]]:
    """The trader's declarations labelled by our own work (label table), fraud or critical as fraud."""
    rows = session.execute(select(LabelRow.number, LabelRow.outcome).where(LabelRow.number.in_(mine))).all()
    return [(n, o != "no_fraud") for n, o in rows]


def recompute_one(session: Session, *, ent: EnterpriseRow, actor: str) -> TraderComplianceRow:
    h = history(session, ent)
    cls, points, why = compliance(h)
    row = session.get(TraderComplianceRow, ent.tax_code)
    if row is None:
        row = TraderComplianceRow(tax_code=ent.tax_code)
        session.add(row)
    row.compliance_class, row.points, row.computed_at = cls, points, clock.now()
    row.facts = {**h.__dict__, "why": why}
    if ent.compliance_class != cls:
        old, ent.compliance_class = ent.compliance_class, cls
        payload = {"tax_code": ent.tax_code, "from": old, "to": cls, "points": points, "why": why}
        outbox.record(
            session,
            type=RiskEvent.COMPLIANCE_CLASS_CHANGED,
            unit=ent.unit or "00",
            actor=actor,
            payload=payload,
        )
        audit.append(
            session,
            actor=actor,
            action="risk.compliance_class_changed",
            target=f"enterprise:{ent.tax_code}",
            detail=payload,
        )
    return row


def recompute_all(session: Session, *, actor: str) -> dict[str, int]:
    counts = {"high": 0, "normal": 0, "low": 0}
    q = select(EnterpriseRow).where(EnterpriseRow.roles.is_not(None)).order_by(EnterpriseRow.tax_code)
    for ent in session.scalars(q).all():
        if "declarant" not in (ent.roles or []):
            continue
        counts[recompute_one(session, ent=ent, actor=actor).compliance_class] += 1
    return counts
