"""Declarations: statuses, the lifecycle rules and the legal time limits. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit.clock import add_working_hours
from haiquan.kit.domain_errors import Conflict


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
    BLUE = "blue"  # released at once like green, then audited after clearance
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


class LifecycleError(Conflict):
    """A move the lifecycle does not allow: 409 problem+json naming the field (the status, or the decision
    asked for)."""

    def __init__(self, message: str, *, code: str = "invalid_transition", field: str = "status") -> None:
        super().__init__(message, field=field, code=code)


class Command(StrEnum):
    """What is asked of a declaration (imperative). The lifecycle table says, for each status, which
    commands it takes, the status after and the fact recorded."""

    LODGE = "lodge"
    AMEND = "amend"  # IDB/EDB, before registration
    REGISTER = "register"  # IDC/EDC
    ROUTE_TO_INSPECTION = "route_to_inspection"  # red lane, at registration
    AWAIT_PAYMENT = "await_payment"  # the checks passed, the duties are not settled
    CLEAR = "clear"  # the checks passed and the duties are settled
    SETTLE_BY_PAYMENT = "settle_by_payment"
    SETTLE_BY_GUARANTEE = "settle_by_guarantee"
    AMEND_REGISTERED = "amend_registered"  # AMA
    AMEND_AFTER_AUDIT = "amend_after_audit"  # a post-clearance audit's assessment, goods gone or not
    CANCEL = "cancel"
    RECORD_EXIT = "record_exit"  # the goods left the controlled area
    SUBMIT_DOCUMENTS = "submit_documents"  # back to the documents check (yellow)
    SUBMIT_DOCUMENTS_FOR_INSPECTION = "submit_documents_for_inspection"  # back to the inspection (red)
    # an officer's decision: `decide` picks the command from the decision, the lane and what is on record
    REQUEST_DOCUMENTS = "request_documents"
    ACCEPT_DOCUMENTS = "accept_documents"  # yellow: the checks pass
    ACCEPT_DOCUMENTS_BEFORE_INSPECTION = "accept_documents_before_inspection"  # red: the inspection follows
    RECORD_INSPECTION = "record_inspection"  # nothing found: the checks pass
    RECORD_FRAUD = "record_fraud"  # the inspection found fraud: the check goes on
    REJECT = "reject"
    DECIDE_CLEARANCE = "decide_clearance"
    HOLD_FOR_AGENCY = "hold_for_agency"


# The fact each command records (its event type, from the catalogue) and the action the declaration's
# history shows for it (`history[].action` in the API, the payload's `action`, the audit entry: published
# before the events were named as facts, and kept).
FACTS: dict[Command, tuple[DeclarationEvent, str]] = {
    Command.LODGE: (DeclarationEvent.LODGED, "lodge"),
    Command.AMEND: (DeclarationEvent.AMENDED, "amend"),
    Command.REGISTER: (DeclarationEvent.REGISTERED, "register"),
    Command.ROUTE_TO_INSPECTION: (DeclarationEvent.INSPECTION_ORDERED, "inspect"),
    Command.AWAIT_PAYMENT: (DeclarationEvent.HELD_FOR_PAYMENT, "await_payment"),
    Command.CLEAR: (DeclarationEvent.CLEARED, "clear"),
    Command.SETTLE_BY_PAYMENT: (DeclarationEvent.DUTIES_PAID, "duties_payment"),
    Command.SETTLE_BY_GUARANTEE: (DeclarationEvent.DUTIES_GUARANTEED, "duties_guarantee"),
    Command.AMEND_REGISTERED: (DeclarationEvent.AMENDED_AFTER_REGISTRATION, "amend_registered"),
    Command.AMEND_AFTER_AUDIT: (DeclarationEvent.AMENDED_AFTER_REGISTRATION, "amend_after_audit"),
    Command.CANCEL: (DeclarationEvent.CANCELLED, "cancel"),
    Command.RECORD_EXIT: (DeclarationEvent.GOODS_EXITED, "exit"),
    Command.SUBMIT_DOCUMENTS: (DeclarationEvent.DOCUMENTS_SUBMITTED, "documents_submitted"),
    Command.SUBMIT_DOCUMENTS_FOR_INSPECTION: (DeclarationEvent.DOCUMENTS_SUBMITTED, "documents_submitted"),
    Command.REQUEST_DOCUMENTS: (DeclarationEvent.DOCUMENTS_REQUESTED, "documents_requested"),
    Command.ACCEPT_DOCUMENTS: (DeclarationEvent.DOCUMENTS_ACCEPTED, "documents_accepted"),
    Command.ACCEPT_DOCUMENTS_BEFORE_INSPECTION: (DeclarationEvent.DOCUMENTS_ACCEPTED, "documents_accepted"),
    Command.RECORD_INSPECTION: (DeclarationEvent.INSPECTION_RECORDED, "inspection_recorded"),
    Command.RECORD_FRAUD: (DeclarationEvent.INSPECTION_RECORDED, "inspection_recorded"),
    Command.REJECT: (DeclarationEvent.REJECTED, "rejected"),
    Command.DECIDE_CLEARANCE: (DeclarationEvent.CLEARANCE_DECIDED, "clearance_decided"),
    Command.HOLD_FOR_AGENCY: (DeclarationEvent.HELD_FOR_AGENCY, "held_for_agency"),
}
ACTIONS: dict[Command, str] = {command: action for command, (_, action) in FACTS.items()}


@dataclass(frozen=True)
class Move:
    """An allowed move: the status after it, and the fact it records (FACTS): its event type and the action
    the history shows."""

    to: Status
    event: DeclarationEvent
    action: str


S, C = Status, Command  # short names for the table below
STAYS = None  # the command records a fact and leaves the status as it is
LIVE_AFTER_REGISTRATION = frozenset(Status) - FINAL - {S.ACCEPTED}
CANCELLABLE = frozenset(Status) - FINAL - CLEARED_OR_LATER
# a declaration held for another agency comes back through a documents decision, an inspection result or a
# clearance decision; the other decisions are taken only under check
UNDER_DECISION = UNDER_CHECK | {S.HELD_BY_OTHER_AGENCY}
_RULES: list[tuple[Command, frozenset[Status | None], Status | None]] = [
    # command                                 from                                to
    (C.LODGE,                                 frozenset({None}),                  S.ACCEPTED),
    (C.AMEND,                                 frozenset({S.ACCEPTED}),            S.ACCEPTED),
    (C.REGISTER,                              frozenset({S.ACCEPTED}),            S.REGISTERED),
    (C.ROUTE_TO_INSPECTION,                   frozenset({S.REGISTERED}),          S.INSPECTION_INTENDED),
    (C.AWAIT_PAYMENT,                         frozenset({S.REGISTERED}),          S.DUTY_PAYMENT_REFERENCE_ISSUED),
    (C.CLEAR,                                 frozenset({S.REGISTERED, S.DUTY_PAYMENT_REFERENCE_ISSUED}),
                                                                                  S.CLEARED),
    # a payment or a guarantee is a fact the bank or the guarantor reports: recorded whatever the status
    (C.SETTLE_BY_PAYMENT,                     frozenset(Status),                  STAYS),
    (C.SETTLE_BY_GUARANTEE,                   frozenset(Status),                  STAYS),
    (C.AMEND_REGISTERED,                      LIVE_AFTER_REGISTRATION,            STAYS),
    (C.AMEND_AFTER_AUDIT,                     CLEARED_OR_LATER,                   STAYS),
    (C.CANCEL,                                CANCELLABLE,                        S.CANCELLED),
    (C.RECORD_EXIT,                           frozenset({S.CLEARED, S.RELEASED}), S.GOODS_EXITED),
    (C.SUBMIT_DOCUMENTS,                      frozenset({S.DOCUMENTS_REQUESTED}), S.REGISTERED),
    (C.SUBMIT_DOCUMENTS_FOR_INSPECTION,       frozenset({S.DOCUMENTS_REQUESTED}), S.INSPECTION_INTENDED),
    (C.REQUEST_DOCUMENTS,                     UNDER_CHECK,                        S.DOCUMENTS_REQUESTED),
    (C.REJECT,                                UNDER_CHECK,                        S.REJECTED),
    (C.HOLD_FOR_AGENCY,                       UNDER_CHECK,                        S.HELD_BY_OTHER_AGENCY),
    (C.ACCEPT_DOCUMENTS,                      UNDER_DECISION,                     S.REGISTERED),
    (C.ACCEPT_DOCUMENTS_BEFORE_INSPECTION,    UNDER_DECISION,                     S.INSPECTION_INTENDED),
    (C.RECORD_INSPECTION,                     UNDER_DECISION,                     S.REGISTERED),
    (C.RECORD_FRAUD,                          UNDER_DECISION,                     S.INSPECTION_INTENDED),
    (C.DECIDE_CLEARANCE,                      UNDER_DECISION,                     S.REGISTERED),
]  # fmt: skip

# The lifecycle: (status, command) -> the move; a pair not in it is refused. None: not lodged yet.
LIFECYCLE: dict[tuple[Status | None, Command], Move] = {
    (status, command): Move(to if to is not None else status, *FACTS[command])  # type: ignore[arg-type]
    for command, sources, to in _RULES
    for status in sources
}


def allows(status: Status | None, command: Command) -> bool:
    return (status, command) in LIFECYCLE


def move(status: Status | None, command: Command) -> Move:
    """The move `command` makes from `status`, or LifecycleError if the lifecycle does not allow it."""
    found = LIFECYCLE.get((status, command))
    if found is None:
        where = f"in status {status}" if status is not None else "not lodged yet"
        raise LifecycleError(f"the lifecycle does not allow {command} on a declaration {where}")
    return found


def check_amendable(status: Status) -> None:
    """IDB/EDB: a declaration is amended in place only while unregistered."""
    if not allows(status, C.AMEND):
        raise LifecycleError(
            f"a declaration in status {status} cannot be amended in place; after registration use an AMA amendment",
            code="not_amendable",
        )


def check_registrable(status: Status, expires_at: datetime, now: datetime) -> None:
    if not allows(status, C.REGISTER):
        raise LifecycleError(f"only an accepted declaration can be registered (status is {status})")
    if now >= expires_at:
        raise LifecycleError("the declaration was kept 7 days unregistered and has expired", code="expired")


def check_post_registration_amendment(status: Status) -> None:
    if not allows(status, C.AMEND_REGISTERED):
        raise LifecycleError(f"an AMA amendment needs a registered, live declaration (status is {status})")


def check_cancellable(status: Status) -> None:
    if not allows(status, C.CANCEL):
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
class Recorded:
    """What officers have already recorded on a declaration: a documents decision, an inspection result."""

    documents_accepted: bool = False
    inspection_result: bool = False


# Each decision an officer takes, as the commands it can amount to (the lane and the findings choose one).
DECISIONS: dict[DecisionKind, tuple[Command, ...]] = {
    DecisionKind.REQUEST_DOCUMENTS: (C.REQUEST_DOCUMENTS,),
    DecisionKind.DOCUMENTS_ACCEPTED: (C.ACCEPT_DOCUMENTS, C.ACCEPT_DOCUMENTS_BEFORE_INSPECTION),
    DecisionKind.INSPECTION_RESULT: (C.RECORD_INSPECTION, C.RECORD_FRAUD),
    DecisionKind.REJECT: (C.REJECT,),
    DecisionKind.CLEAR: (C.DECIDE_CLEARANCE,),
    DecisionKind.HOLD: (C.HOLD_FOR_AGENCY,),
}
# the decisions after which the checks have passed (the declaration then clears or awaits payment)
PASSES_CHECKS = frozenset({C.ACCEPT_DOCUMENTS, C.RECORD_INSPECTION, C.DECIDE_CLEARANCE})


def check_clearable(channel: Channel | None, recorded: Recorded) -> None:
    """The lanes cannot be skipped: red needs a recorded physical inspection result, yellow a documents
    decision, before an officer may clear."""
    if channel is Channel.RED and not recorded.inspection_result:
        raise LifecycleError(
            "a red declaration is cleared only after its physical inspection result (findings, officer, time) "
            "is recorded: record an inspection_result first",
            code="inspection_result_missing",
            field="kind",
        )
    if channel is Channel.YELLOW and not recorded.documents_accepted:
        raise LifecycleError(
            "a yellow declaration is cleared only after a documents decision: record documents_accepted first",
            code="documents_decision_missing",
            field="kind",
        )


def decide(
    status: Status,
    channel: Channel | None,
    kind: DecisionKind,
    fraud_found: bool = False,
    recorded: Recorded | None = None,
) -> Command:
    """The command an officer's decision amounts to, or LifecycleError. An inspection result that found
    fraud does not pass the checks: the officer then rejects, holds or clears (after the inspection is on
    record)."""
    if not any(allows(status, command) for command in DECISIONS[kind]):
        raise LifecycleError(
            f"no decision {kind} can be taken on a declaration in status {status}", field="kind"
        )
    if channel is None:
        raise LifecycleError("the declaration has no channel yet; there is nothing to decide", field="kind")
    if channel in (Channel.GREEN, Channel.BLUE):
        raise LifecycleError(
            "green and blue declarations are cleared automatically; there is nothing to decide", field="kind"
        )
    if kind is DecisionKind.DOCUMENTS_ACCEPTED:
        return C.ACCEPT_DOCUMENTS_BEFORE_INSPECTION if channel is Channel.RED else C.ACCEPT_DOCUMENTS
    if kind is DecisionKind.INSPECTION_RESULT:
        if channel is not Channel.RED:
            raise LifecycleError("an inspection result is recorded on red declarations only", field="kind")
        return C.RECORD_FRAUD if fraud_found else C.RECORD_INSPECTION
    if kind is DecisionKind.CLEAR:
        check_clearable(channel, recorded or Recorded())
    return DECISIONS[kind][0]


def after_checks(
    *, checks_passed: bool, duties_settled: bool, current: Status, agency_hold: bool = False
) -> Command | None:
    """Cleared once the checks passed, the duties are paid or guaranteed and no other agency's permit or
    inspection is missing (`agency_hold`); else waiting for payment. None: nothing to do (the checks are
    not over, a permit is missing, or the declaration is there already)."""
    if not checks_passed:
        return None
    if duties_settled:
        return None if current is S.CLEARED or agency_hold else C.CLEAR
    return None if current is S.DUTY_PAYMENT_REFERENCE_ISSUED else C.AWAIT_PAYMENT


def keep_until(lodged_at: datetime, days: int = 7) -> datetime:
    return lodged_at + timedelta(days=days)
