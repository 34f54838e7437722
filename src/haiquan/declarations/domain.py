"""Declarations: statuses, the lifecycle rules and the legal time limits. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from haiquan.kit.clock import add_working_hours


class Status(StrEnum):
    """After the UK CDS notification codes, as BRIEF §4 lists them."""

    ACCEPTED = "accepted"
    REGISTERED = "registered"
    REJECTED = "rejected"
    DOCUMENTS_REQUESTED = "documents_requested"
    INSPECTION_INTENDED = "inspection_intended"
    DUTY_PAYMENT_REFERENCE_ISSUED = "duty_payment_reference_issued"
    CLEARED = "cleared"
    RELEASED = "released"
    CANCELLED = "cancelled"
    GOODS_EXITED = "goods_exited"
    HELD_BY_OTHER_AGENCY = "held_by_other_agency"
    EXPIRED = "expired"


class Channel(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Kind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


class Category(StrEnum):
    COMMERCIAL = "commercial"
    LOW_VALUE = "low_value"


class DecisionKind(StrEnum):
    DOCUMENTS_ACCEPTED = "documents_accepted"
    INSPECTION_RESULT = "inspection_result"
    REQUEST_DOCUMENTS = "request_documents"
    REJECT = "reject"
    CLEAR = "clear"
    HOLD = "hold_for_agency"


FINAL = frozenset({Status.REJECTED, Status.CANCELLED, Status.EXPIRED, Status.GOODS_EXITED})
UNDER_CHECK = frozenset({Status.REGISTERED, Status.DOCUMENTS_REQUESTED, Status.INSPECTION_INTENDED})
CLEARED_OR_LATER = frozenset({Status.CLEARED, Status.RELEASED, Status.GOODS_EXITED})

# VNACCS codes of the lodging step per kind and category (IDA/EDA, MIC/MEC)
LODGE_CODES = {
    (Kind.IMPORT, Category.COMMERCIAL): "IDA",
    (Kind.EXPORT, Category.COMMERCIAL): "EDA",
    (Kind.IMPORT, Category.LOW_VALUE): "MIC",
    (Kind.EXPORT, Category.LOW_VALUE): "MEC",
}
NUMBER_PREFIX = {
    (Kind.IMPORT, Category.COMMERCIAL): "1",
    (Kind.EXPORT, Category.COMMERCIAL): "3",
    (Kind.IMPORT, Category.LOW_VALUE): "5",
    (Kind.EXPORT, Category.LOW_VALUE): "6",
}

LOW_VALUE_LIMIT_VND = Decimal("5000000")
DOCUMENT_CHECK_HOURS = 2.0
PARTIAL_INSPECTION_HOURS = 8.0
FULL_INSPECTION_HOURS = 20.0  # 2 working days of 10 hours


class LifecycleError(Exception):
    def __init__(self, message: str, *, code: str = "invalid_transition") -> None:
        super().__init__(message)
        self.code = code


def check_amendable(status: Status) -> None:
    """IDB/EDB: a declaration is amended in place only while unregistered."""
    if status is not Status.ACCEPTED:
        raise LifecycleError(
            f"a declaration in status {status} cannot be amended in place; after registration use an AMA amendment",
            code="not_amendable",
        )


def check_registrable(status: Status, expires_at: datetime, now: datetime) -> None:
    if status is not Status.ACCEPTED:
        raise LifecycleError(f"only an accepted declaration can be registered (status is {status})")
    if now >= expires_at:
        raise LifecycleError("the declaration was kept 7 days unregistered and has expired", code="expired")


def check_post_registration_amendment(status: Status) -> None:
    if status in FINAL or status is Status.ACCEPTED:
        raise LifecycleError(f"an AMA amendment needs a registered, live declaration (status is {status})")


def check_cancellable(status: Status) -> None:
    if status in FINAL or status in CLEARED_OR_LATER:
        raise LifecycleError(f"a declaration in status {status} cannot be cancelled", code="not_cancellable")


def check_deadline(
    channel: Channel, registered_at: datetime, full_inspection: bool = False
) -> datetime | None:
    """The legal time limit of the check: documents 2 working hours; inspection 8 (partial) or 2 working days."""
    if channel is Channel.YELLOW:
        return add_working_hours(registered_at, DOCUMENT_CHECK_HOURS)
    if channel is Channel.RED:
        hours = FULL_INSPECTION_HOURS if full_inspection else PARTIAL_INSPECTION_HOURS
        return add_working_hours(registered_at, hours)
    return None


@dataclass(frozen=True)
class Outcome:
    """What an officer's decision does to a declaration under check."""

    status: Status
    checks_passed: bool


