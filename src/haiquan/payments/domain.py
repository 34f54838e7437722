"""Payments: references, allocation of a bank payment, the double-entry ledger, budget figures and the
daily reconciliation. Pure Python: no database, no web."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from haiquan.kit.ids import is_valid_luhn, luhn_digit

ZERO = Decimal("0")


class Account(StrEnum):
    RECEIVABLE = "receivable"  # duties the traders owe
    REVENUE = "revenue"  # budget revenue assessed
    TREASURY = "treasury"  # money received on the State Treasury account
    REFUNDS_PAYABLE = "refunds_payable"  # owed back to traders (over-payments, amendments downwards)
    WRITTEN_OFF = "written_off"  # debts written off by decision


class EntryKind(StrEnum):
    ASSESSMENT = "assessment"
    AMENDMENT = "amendment"
    PAYMENT = "payment"
    REVERSAL = "reversal"
    REFUND = "refund"
    WRITE_OFF = "write_off"
    REFUND_DUE = "refund_due"  # a refund decided on an application (applications): revenue owed back
    RELIEF = "relief"  # duties exempted or not collected by decision (applications)


class PaymentError(ValueError):
    def __init__(self, message: str, *, field: str, code: str = "invalid_payment") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def reference_for(declaration_number: str, amendment_no: int) -> str:
    """15 digits: the declaration number, the amendment number (00 = the assessment) and a Luhn digit."""
    if not (declaration_number.isdigit() and len(declaration_number) == 12):
        raise ValueError("a declaration number has 12 digits")
    if not 0 <= amendment_no < 100:
        raise ValueError("amendment number out of range")
    body = f"{declaration_number}{amendment_no:02d}"
    return body + luhn_digit(body)


def payer_of(kind: str, importer_tax_code: str | None, declarant_tax_code: str | None) -> str:
    """Who owes a declaration's duties: the importer on an import declaration, else the declarant."""
    if kind == "import" and importer_tax_code:
        return importer_tax_code
    return declarant_tax_code or importer_tax_code or ""


def check_reference(value: str) -> str:
    raw = value.strip()
    if len(raw) != 15 or not is_valid_luhn(raw):
        raise PaymentError(
            f"{value!r} is not a payment reference (15 digits with a check digit)", field="reference"
        )
    return raw


@dataclass(frozen=True)
class Due:
    reference: str
    declaration_number: str
    outstanding: Decimal


@dataclass(frozen=True)
class Share:
    reference: str
    declaration_number: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    shares: tuple[Share, ...]
    excess: Decimal  # over-payment, owed back to the payer (or credited)

    @property
    def allocated(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO)


def allocate(amount: Decimal, dues: Sequence[Due]) -> Allocation:
    """Spread a payment over references in the order the bank listed them; what is left is over-paid."""
    if amount <= 0:
        raise PaymentError("amount must be positive", field="amount")
    if amount != amount.quantize(Decimal("1")):
        raise PaymentError("VND amounts are whole dong", field="amount")
    left = amount
    shares: list[Share] = []
    for due in dues:
        take = min(left, max(due.outstanding, ZERO))
        if take > 0:
            shares.append(Share(due.reference, due.declaration_number, take))
            left -= take
    return Allocation(tuple(shares), left)


@dataclass(frozen=True)
class Posting:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def balanced(postings: Iterable[Posting]) -> bool:
    ps = list(postings)
    return sum((p.debit for p in ps), ZERO) == sum((p.credit for p in ps), ZERO)


def _nonzero(postings: list[Posting]) -> list[Posting]:
    return [p for p in postings if p.debit or p.credit]


def assessment(amount: Decimal) -> list[Posting]:
    return _nonzero([Posting(Account.RECEIVABLE, debit=amount), Posting(Account.REVENUE, credit=amount)])


def amendment(difference: Decimal, outstanding: Decimal) -> list[Posting]:
    """An AMA: more duties raise the receivable; fewer reduce what is still owed, the rest is refundable."""
    if difference >= 0:
        return assessment(difference)
    less = -difference
    reduce = min(less, max(outstanding, ZERO))
    return _nonzero(
        [
            Posting(Account.REVENUE, debit=less),
            Posting(Account.RECEIVABLE, credit=reduce),
            Posting(Account.REFUNDS_PAYABLE, credit=less - reduce),
        ]
    )


