"""Use cases of inspection locations: an operator applies (and resubmits or withdraws), an officer of the
supervising unit checks on site, the department's director or a delegate approves or refuses; an approved
location gets its code. Directors delegate and revoke the approval. Each change is a history row, an
event and an audit entry. Services never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from haiquan.inspection import domain
from haiquan.inspection import repository as repo
from haiquan.inspection.catalogue import InspectionEvent
from haiquan.inspection.domain import Command, InspectionLocationKind, InspectionLocationStatus
from haiquan.inspection.schemas import (
    ApprovalDecisionIn,
    DelegationIn,
    LocationApplicationIn,
    LocationCheckIn,
    LocationConditions,
)
from haiquan.inspection.tables import DelegationRow, LocationHistoryRow, LocationRow
from haiquan.kit import audit, clock, outbox, sequences
from haiquan.kit.auth import DECIDING_ROLES, Principal, Scope
from haiquan.kit.db import new_id
from haiquan.kit.errors import Forbidden, ValidationFailed
from haiquan.organization import service as org

CHECK_ROLES = tuple(sorted(DECIDING_ROLES))


def _record(session: Session, loc: LocationRow, step: domain.Move, *, actor: str, previous: str | None,
            command: Command, note: str) -> None:  # fmt: skip
    seq = len(repo.history_of(session, loc.id, scope=Scope(units=None))) + 1 if previous else 1
    session.add(
        LocationHistoryRow(id=new_id(), location_id=loc.id, seq=seq, command=command.value, from_status=previous,
                           to_status=loc.status, actor=actor, note=note, at=clock.now())
    )  # fmt: skip
    payload = {
        "location_id": loc.id, "kind": loc.kind, "unit": loc.unit, "department": loc.department,
        "operator_tax_code": loc.operator_tax_code, "code": loc.code, "from": previous, "to": loc.status,
        "note": note, "approved_as": loc.approved_as if command is Command.APPROVE else None,
    }  # fmt: skip
    outbox.record(session, type=step.event, unit=loc.unit, actor=actor, payload=payload)
    audit.append(session, actor=actor, action=str(step.event), target=f"location:{loc.code or loc.id}",
                 unit=loc.unit, detail={"from": previous, "to": loc.status})  # fmt: skip


def _advance(session: Session, loc: LocationRow, command: Command, *, actor: str, note: str) -> None:
    previous = loc.status
    step = domain.move(InspectionLocationStatus(previous), command)
    loc.status, loc.updated_at = step.to.value, clock.now()
    _record(session, loc, step, actor=actor, previous=previous, command=command, note=note)


def _department(session: Session, unit: str) -> str:
    tree = org.TREES.get(session)
    found = tree.get(unit)
    if found is None or found.level not in ("subdepartment", "team", "department"):
        raise ValidationFailed(f"unknown customs unit {unit!r} (a department or below)", field="unit")
    department = tree.department_of(unit)
    if department is None:
        raise ValidationFailed(f"unit {unit} belongs to no department", field="unit")
    return department


def apply(session: Session, *, principal: Principal, data: LocationApplicationIn) -> LocationRow:
    principal.require_enterprise()
    now = clock.now()
    loc = LocationRow(
        id=new_id(), code=None, kind=data.kind.value, name=data.name.strip(), address=data.address.strip(),
        unit=data.unit, department=_department(session, data.unit), operator_id=principal.id,
        operator_tax_code=principal.tax_code or "", area_m2=data.area_m2, scanners=data.scanners,
        cameras=data.cameras, status=InspectionLocationStatus.SUBMITTED.value, applied_at=now, updated_at=now,
    )  # fmt: skip
    session.add(loc)
    session.flush()  # the location before its history row (no ORM relationship orders them)
    step = domain.move(None, Command.APPLY)
    _record(session, loc, step, actor=principal.label, previous=None, command=Command.APPLY, note="")
    return loc


def resubmit(
    session: Session, *, principal: Principal, location_id: str, data: LocationConditions
) -> LocationRow:
    """The operator corrects its conditions after a return and sends the application again."""
    principal.require_enterprise()
    loc = repo.get_location(session, location_id, scope=principal.scope, for_update=True)
    domain.move(InspectionLocationStatus(loc.status), Command.RESUBMIT)
    loc.area_m2, loc.scanners, loc.cameras = data.area_m2, data.scanners, data.cameras
    loc.address = data.address.strip()
    _advance(session, loc, Command.RESUBMIT, actor=principal.label, note="")
    return loc


def withdraw(session: Session, *, principal: Principal, location_id: str, note: str) -> LocationRow:
    principal.require_enterprise()
    loc = repo.get_location(session, location_id, scope=principal.scope, for_update=True)
    _advance(session, loc, Command.WITHDRAW, actor=principal.label, note=note)
    return loc


def check(session: Session, *, principal: Principal, location_id: str, data: LocationCheckIn) -> LocationRow:
    """An officer of the supervising unit records the on-site check: passed, or returned."""
    principal.require_officer(*CHECK_ROLES)
    loc = repo.get_location(session, location_id, scope=principal.scope, for_update=True)
    if data.passed:
        missing = domain.missing_conditions(area_m2=loc.area_m2, scanners=loc.scanners, cameras=loc.cameras)
        if missing:
            raise domain.WorkflowError(
                f"the conditions are not met ({', '.join(missing)}): return the application",
                field="passed", code="conditions_not_met",
            )  # fmt: skip
    command = Command.PASS_CHECK if data.passed else Command.RETURN
    _advance(session, loc, command, actor=principal.label, note=data.note)
    return loc


def approver_scope(session: Session, principal: Principal) -> Scope:
    """The officer's own units, and the departments whose approval a delegation in force gives them."""
    if principal.scope.units is None:
        return principal.scope
    now = clock.now()
    tree = org.TREES.get(session)
    units = set(principal.scope.units)
    for d in repo.unscoped_delegations_to(session, principal.id):
        if d.valid_from <= now < d.valid_until:
            units |= tree.subtree(d.department)
    return Scope(units=frozenset(units))


