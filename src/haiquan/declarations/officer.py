"""Officer work: the work queue and decisions (who checks what: assignment.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import repository, worklist
from haiquan.declarations.clearance import after_checks
from haiquan.declarations.domain import (
    PASSES_CHECKS,
    Channel,
    Command,
    DecisionKind,
    Status,
    check_deadline,
    decide,
)
from haiquan.declarations.events import transition
from haiquan.declarations.schemas import DecisionIn
from haiquan.declarations.tables import DecisionRow, DeclarationRow
from haiquan.kit import clock
from haiquan.kit.auth import DECIDING_ROLES, Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Forbidden


def queue(
    session: Session, *, principal: Principal, mine: bool = False, escalated: bool = False, limit: int = 200
) -> list[DeclarationRow]:
    """Yellow and red declarations under check in the officer's units, oldest first (`escalated`: those
    past their time limit escalated to the caller)."""
    principal.require_officer()
    return worklist.queue(
        session, scope=principal.scope, officer_id=principal.id, mine=mine, escalated=escalated, limit=limit
    )


def take_decision(session: Session, *, principal: Principal, number: str, data: DecisionIn) -> DeclarationRow:
    """An officer's decision: checked against the lane's rule (red needs an inspection result, yellow a
    documents decision before clearing), recorded, and written to the history as a past-tense event."""
    principal.require_officer(*[r.value for r in DECIDING_ROLES])
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    command = decide(
        Status(row.status),
        Channel(row.channel) if row.channel else None,
        data.kind,
        bool(data.fraud_found),
        repository.recorded(session, row, scope=principal.scope),
    )
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
    if command is Command.ACCEPT_DOCUMENTS_BEFORE_INSPECTION:
        row.check_deadline = check_deadline(Channel.RED, now, data.full_inspection)
    row.updated_at = now
    _record(session, row, principal=principal, data=data, command=command)
    if command in PASSES_CHECKS:
        row.checks_passed = True
        after_checks(session, row, actor=principal.label)
    return row


def _record(
    session: Session, row: DeclarationRow, *, principal: Principal, data: DecisionIn, command: Command
) -> None:
    """The decision as a history entry and an event, whether or not the status changes."""
    detail: dict[str, Any] = {"decision": data.kind.value, "officer": principal.name}
    if data.kind is DecisionKind.INSPECTION_RESULT:
        detail |= {
            "fraud_found": data.fraud_found,
            "findings": data.findings,
            "full_inspection": data.full_inspection,
        }
    transition(session, row, command, actor=principal.label, reason=data.reason, detail=detail)
