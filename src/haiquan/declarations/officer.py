"""Officer work: automatic round-robin assignment of checks, the work queue, decisions."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from haiquan.declarations import repository
from haiquan.declarations.assignment import roster, rosters
from haiquan.declarations.domain import (
    UNDER_CHECK,
    Channel,
    DecisionKind,
    LifecycleError,
    Status,
    check_deadline,
    decide,
)
from haiquan.declarations.events import DECISION_ACTIONS, transition
from haiquan.declarations.schemas import DecisionIn
from haiquan.declarations.tables import DecisionRow, DeclarationRow, RosterCursorRow
from haiquan.kit import clock, pending
from haiquan.kit.auth import DECIDING_ROLES, Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden


def _next_after(names: list[str], last: str | None) -> int:
    if last is None:
        return 0
    if last in names:
        return names.index(last) + 1
    return sum(1 for n in names if n <= last)


def assign_checkers(session: Session, rows: list[DeclarationRow]) -> None:
    """Round-robin, 24/7, per office: each declaration gets the next officer after the last one assigned
    at its office. Offices' cursors are locked in office order (two writers never deadlock)."""
    by_office: dict[str, list[DeclarationRow]] = {}
    for row in rows:
        by_office.setdefault(row.office, []).append(row)
    if not by_office:
        return
    offices = sorted(by_office)
    q = select(CURSORS.c.office, CURSORS.c.last_officer).where(CURSORS.c.office.in_(offices))
    if session.get_bind().dialect.name == "postgresql":
        q = q.order_by(CURSORS.c.office).with_for_update()
    cursors: dict[str, str] = dict(session.execute(q).all())
    moved: dict[str, str] = {}
    on_roster = rosters(session, offices)
    for office in offices:
        officers = on_roster[office]
        if not officers:
            continue
        names = [n for _, n in officers]
        last = cursors.get(office)
        for row in by_office[office]:
            officer_id, last = officers[_next_after(names, last) % len(officers)]
            row.assigned_officer_id = officer_id
        moved[office] = last or ""
    pending.add_many(
        session, CURSORS, [{"office": o, "last_officer": n} for o, n in moved.items() if o not in cursors]
    )
    old = [{"b_office": o, "v_last": n} for o, n in moved.items() if o in cursors]
    if old:
        stmt = update(CURSORS).where(CURSORS.c.office == bindparam("b_office"))
        pending.add_statement(session, stmt.values(last_officer=bindparam("v_last")), old)


CURSORS = cast(Table, RosterCursorRow.__table__)


def reassign_open_checks(session: Session, *, offices: list[str]) -> int:
    """After offices were dissolved: each of their open checks keeps its officer if that officer is on the
    roster now serving the office (officers who moved with a merged unit), else goes round robin to that
    roster (an empty roster: unassigned, in the queue of every officer in scope). Returns how many moved."""
    q = select(DeclarationRow).where(
        DeclarationRow.office.in_(offices),
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
    )
    moved = []
    for row in session.scalars(q.order_by(DeclarationRow.registered_at, DeclarationRow.number)):
        if row.assigned_officer_id not in {i for i, _ in roster(session, row.office)}:
            row.assigned_officer_id = None
            moved.append(row)
    assign_checkers(session, moved)
    return len(moved)


def queue(
    session: Session, *, principal: Principal, mine: bool = False, escalated: bool = False, limit: int = 200
) -> list[DeclarationRow]:
    """Yellow and red declarations under check in the officer's units, oldest first (`escalated`: those
    past their time limit escalated to the caller)."""
    principal.require_officer()
    q = repository.scoped(select(DeclarationRow), principal.scope).where(
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
    )
    if mine:
        q = q.where(DeclarationRow.assigned_officer_id == principal.id)
    if escalated:
        q = q.where(DeclarationRow.escalated_to == principal.id)
    q = q.order_by(DeclarationRow.registered_at, DeclarationRow.number).limit(limit)
    return list(session.scalars(q).all())


def take_decision(session: Session, *, principal: Principal, number: str, data: DecisionIn) -> DeclarationRow:
    """An officer's decision: checked against the lane's rule (red needs an inspection result, yellow a
    documents decision before clearing), recorded, and written to the history as a past-tense event."""
    principal.require_officer(*[r.value for r in DECIDING_ROLES])
    row = repository.get(session, principal.scope, number, for_update=True)
    try:
        outcome = decide(
            Status(row.status),
            Channel(row.channel) if row.channel else None,
            data.kind,
            bool(data.fraud_found),
            repository.recorded(session, number),
        )
    except LifecycleError as exc:
        raise Conflict(str(exc), field="kind", code=exc.code) from exc
    if row.assigned_officer_id and row.assigned_officer_id != principal.id and principal.role == "officer":
        raise Forbidden(
            "this check is assigned to another officer; a team lead can reassign it",
            field="number",
            code="not_assigned",
        )
    now = clock.now()
    inspection = data.kind is DecisionKind.INSPECTION_RESULT
    session.add(
        DecisionRow(
            id=new_id(),
            number=number,
            officer_id=principal.id,
            unit=principal.unit or "",
            at=now,
            kind=data.kind,
            reason=data.reason,
            fraud_found=data.fraud_found if inspection else None,
            findings={"text": data.findings, "full_inspection": data.full_inspection},
        )
    )
    if data.kind is DecisionKind.DOCUMENTS_ACCEPTED and outcome.status is Status.INSPECTION_INTENDED:
        row.check_deadline = check_deadline(Channel.RED, now, data.full_inspection)
    row.updated_at = now
    _record(session, row, principal=principal, data=data, new=outcome.status)
    if outcome.checks_passed:
        row.checks_passed = True
        from haiquan.declarations.service import _after_checks

        _after_checks(session, row, actor=principal.label)
    return row


def _record(
    session: Session, row: DeclarationRow, *, principal: Principal, data: DecisionIn, new: Status
) -> None:
    """The decision as a history entry and an event, whether or not the status changes."""
    detail: dict[str, Any] = {"decision": data.kind.value, "officer": principal.name}
    if data.kind is DecisionKind.INSPECTION_RESULT:
        detail |= {
            "fraud_found": data.fraud_found,
            "findings": data.findings,
            "full_inspection": data.full_inspection,
        }
    transition(
        session,
        row,
        Status(row.status),
        new,
        actor=principal.label,
        action=DECISION_ACTIONS[data.kind],
        reason=data.reason,
        detail=detail,
    )
