"""The audit's queries, each in the caller's scope (its units; None = every unit): the queue, the
plans, the cases, and the cleared declarations of the last 5 years that selection reads. Unscoped reads
say so in their names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.audit.domain import LOOKBACK
from haiquan.audit.tables import AuditCandidateRow, AuditCaseRow, AuditPlanRow
from haiquan.declarations.domain import CLEARED_OR_LATER
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.kit.sql import among
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk.tables import RiskDecisionRow

CLEARED = [s.value for s in CLEARED_OR_LATER]


def _in_units(q: Any, session: Session, column: Any, scope: Scope) -> Any:
    return q if scope.units is None else q.where(among(session, column, scope.units))


def queue(
    session: Session, *, scope: Scope, status: str = "queued", limit: int = 200
) -> list[AuditCandidateRow]:
    """The audit team's queue, highest score first (blue-lane declarations have theirs)."""
    q = select(AuditCandidateRow).where(AuditCandidateRow.status == status)
    q = _in_units(q, session, AuditCandidateRow.unit, scope)
    q = q.order_by(
        AuditCandidateRow.score.desc().nulls_last(), AuditCandidateRow.queued_at, AuditCandidateRow.id
    )
    return list(session.scalars(q.limit(limit)))


def candidate(session: Session, candidate_id: str, *, scope: Scope) -> AuditCandidateRow:
    row = session.get(AuditCandidateRow, candidate_id)
    if row is None or not scope.covers_unit(row.unit):
        raise NotFound(f"no audit candidate {candidate_id} in your scope", field="candidate_id")
    return row


def unscoped_queued_sources(session: Session, numbers: Iterable[str]) -> set[tuple[str, str]]:
    """(number, source) pairs already queued, whatever their status (each is queued once)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return set()
    q = select(AuditCandidateRow.number, AuditCandidateRow.source).where(
        among(session, AuditCandidateRow.number, wanted)
    )
    return {(n, s) for n, s in session.execute(q)}


def plans(session: Session, *, scope: Scope) -> list[AuditPlanRow]:
    q = _in_units(select(AuditPlanRow), session, AuditPlanRow.unit, scope)
    return list(
        session.scalars(q.order_by(AuditPlanRow.period.desc(), AuditPlanRow.unit, AuditPlanRow.title))
    )


def plan(session: Session, plan_id: str, *, scope: Scope) -> AuditPlanRow:
    row = session.get(AuditPlanRow, plan_id)
    if row is None or not scope.covers_unit(row.unit):
        raise NotFound(f"no audit plan {plan_id} in your scope", field="plan_id")
    return row


def cases(
    session: Session, *, scope: Scope, plan_id: str | None = None, limit: int = 200
) -> list[AuditCaseRow]:
    q = _in_units(select(AuditCaseRow), session, AuditCaseRow.unit, scope)
    if plan_id is not None:
        q = q.where(AuditCaseRow.plan_id == plan_id)
    return list(session.scalars(q.order_by(AuditCaseRow.opened_at.desc(), AuditCaseRow.id).limit(limit)))


def case(session: Session, case_id: str, *, scope: Scope, for_update: bool = False) -> AuditCaseRow:
    q = select(AuditCaseRow).where(AuditCaseRow.id == case_id)
    row = session.scalar(q.with_for_update() if for_update else q)
    if row is None or not scope.covers_unit(row.unit):
        raise NotFound(f"no audit case {case_id} in your scope", field="case_id")
    return row


def unscoped_case_trader(session: Session, case: AuditCaseRow) -> EnterpriseRow | None:
    """The audited trader (its name and compliance class): the case was read in the caller's scope."""
    return session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == case.declarant_tax_code))


def unscoped_open_cases_by_officer(session: Session, officers: Iterable[str]) -> dict[str, int]:
    q = (
        select(AuditCaseRow.officer, func.count())
        .where(AuditCaseRow.officer.in_(list(officers)), AuditCaseRow.status != "closed")
        .group_by(AuditCaseRow.officer)
    )
    return {str(o): int(n) for o, n in session.execute(q)}


def cleared(
    session: Session,
    *,
    scope: Scope,
    now: datetime,
    min_score: float | None = None,
    declarant: str | None = None,
    hs_prefix: str | None = None,
    channel: str | None = None,
    limit: int = 500,
) -> list[tuple[DeclarationRow, float | None]]:
    """Cleared declarations of the last 5 years with their risk score, filtered as the analyst asks."""
    q = (
        select(DeclarationRow, RiskDecisionRow.score)
        .outerjoin(RiskDecisionRow, RiskDecisionRow.number == DeclarationRow.number)
        .where(DeclarationRow.status.in_(CLEARED), DeclarationRow.registered_at >= now - LOOKBACK)
    )
    q = _in_units(q, session, DeclarationRow.office, scope)
    if min_score is not None:
        q = q.where(RiskDecisionRow.score >= min_score)
    if declarant:
        q = q.where(DeclarationRow.declarant_tax_code == declarant)
    if channel:
        q = q.where(DeclarationRow.channel == channel)
    if hs_prefix:
        lines = select(DeclarationLineRow.number).where(DeclarationLineRow.hs_code.startswith(hs_prefix))
        q = q.where(DeclarationRow.number.in_(lines))
    q = q.order_by(RiskDecisionRow.score.desc().nulls_last(), DeclarationRow.number).limit(limit)
    return [(d, float(s) if s is not None else None) for d, s in session.execute(q)]
