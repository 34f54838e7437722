"""Applications traders file online and customs decides within a legal deadline: refunds, exemptions and
"không thu" (no collection), advance rulings (classification, origin, value) and extensions of a payment
deadline. One state machine for every kind, the deadlines as data with their legal source, the decision's
checks. Pure Python: no database, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from haiquan.kit import clock
from haiquan.kit.domain_errors import Conflict, ValidationFailed


class Kind(StrEnum):
    REFUND = "refund"  # hoàn thuế
    EXEMPTION = "exemption"  # miễn thuế
    NO_COLLECTION = "no_collection"  # không thu thuế
    RULING_CLASSIFICATION = "ruling_classification"  # xác định trước mã số
    RULING_ORIGIN = "ruling_origin"  # xác định trước xuất xứ
    RULING_VALUE = "ruling_value"  # xác định trước trị giá
    EXTENSION = "extension"  # gia hạn nộp thuế


RULINGS = frozenset({Kind.RULING_CLASSIFICATION, Kind.RULING_ORIGIN, Kind.RULING_VALUE})
WITH_AMOUNT = frozenset({Kind.REFUND, Kind.EXEMPTION, Kind.NO_COLLECTION, Kind.EXTENSION})


class RefundMode(StrEnum):
    PRE_REFUND_CHECK = "refund_then_check"  # hoàn trước, kiểm tra sau
    CHECK_BEFORE_REFUND = "check_then_refund"  # kiểm tra trước, hoàn sau


class Status(StrEnum):
    FILED = "filed"
    UNDER_REVIEW = "under_review"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Command(StrEnum):
    REVIEW = "review"  # an officer takes it up
    REQUEST_INFO = "request_info"  # the officer asks the trader for more
    PROVIDE_INFO = "provide_info"  # the trader answers: the dossier is complete again
    APPROVE = "approve"
    APPROVE_PART = "approve_part"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"  # the trader's


class Outcome(StrEnum):
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REFUSED = "refused"


OPEN = frozenset({Status.FILED, Status.UNDER_REVIEW, Status.INFO_REQUESTED})
DECIDED = frozenset({Status.APPROVED, Status.PARTLY_APPROVED, Status.REFUSED})
GRANTED = frozenset({Status.APPROVED, Status.PARTLY_APPROVED})
OFFICER_COMMANDS = frozenset(
    {Command.REVIEW, Command.REQUEST_INFO, Command.APPROVE, Command.APPROVE_PART, Command.REFUSE}
)
TRADER_COMMANDS = frozenset({Command.PROVIDE_INFO, Command.WITHDRAW})

_DECIDE = {Command.APPROVE: Status.APPROVED, Command.APPROVE_PART: Status.PARTLY_APPROVED}
_DECIDE[Command.REFUSE] = Status.REFUSED
# (status, command) -> the status it leads to; what is missing is refused (409)
TABLE: dict[tuple[Status, Command], Status] = {
    (Status.FILED, Command.REVIEW): Status.UNDER_REVIEW,
    (Status.FILED, Command.WITHDRAW): Status.WITHDRAWN,
    (Status.UNDER_REVIEW, Command.REQUEST_INFO): Status.INFO_REQUESTED,
    (Status.UNDER_REVIEW, Command.WITHDRAW): Status.WITHDRAWN,
    (Status.INFO_REQUESTED, Command.PROVIDE_INFO): Status.UNDER_REVIEW,
    (Status.INFO_REQUESTED, Command.WITHDRAW): Status.WITHDRAWN,
    **{(s, c): to for s in (Status.FILED, Status.UNDER_REVIEW) for c, to in _DECIDE.items()},
}


def transition(current: Status, command: Command) -> Status:
    """The status a command leads to, or a 409 naming the status."""
    to = TABLE.get((current, command))
    if to is None:
        raise Conflict(
            f"an application {current} cannot {command.replace('_', ' ')}",
            field="status",
            code="invalid_application_transition",
        )
    return to


def command_of(outcome: Outcome) -> Command:
    return {
        Outcome.APPROVED: Command.APPROVE,
        Outcome.PARTLY_APPROVED: Command.APPROVE_PART,
        Outcome.REFUSED: Command.REFUSE,
    }[outcome]


class Unit(StrEnum):
    DAYS = "days"  # calendar days
    WORKING_DAYS = "working_days"  # Mon–Fri, public holidays excepted (reference/holidays.py)


@dataclass(frozen=True)
class Deadline:
    amount: int
    unit: Unit
    source: str


# The legal time limits from a complete dossier (the clock restarts when the trader answers a request for
# information). Data, not code: docs/applications.md lists them; change them here with their source.
DEADLINES: dict[tuple[Kind, RefundMode | None], Deadline] = {
    (Kind.REFUND, RefundMode.PRE_REFUND_CHECK): Deadline(
        6, Unit.WORKING_DAYS, "Luật Quản lý thuế 38/2019/QH14, Điều 75 khoản 1 (hoàn trước, kiểm tra sau)"
    ),
    (Kind.REFUND, RefundMode.CHECK_BEFORE_REFUND): Deadline(
        40, Unit.DAYS, "Luật Quản lý thuế 38/2019/QH14, Điều 75 khoản 2 (kiểm tra trước, hoàn sau)"
    ),
    (Kind.EXEMPTION, None): Deadline(
        40,
        Unit.DAYS,
        "Nghị định 134/2016/NĐ-CP (sửa đổi 18/2021/NĐ-CP), Điều 31: như kiểm tra trước hoàn sau",
    ),
    (Kind.NO_COLLECTION, None): Deadline(
        40,
        Unit.DAYS,
        "Nghị định 134/2016/NĐ-CP (sửa đổi 18/2021/NĐ-CP), Điều 37: như kiểm tra trước hoàn sau",
    ),
    (Kind.RULING_CLASSIFICATION, None): Deadline(
        30, Unit.DAYS, "Luật Hải quan 54/2014/QH13, Điều 28; Nghị định 08/2015/NĐ-CP, Điều 24"
    ),
    (Kind.RULING_ORIGIN, None): Deadline(
        30, Unit.DAYS, "Luật Hải quan 54/2014/QH13, Điều 28; Nghị định 31/2018/NĐ-CP, Điều 28"
    ),
    (Kind.RULING_VALUE, None): Deadline(
        30, Unit.DAYS, "Luật Hải quan 54/2014/QH13, Điều 28; Nghị định 08/2015/NĐ-CP, Điều 24"
    ),
    (Kind.EXTENSION, None): Deadline(
        10, Unit.WORKING_DAYS, "Luật Quản lý thuế 38/2019/QH14, Điều 64–65 (gia hạn nộp thuế)"
    ),
}
WORKING_DAY_HOURS = clock.WORK_END_HOUR - clock.WORK_START_HOUR
RULING_YEARS = 3  # a ruling holds at most three years (Luật Hải quan 2014, Điều 28 khoản 4)


def deadline_rule(kind: Kind, mode: RefundMode | None) -> Deadline:
    return DEADLINES[(kind, mode if kind is Kind.REFUND else None)]


def deadline_from(start: datetime, rule: Deadline, holidays: frozenset[date] | None = None) -> datetime:
    """When the decision is due: calendar days added as they are, working days as the legal clock counts
    them (the end of the n-th working day after the start; holidays skipped)."""
    if rule.unit is Unit.DAYS:
        return start + timedelta(days=rule.amount)
    return clock.add_working_hours(start, rule.amount * WORKING_DAY_HOURS, holidays)


def on_time(decided_at: datetime, deadline: datetime) -> bool:
    return decided_at <= deadline


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: str
    amount: Decimal | None = None  # refunds, exemptions, extensions: the amount granted
    hs_code: str = ""  # a classification ruling: the code customs decided
    valid_to: date | None = None  # a ruling: until when (at most RULING_YEARS)
    new_due_date: date | None = None  # an extension: the new due date


def check_decision(kind: Kind, requested: Decimal | None, d: Decision, today: date) -> None:
    """An officer's decision is reasoned and consistent with what was asked: the error names the field."""
    if len(d.reasons.strip()) < 5:
        raise ValidationFailed("a decision states its reasons", field="reasons")
    if d.outcome is Outcome.REFUSED:
        return
    if d.outcome is Outcome.PARTLY_APPROVED and kind not in WITH_AMOUNT:
        raise ValidationFailed("a ruling is approved or refused, never in part", field="outcome")
    if kind in WITH_AMOUNT:
        _check_amount(requested, d)
    if kind is Kind.RULING_CLASSIFICATION and not (len(d.hs_code) == 8 and d.hs_code.isdigit()):
        raise ValidationFailed("a classification ruling names the 8-digit code decided", field="hs_code")
    if (
        kind in RULINGS
        and d.valid_to is not None
        and not today < d.valid_to <= years_after(today, RULING_YEARS)
    ):
        raise ValidationFailed(f"a ruling holds at most {RULING_YEARS} years", field="valid_to")
    if kind is Kind.EXTENSION and (d.new_due_date is None or d.new_due_date <= today):
        raise ValidationFailed("an extension names the new due date, after today", field="new_due_date")


