"""Agencies' use cases: a permit referenced by the declarant, an inspection started, a decision taken, a
deadline passed; the members and the requirements table. Keyword-only; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from haiquan.agencies import access, repository, requirements
from haiquan.agencies.catalogue import AgencyEvent
from haiquan.agencies.domain import (
    AGENCIES,
    DecisionInput,
    PermitScope,
    Requirement,
    Status,
    all_granted,
    check_decision,
    hours_between,
    move,
)
from haiquan.agencies.requests import permit_payload
from haiquan.agencies.tables import AgencyMemberRow, PermitHistoryRow, PermitRow, RequirementRow
from haiquan.declarations import clearance
from haiquan.declarations import repository as declarations
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import UNSCOPED, Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.reference import service as reference


def record(
    session: Session, row: PermitRow, previous: str | None, event: AgencyEvent, *, actor: str, **extra: Any
) -> None:
    """A permit's change: its history row, its event (the catalogue's type) and its audit entry."""
    now = clock.now()
    row.updated_at = now
    session.add(
        PermitHistoryRow(
            permit_id=row.id, at=now, actor=actor, status_from=previous, status_to=row.status, detail=extra
        )
    )
    payload = permit_payload(row, previous) | extra
    outbox.record(session, type=event, unit=row.office, actor=actor, payload=payload)
    audit.append(
        session, actor=actor, action=str(event), target=f"permit:{row.id}", unit=row.office,
        detail={"number": row.number, "line_no": row.line_no, "from": previous, "to": row.status},
    )  # fmt: skip


def reference_permit(
    session: Session, *, principal: Principal, permit_id: str, reference_no: str
) -> PermitRow:
    """The declarant names a permit the agency already issued; the agency then confirms it (decides)."""
    scope = access.declarant_scope(principal)
    row = repository.get(session, permit_id, scope=scope, for_update=True)
    if Status(row.status) not in (Status.REQUESTED, Status.UNDER_INSPECTION):
        raise ValidationFailed(
            f"the permit is already {row.status}", field="permit_id", code="permit_decided"
        )
    row.reference_no = reference_no
    record(
        session,
        row,
        row.status,
        AgencyEvent.PERMIT_REFERENCED,
        actor=principal.label,
        reference_no=reference_no,
    )
    return row


def start_inspection(session: Session, *, principal: Principal, permit_id: str, note: str) -> PermitRow:
    scope = access.agency_scope(session, principal)
    row = repository.get(session, permit_id, scope=scope, for_update=True)
    previous = row.status
    row.status = move(Status(row.status), Status.UNDER_INSPECTION)
    record(session, row, previous, AgencyEvent.INSPECTION_STARTED, actor=principal.label, note=note)
    return row


def decide(session: Session, *, principal: Principal, permit_id: str, decision: DecisionInput) -> PermitRow:
    """The agency's decision on a permit in its scope (404 otherwise). The declaration is locked first, so
    that two agencies deciding at once both see each other's result: the last grant clears it."""
    scope = access.agency_scope(session, principal)
    number = repository.get(session, permit_id, scope=scope).number
    declaration = declarations.get(
        session, number, scope=UNSCOPED, for_update=True
    )  # the agency's own permit
    row = repository.get(session, permit_id, scope=scope, for_update=True)
    previous, now = row.status, clock.now()
    row.status = check_decision(Requirement(row.requirement), Status(row.status), decision)
    row.decided_at, row.decided_by = now, principal.label
    row.reason, row.conditions, row.lab_reference = (
        decision.reason,
        decision.conditions,
        decision.lab_reference,
    )
    record(
        session, row, previous, AgencyEvent.PERMIT_DECIDED, actor=principal.label,
        outcome=decision.outcome.value, reason=decision.reason, conditions=decision.conditions,
        lab_reference=decision.lab_reference, hours_taken=hours_between(row.requested_at, now),
    )  # fmt: skip
    session.flush()
    if row.status == Status.REFUSED:
        from haiquan.agencies.cases import open_refusal_case  # enforcement only on a refusal

        row.case_number = open_refusal_case(session, permit=row, declaration=declaration)
    elif all_granted(repository.unscoped_statuses(session, number)):
        declaration.agency_hold = False
        clearance.after_checks(session, declaration, actor=principal.label)
    return row


def flag_overdue(session: Session, *, now: datetime | None = None, actor: str = "system:agencies") -> int:
    """Every undecided permit past its agency's deadline, flagged once: an event each (the alert)."""
    at = now or clock.now()
    rows = repository.unscoped_overdue(session, at)
    for row in rows:
        row.overdue_at = at
        record(
            session, row, row.status, AgencyEvent.PERMIT_OVERDUE, actor=actor,
            hours_late=hours_between(row.deadline, at),
        )  # fmt: skip
    return len(rows)


def set_member(
    session: Session, *, principal_key: str, agency: str, units: list[str], actor: str
) -> AgencyMemberRow:
    """Let an enterprise's system or an officer account speak for an agency, for some offices (* = all)."""
    if agency not in AGENCIES:
        raise ValidationFailed(f"unknown agency; one of {', '.join(AGENCIES)}", field="agency")
    if not units:
        raise ValidationFailed("name the offices served (* for every office)", field="units")
    row = repository.unscoped_member(session, principal_key)
    if row is None:
        row = AgencyMemberRow(principal=principal_key, agency=agency, units=units)
        session.add(row)
    row.agency, row.units = agency, list(units)
    audit.append(
        session, actor=actor, action="agencies.member_set", target=principal_key,
        detail={"agency": agency, "units": list(units)},
    )  # fmt: skip
    return row


def load_requirements(session: Session, *, path: Path | None = None, actor: str) -> int:
    """Replace the requirements table from a file (requirements.RequirementsFileError if it is wrong)."""
    return replace_requirements(session, requirements.read(path or requirements.DATA_FILE), actor=actor)


def apply_requirements(session: Session, document: dict[str, Any], actor: str) -> None:
    """The table as published at the top and flowing down to the nodes (sharing's reference stream):
    `{"csv": "<the file's text>"}`."""
    replace_requirements(session, requirements.parse(str(document.get("csv", ""))), actor=actor)


def replace_requirements(session: Session, rules: list[requirements.Rule], *, actor: str) -> int:
    rows = [
        RequirementRow(
            id=r.id, hs_prefix=r.hs_prefix, agency=r.agency, requirement=r.requirement, kinds=sorted(r.kinds),
            origins=sorted(r.origins), except_origins=sorted(r.except_origins), uses=sorted(r.uses),
            title_vi=r.title_vi, title_en=r.title_en, legal_source=r.legal_source,
        )
        for r in rules
    ]  # fmt: skip
    repository.unscoped_replace_rules(session, rows)
    reference.CACHE.invalidate_after_commit(session)
    payload = {"total": len(rows), "sources": requirements.sources(rules)}
    outbox.record(session, type=AgencyEvent.REQUIREMENTS_LOADED, unit="00", actor=actor, payload=payload)
    audit.append(session, actor=actor, action="agencies.requirements_loaded", target="agency_requirements")
    return len(rows)


def visible_permits(session: Session, *, principal: Principal, numbers: list[str]) -> list[PermitRow]:
    return repository.of_declarations(session, numbers, scope=access.reader_scope(session, principal))


def queue(session: Session, *, principal: Principal, statuses: list[str] | None) -> list[PermitRow]:
    scope: PermitScope = access.reader_scope(session, principal)
    return repository.listing(session, scope=scope, statuses=statuses)