@dataclass(frozen=True)
class Recorded:
    """What officers have already recorded on a declaration: a documents decision, an inspection result."""

    documents_accepted: bool = False
    inspection_result: bool = False


# a declaration held for another agency comes back with one of these decisions
AFTER_HOLD = frozenset({DecisionKind.CLEAR, DecisionKind.DOCUMENTS_ACCEPTED, DecisionKind.INSPECTION_RESULT})


def check_clearable(channel: Channel | None, recorded: Recorded) -> None:
    """The lanes cannot be skipped: red needs a recorded physical inspection result, yellow a documents
    decision, before an officer may clear."""
    if channel is Channel.RED and not recorded.inspection_result:
        raise LifecycleError(
            "a red declaration is cleared only after its physical inspection result (findings, officer, time) "
            "is recorded: record an inspection_result first",
            code="inspection_result_missing",
        )
    if channel is Channel.YELLOW and not recorded.documents_accepted:
        raise LifecycleError(
            "a yellow declaration is cleared only after a documents decision: record documents_accepted first",
            code="documents_decision_missing",
        )


def decide(
    status: Status,
    channel: Channel | None,
    kind: DecisionKind,
    fraud_found: bool = False,
    recorded: Recorded | None = None,
) -> Outcome:
    """The outcome of an officer's decision, or LifecycleError. An inspection result that found fraud does
    not pass the checks: the officer then rejects, holds or clears (after the inspection is on record)."""
    if status not in UNDER_CHECK and not (status is Status.HELD_BY_OTHER_AGENCY and kind in AFTER_HOLD):
        raise LifecycleError(f"no decision {kind} can be taken on a declaration in status {status}")
    if channel is None:
        raise LifecycleError("the declaration has no channel yet; there is nothing to decide")
    if channel is Channel.GREEN:
        raise LifecycleError("green declarations are cleared automatically; there is nothing to decide")
    if kind is DecisionKind.REJECT:
        return Outcome(Status.REJECTED, False)
    if kind is DecisionKind.REQUEST_DOCUMENTS:
        return Outcome(Status.DOCUMENTS_REQUESTED, False)
    if kind is DecisionKind.HOLD:
        return Outcome(Status.HELD_BY_OTHER_AGENCY, False)
    if kind is DecisionKind.DOCUMENTS_ACCEPTED:
        if channel is Channel.RED:
            return Outcome(Status.INSPECTION_INTENDED, False)
        return Outcome(Status.REGISTERED, True)
    if kind is DecisionKind.INSPECTION_RESULT:
        if channel is not Channel.RED:
            raise LifecycleError("an inspection result is recorded on red declarations only")
        if fraud_found:
            return Outcome(Status.INSPECTION_INTENDED, False)
        return Outcome(Status.REGISTERED, True)
    check_clearable(channel, recorded or Recorded())
    return Outcome(Status.REGISTERED, True)


def status_after_checks(*, checks_passed: bool, duties_settled: bool, current: Status) -> Status:
    """Cleared once the checks passed and the duties are paid or guaranteed; else waiting for payment."""
    if not checks_passed:
        return current
    return Status.CLEARED if duties_settled else Status.DUTY_PAYMENT_REFERENCE_ISSUED


def keep_until(lodged_at: datetime, days: int = 7) -> datetime:
    return lodged_at + timedelta(days=days)