def _check_amount(requested: Decimal | None, d: Decision) -> None:
    amount = d.amount if d.amount is not None else requested
    if amount is None or amount <= 0 or amount != amount.to_integral_value():
        raise ValidationFailed("the amount granted is a positive number of whole dong", field="amount")
    if requested is not None and amount > requested:
        raise ValidationFailed(f"more than the {requested} asked for", field="amount")
    if d.outcome is Outcome.PARTLY_APPROVED and requested is not None and amount >= requested:
        raise ValidationFailed("a partial approval grants less than was asked", field="amount")


def years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def ruling_valid_to(decided: date, asked: date | None) -> date:
    return asked or years_after(decided, RULING_YEARS) - timedelta(days=1)


@dataclass(frozen=True)
class AppScope:
    """Which applications a caller sees: an enterprise its own (its id); officers the applications
    addressed to their units (None: every unit)."""

    units: frozenset[str] | None = None
    enterprise_id: str | None = None


UNSCOPED = AppScope()


# what each kind must name when filed (the 422 names the first missing field)
REQUIRED: dict[Kind, tuple[str, ...]] = {
    Kind.REFUND: ("declaration_number", "amount"),
    Kind.EXEMPTION: ("declaration_number", "amount"),
    Kind.NO_COLLECTION: ("declaration_number", "amount"),
    Kind.EXTENSION: ("declaration_number", "amount", "requested_due_date"),
    Kind.RULING_CLASSIFICATION: ("goods_code", "goods_description"),
    Kind.RULING_ORIGIN: ("goods_code", "goods_description", "origin_country"),
    Kind.RULING_VALUE: ("goods_code", "goods_description", "details"),
}


def missing_field(kind: Kind, given: dict[str, object]) -> str | None:
    return next((f for f in REQUIRED[kind] if given.get(f) in (None, "")), None)
