"""Inspection locations, approval delegations and scanner results: the rules, in plain Python.

A location (a centralised inspection location, địa điểm kiểm tra tập trung, or an express agent's
warehouse) is applied for by its operator, checked on site by an officer of the supervising unit, and
approved (or refused) by the department's director or an officer the director delegated the approval to.
`WORKFLOW` is the status × command table; `move` consults it. An approved location gets a code
(`location_code`, format in docs/inspection.md). A scanner result names an image by reference with its
SHA-256, never the image itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from haiquan.inspection.catalogue import InspectionEvent
from haiquan.kit.domain_errors import Conflict, ValidationFailed


class InspectionLocationKind(StrEnum):
    CENTRALISED = "centralised"  # địa điểm kiểm tra tập trung
    EXPRESS_WAREHOUSE = "express_warehouse"  # kho hàng của doanh nghiệp chuyển phát nhanh


class InspectionLocationStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    CHECKED = "checked"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Command(StrEnum):
    APPLY = "apply"  # the operator
    RESUBMIT = "resubmit"  # the operator, after a return
    WITHDRAW = "withdraw"  # the operator
    PASS_CHECK = "pass_check"  # noqa: S105  (a command) the checking officer: the conditions hold on site
    RETURN = "return"  # the checking officer: something to correct
    APPROVE = "approve"  # the director or a delegate
    REFUSE = "refuse"  # the director or a delegate


class Actor(StrEnum):
    OPERATOR = "operator"
    CHECKER = "checker"
    APPROVER = "approver"


class WorkflowError(Conflict):
    """A move the workflow does not allow: 409 naming the field."""

    def __init__(self, message: str, *, code: str = "invalid_transition", field: str = "status") -> None:
        super().__init__(message, field=field, code=code)


@dataclass(frozen=True)
class Move:
    to: InspectionLocationStatus
    event: InspectionEvent
    actor: Actor


S, C = InspectionLocationStatus, Command  # short names for the table below
_RULES: list[tuple[Command, frozenset[InspectionLocationStatus | None], InspectionLocationStatus, InspectionEvent, Actor]] = [
    (C.APPLY,      frozenset({None}),                      S.SUBMITTED, InspectionEvent.LOCATION_APPLIED,     Actor.OPERATOR),
    (C.RESUBMIT,   frozenset({S.RETURNED}),                S.SUBMITTED, InspectionEvent.LOCATION_RESUBMITTED, Actor.OPERATOR),
    (C.WITHDRAW,   frozenset({S.SUBMITTED, S.RETURNED}),   S.WITHDRAWN, InspectionEvent.LOCATION_WITHDRAWN,   Actor.OPERATOR),
    (C.PASS_CHECK, frozenset({S.SUBMITTED}),               S.CHECKED,   InspectionEvent.LOCATION_CHECKED,     Actor.CHECKER),
    (C.RETURN,     frozenset({S.SUBMITTED, S.CHECKED}),    S.RETURNED,  InspectionEvent.LOCATION_RETURNED,    Actor.CHECKER),
    (C.APPROVE,    frozenset({S.CHECKED}),                 S.APPROVED,  InspectionEvent.LOCATION_APPROVED,    Actor.APPROVER),
    (C.REFUSE,     frozenset({S.SUBMITTED, S.CHECKED}),    S.REFUSED,   InspectionEvent.LOCATION_REFUSED,     Actor.APPROVER),
]  # fmt: skip

# The workflow: (status, command) -> the move; a pair not in it is refused. None: not applied yet.
WORKFLOW: dict[tuple[InspectionLocationStatus | None, Command], Move] = {
    (status, command): Move(to, event, actor)
    for command, sources, to, event, actor in _RULES
    for status in sources
}
FINAL = frozenset({S.APPROVED, S.REFUSED, S.WITHDRAWN})


def move(status: InspectionLocationStatus | None, command: Command) -> Move:
    found = WORKFLOW.get((status, command))
    if found is None:
        where = f"in status {status}" if status is not None else "not applied for yet"
        raise WorkflowError(f"the workflow does not allow {command} on a location {where}")
    return found


# LocationConditions a location must show before its check can pass: the platform's floor, configurable per
# deployment later; the decree's figures are for the checking officer to verify on site.
MIN_SCANNERS = 1
MIN_CAMERAS = 1
CODE_KIND = {InspectionLocationKind.CENTRALISED: "DDKT", InspectionLocationKind.EXPRESS_WAREHOUSE: "KCPN"}
CODE_PATTERN = re.compile(r"^\d{2}-(DDKT|KCPN)-\d{4}$")


def missing_conditions(*, area_m2: Decimal, scanners: int, cameras: int) -> list[str]:
    """The conditions not met, by field name (empty: the check may pass)."""
    out = []
    if area_m2 <= 0:
        out.append("area_m2")
    if scanners < MIN_SCANNERS:
        out.append("scanners")
    if cameras < MIN_CAMERAS:
        out.append("cameras")
    return out


def location_code(department: str, kind: InspectionLocationKind, seq: int) -> str:
    """`<department>-<DDKT|KCPN>-<4 digits>`, e.g. 01-DDKT-0001: unique per department and kind."""
    if not re.fullmatch(r"\d{2}", department):
        raise ValueError(f"a department code has two digits, not {department!r}")
    if not 0 < seq < 10_000:
        raise ValueError("the department has run out of location codes of this kind")
    return f"{department}-{CODE_KIND[kind]}-{seq:04d}"


@dataclass(frozen=True)
class Delegation:
    """A director's delegation of the approval to an officer, for a period."""

    delegator: str
    delegate: str
    department: str
    valid_from: datetime
    valid_until: datetime
    revoked: bool = False

    def in_force(self, at: datetime) -> bool:
        return not self.revoked and self.valid_from <= at < self.valid_until


MAX_DELEGATION = timedelta(days=366)


def check_period(valid_from: datetime, valid_until: datetime, now: datetime) -> None:
    if valid_until <= valid_from:
        raise ValidationFailed("a delegation ends after it starts", field="valid_until", code="bad_period")
    if valid_until - valid_from > MAX_DELEGATION:
        raise ValidationFailed("a delegation lasts a year at most", field="valid_until", code="bad_period")
    if valid_until <= now:
        raise ValidationFailed(
            "the delegation would have ended already", field="valid_until", code="bad_period"
        )


def is_director(*, role: str | None, unit: str | None, department: str) -> bool:
    return role == "department_leader" and unit == department


def approval_right(
    *,
    officer_id: str,
    role: str | None,
    unit: str | None,
    department: str,
    delegations: Iterable[Delegation],
    at: datetime,
) -> str | None:
    """`director`, `delegate` or None: whether the officer may approve the department's locations now."""
    if is_director(role=role, unit=unit, department=department):
        return "director"
    for d in delegations:
        if d.delegate == officer_id and d.department == department and d.in_force(at):
            return "delegate"
    return None  # fmt: skip
