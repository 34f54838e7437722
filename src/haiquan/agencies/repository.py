"""Agencies' queries. Permits are read in the caller's PermitScope (an agency: its own and the offices it
serves; customs: its units; a declarant: its own); the unscoped reads say so in their names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haiquan.agencies.domain import OPEN, PermitScope, Status
from haiquan.agencies.tables import AgencyMemberRow, PermitHistoryRow, PermitRow, RequirementRow
from haiquan.kit.errors import NotFound
from haiquan.kit.sql import among


def _scoped(q: Any, session: Session, scope: PermitScope) -> Any:
    if scope.agency is not None:
        q = q.where(PermitRow.agency == scope.agency)
    if scope.units is not None:
        q = q.where(among(session, PermitRow.office, scope.units)) if scope.units else q.where(False)
    if scope.declarant_id is not None:
        q = q.where(PermitRow.declarant_id == scope.declarant_id)
    return q


def get(session: Session, permit_id: str, *, scope: PermitScope, for_update: bool = False) -> PermitRow:
    """The permit, or 404 when it does not exist or lies outside the caller's scope (never a 403: what
    another agency decides is not even acknowledged)."""
    q = _scoped(select(PermitRow).where(PermitRow.id == permit_id), session, scope)
    row = session.scalar(q.with_for_update() if for_update else q)
    if row is None:
        raise NotFound(f"no permit {permit_id} in your scope", field="permit_id")
    return row


def listing(
    session: Session, *, scope: PermitScope, statuses: Iterable[str] | None = None, limit: int = 100
) -> list[PermitRow]:
    """Oldest request first (the agency works its queue in order)."""
    q = _scoped(select(PermitRow), session, scope)
    if statuses is not None:
        q = q.where(among(session, PermitRow.status, statuses))
    q = q.order_by(PermitRow.requested_at, PermitRow.number, PermitRow.line_no, PermitRow.id).limit(limit)
    return list(session.scalars(q))


def of_declarations(session: Session, numbers: Iterable[str], *, scope: PermitScope) -> list[PermitRow]:
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    q = _scoped(select(PermitRow).where(among(session, PermitRow.number, wanted)), session, scope)
    return list(session.scalars(q.order_by(PermitRow.number, PermitRow.line_no, PermitRow.agency)))


def history(session: Session, permit_id: str, *, scope: PermitScope) -> list[PermitHistoryRow]:
    get(session, permit_id, scope=scope)
    q = select(PermitHistoryRow).where(PermitHistoryRow.permit_id == permit_id)
    return list(session.scalars(q.order_by(PermitHistoryRow.id)))


def unscoped_holds(session: Session, numbers: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Per declaration: the agencies awaited and those that refused (the gate's status look-up, which
    speaks for the terminal holding the goods, not for an agency)."""
    wanted = sorted(set(numbers))
    out: dict[str, tuple[list[str], list[str]]] = {}
    if not wanted:
        return out
    q = select(PermitRow.number, PermitRow.agency, PermitRow.status).where(
        among(session, PermitRow.number, wanted)
    )
    for number, agency, status in session.execute(q.order_by(PermitRow.agency)):
        awaited, refused = out.setdefault(number, ([], []))
        target = refused if status == Status.REFUSED else awaited if status in OPEN else None
        if target is not None and agency not in target:
            target.append(agency)
    return out


def unscoped_statuses(session: Session, number: str) -> list[Status]:
    """Every permit's status on a declaration (the decision's consequence for its clearance)."""
    q = select(PermitRow.status).where(PermitRow.number == number)
    return [Status(s) for s in session.scalars(q)]


def unscoped_overdue(session: Session, now: datetime) -> list[PermitRow]:
    """Undecided permits past their deadline not yet flagged (the alert job)."""
    q = select(PermitRow).where(
        PermitRow.status.in_([s.value for s in OPEN]),
        PermitRow.deadline < now,
        PermitRow.overdue_at.is_(None),
    )
    return list(session.scalars(q.order_by(PermitRow.deadline).with_for_update()))


def unscoped_rules(session: Session) -> list[RequirementRow]:
    return list(session.scalars(select(RequirementRow).order_by(RequirementRow.id)))


def unscoped_replace_rules(session: Session, rows: list[RequirementRow]) -> None:
    session.execute(delete(RequirementRow))
    session.add_all(rows)


def unscoped_member(session: Session, principal: str) -> AgencyMemberRow | None:
    return session.get(AgencyMemberRow, principal)