def payment(allocated: Decimal, excess: Decimal) -> list[Posting]:
    return _nonzero(
        [
            Posting(Account.TREASURY, debit=allocated + excess),
            Posting(Account.RECEIVABLE, credit=allocated),
            Posting(Account.REFUNDS_PAYABLE, credit=excess),
        ]
    )


def reversal(allocated: Decimal, excess: Decimal) -> list[Posting]:
    return [Posting(p.account, debit=p.credit, credit=p.debit) for p in payment(allocated, excess)]


def refund(amount: Decimal) -> list[Posting]:
    return _nonzero(
        [Posting(Account.REFUNDS_PAYABLE, debit=amount), Posting(Account.TREASURY, credit=amount)]
    )


def refund_due(amount: Decimal) -> list[Posting]:
    """A refund granted by decision (re-export, exemption found later, ...): revenue given back, owed."""
    return _nonzero([Posting(Account.REVENUE, debit=amount), Posting(Account.REFUNDS_PAYABLE, credit=amount)])


def write_off(amount: Decimal) -> list[Posting]:
    return _nonzero([Posting(Account.WRITTEN_OFF, debit=amount), Posting(Account.RECEIVABLE, credit=amount)])


@dataclass(frozen=True)
class RevenueFigures:
    """What a leader reads: collected against the estimate and last year, refunds due shown apart."""

    estimate: Decimal
    collected: Decimal
    refunds_due: Decimal
    same_period_last_year: Decimal

    @property
    def pct_of_estimate(self) -> Decimal | None:
        return _pct(self.collected, self.estimate)

    @property
    def pct_after_refunds(self) -> Decimal | None:
        return _pct(self.collected - self.refunds_due, self.estimate)

    @property
    def pct_of_last_year(self) -> Decimal | None:
        return _pct(self.collected, self.same_period_last_year)


def _pct(a: Decimal, b: Decimal) -> Decimal | None:
    if b <= 0:
        return None
    return (a * 100 / b).quantize(Decimal("0.1"))


# --- reconciliation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    transaction_id: str
    amount: Decimal
    reference: str
    paid_at: datetime | None = None


@dataclass(frozen=True)
class Difference:
    kind: (
        str  # missing_in_customs | missing_in_bank | amount_differs | reference_differs | reversed_in_customs
    )
    transaction_id: str
    bank_amount: Decimal | None
    customs_amount: Decimal | None
    detail: str = ""


@dataclass(frozen=True)
class Recorded:
    transaction_id: str
    amount: Decimal
    reference: str
    reversed: bool


def reconcile(statement: Sequence[StatementLine], recorded: Sequence[Recorded]) -> list[Difference]:
    """Every difference between a bank's statement for a day and the confirmations customs recorded."""
    ours = {r.transaction_id: r for r in recorded}
    theirs = {s.transaction_id: s for s in statement}
    out: list[Difference] = []
    for tid, s in sorted(theirs.items()):
        r = ours.get(tid)
        if r is None:
            out.append(Difference("missing_in_customs", tid, s.amount, None, "never confirmed to customs"))
        elif r.reversed:
            out.append(Difference("reversed_in_customs", tid, s.amount, r.amount, "reversed in customs"))
        elif r.amount != s.amount:
            out.append(Difference("amount_differs", tid, s.amount, r.amount))
        elif s.reference and r.reference != s.reference:
            out.append(
                Difference("reference_differs", tid, s.amount, r.amount, f"{s.reference} ≠ {r.reference}")
            )
    for tid, r in sorted(ours.items()):
        if tid not in theirs and not r.reversed:
            out.append(
                Difference("missing_in_bank", tid, None, r.amount, "confirmed but not on the statement")
            )
    return out


def year_window(day: date) -> tuple[date, date]:
    """From 1 January to the given day, and the same window a year earlier is the caller's business."""
    return date(day.year, 1, 1), day