def _approval_right(session: Session, principal: Principal, loc: LocationRow) -> str:
    delegations = [
        domain.Delegation(d.delegator_id, d.delegate_id, d.department, d.valid_from, d.valid_until,
                          d.revoked_at is not None)
        for d in repo.unscoped_delegations_to(session, principal.id)
    ]  # fmt: skip
    right = domain.approval_right(
        officer_id=principal.id, role=principal.role, unit=principal.unit, department=loc.department,
        delegations=delegations, at=clock.now(),
    )  # fmt: skip
    if right is None:
        raise Forbidden(
            f"the approval of department {loc.department}'s locations is its director's, or a delegate's",
            field="decision", code="approval_not_held",
        )  # fmt: skip
    return right


def may_approve(session: Session, principal: Principal, loc: LocationRow) -> bool:
    try:
        _approval_right(session, principal, loc)
    except Forbidden:
        return False
    return True


def decide(
    session: Session, *, principal: Principal, location_id: str, data: ApprovalDecisionIn
) -> LocationRow:
    """Approve (the location gets its code) or refuse, as the department's director or a delegate."""
    principal.require_officer()
    loc = repo.get_location(session, location_id, scope=approver_scope(session, principal), for_update=True)
    right = _approval_right(session, principal, loc)
    command = Command.APPROVE if data.decision == "approve" else Command.REFUSE
    domain.move(InspectionLocationStatus(loc.status), command)
    if command is Command.APPROVE:
        kind = InspectionLocationKind(loc.kind)
        seq = sequences.next_value(session, f"inspection_code_{loc.department.lower()}_{kind.value}")
        loc.code = domain.location_code(loc.department, kind, seq)
        loc.approved_at, loc.approved_by, loc.approved_as = clock.now(), principal.label, right
    _advance(session, loc, command, actor=principal.label, note=data.note)
    return loc


def _event(session: Session, kind: InspectionEvent, row: DelegationRow, actor: str, **extra: Any) -> None:
    payload = {"delegation_id": row.id, "department": row.department, "delegator": row.delegator,
               "delegate": row.delegate, **extra}  # fmt: skip
    outbox.record(session, type=kind, unit=row.department, actor=actor, payload=payload)
    audit.append(session, actor=actor, action=str(kind), target=f"delegation:{row.id}", unit=row.department,
                 detail={"delegate": row.delegate, **extra})  # fmt: skip


def delegate(session: Session, *, principal: Principal, data: DelegationIn) -> DelegationRow:
    """A department director lets an officer of the department approve its locations for a period."""
    principal.require_officer("department_leader")
    department = principal.unit or ""
    if not domain.is_director(role=principal.role, unit=principal.unit, department=department) or (
        org.TREES.get(session).department_of(department) != department
    ):
        raise Forbidden("only a department's director delegates its approvals", code="director_only")
    officer = repo.officer_by_username(session, data.delegate, scope=principal.scope)
    if (
        officer is None
        or officer.id == principal.id
        or not principal.scope.covers_unit(officer.unit)
        or not officer.active
    ):
        raise ValidationFailed("the delegate is another active officer of your department", field="delegate")
    domain.check_period(data.valid_from, data.valid_until, clock.now())
    row = DelegationRow(
        id=new_id(), department=department, delegator_id=principal.id, delegator=principal.label,
        delegate_id=officer.id, delegate=f"officer:{officer.username}", valid_from=data.valid_from,
        valid_until=data.valid_until, reason=data.reason, created_at=clock.now(),
    )  # fmt: skip
    session.add(row)
    _event(session, InspectionEvent.APPROVAL_DELEGATED, row, principal.label,
           valid_from=row.valid_from.isoformat(), valid_until=row.valid_until.isoformat())  # fmt: skip
    return row


def revoke(session: Session, *, principal: Principal, delegation_id: str) -> DelegationRow:
    principal.require_officer("department_leader")
    row = repo.get_delegation(session, delegation_id, scope=principal.scope)
    if not domain.is_director(role=principal.role, unit=principal.unit, department=row.department):
        raise Forbidden("only the department's director revokes its delegations", code="director_only")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = clock.now(), principal.label
        _event(session, InspectionEvent.DELEGATION_REVOKED, row, principal.label, revoked_by=principal.label)
    return row
