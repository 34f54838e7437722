"""Line ministries, their permits and inspections: the agencies, the status machine of a permit, the
deadlines, the decision's checks. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from haiquan.kit.domain_errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str
    name_en: str
    field: str  # plant_protection | animal_health | food_safety | quality | health | industry_trade
    deadline_hours: float  # working hours from the request to the decision


AGENCIES: dict[str, Agency] = {
    a.code: a
    for a in (
        Agency("PPD", "Cục Bảo vệ thực vật", "Plant Protection Department", "plant_protection", 24),
        Agency("DAH", "Cục Thú y", "Department of Animal Health", "animal_health", 24),
        Agency("VFA", "Cục An toàn thực phẩm", "Vietnam Food Administration", "food_safety", 50),
        Agency(
            "STAMEQ",
            "Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia",
            "National Committee for Standards, Metrology and Quality",
            "quality",
            30,
        ),
        Agency("DAV", "Cục Quản lý Dược", "Drug Administration of Vietnam", "health", 100),
        Agency("MOIT", "Bộ Công Thương", "Ministry of Industry and Trade", "industry_trade", 70),
    )
}


class Requirement(StrEnum):
    PERMIT = "permit"  # a licence issued before clearance
    INSPECTION = "inspection"  # a state inspection (quarantine, food safety, quality) with a result


class Status(StrEnum):
    REQUESTED = "requested"
    UNDER_INSPECTION = "under_inspection"
    APPROVED = "approved"
    CONDITIONAL = "conditional"  # approved with conditions
    REFUSED = "refused"


class Outcome(StrEnum):
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    REFUSED = "refused"


GRANTED = frozenset({Status.APPROVED, Status.CONDITIONAL})
DECIDED = GRANTED | {Status.REFUSED}
OPEN = frozenset({Status.REQUESTED, Status.UNDER_INSPECTION})

# status -> the statuses it may move to; decided permits do not move again
NEXT: dict[Status, frozenset[Status]] = {
    Status.REQUESTED: frozenset({Status.UNDER_INSPECTION, *DECIDED}),
    Status.UNDER_INSPECTION: DECIDED,
    Status.APPROVED: frozenset(),
    Status.CONDITIONAL: frozenset(),
    Status.REFUSED: frozenset(),
}


def move(current: Status, to: Status) -> Status:
    """The next status, or a 409 naming the status."""
    if to not in NEXT[current]:
        raise Conflict(
            f"a permit {current} cannot become {to}", field="status", code="invalid_permit_transition"
        )
    return to


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    reason: str
    conditions: str
    lab_reference: str


def check_decision(requirement: Requirement, current: Status, d: DecisionInput) -> Status:
    """An inspection is decided on its laboratory result (its reference); a conditional approval names its
    conditions; a refusal gives its reason. The status it moves to, or the error naming the field."""
    if requirement is Requirement.INSPECTION and not d.lab_reference.strip():
        raise ValidationFailed(
            "an inspection is decided on its result: give the laboratory reference", field="lab_reference"
        )
    if d.outcome is Outcome.CONDITIONAL and not d.conditions.strip():
        raise ValidationFailed("a conditional approval names its conditions", field="conditions")
    if d.outcome is Outcome.REFUSED and not d.reason.strip():
        raise ValidationFailed("a refusal gives its reason", field="reason")
    return move(current, Status(d.outcome.value))


def hours_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 3600, 2)


def all_granted(statuses: list[Status]) -> bool:
    """A declaration's permits let it clear: every one granted (none at all: nothing to wait for)."""
    return all(s in GRANTED for s in statuses)


@dataclass(frozen=True)
class PermitScope:
    """Which permits a caller sees: an agency's (its code, the offices it serves; None: every office), a
    customs officer's units (None: every unit), or a declarant's own (its enterprise id)."""

    agency: str | None = None
    units: frozenset[str] | None = None
    declarant_id: str | None = None


UNSCOPED = PermitScope()
