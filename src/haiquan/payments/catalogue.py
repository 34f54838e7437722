"""The payments module's events: references issued, money received and reversed, duties covered, banks
connected and switched, and the revenue ledger's entries and targets. Past tense; producers and consumers
import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class PaymentEvent(StrEnum):
    REFERENCE_ISSUED = "payment.reference_issued"
    RECEIVED = "payment.received"
    REVERSED = "payment.reversed"
    CONFIRMED = "payment.confirmed"
    GUARANTEE_ISSUED = "payment.guarantee_issued"
    BANK_ADDED = "payment.bank_added"
    BANK_ENABLED = "payment.bank_enabled"
    BANK_DISABLED = "payment.bank_disabled"
    BANK_CERTIFICATE_REGISTERED = "payment.bank_certificate_registered"
    BANK_CERTIFICATE_REVOKED = "payment.bank_certificate_revoked"
    REVENUE_POSTED = "revenue.posted"
    REVENUE_TARGET_SET = "revenue.target_set"
    GUARANTEE_RESERVED = "payment.guarantee_reserved"
    GUARANTEE_RELEASED = "payment.guarantee_released"


class ReferenceIssued(TypedDict):
    """A payment reference the payer quotes to the bank: for the duties assessed at registration
    (`amendment_no` 0) or for the difference an AMA added."""

    reference: str
    declaration_number: str
    amendment_no: int
    amount_due: str
    payer_tax_code: str


class Received(TypedDict):
    """A bank confirmed a payment (`id` customs' record of it) for one or more references; `excess` is what
    paid more than was due."""

    id: str
    bank: str
    transaction_id: str
    amount: str
    excess: str
    paid_at: str
    references: list[str]


class Reversed(TypedDict):
    """A bank took a confirmed payment back; what it had paid is owed again."""

    id: str
    bank: str
    transaction_id: str
    amount: str
    reason: str
    references: list[str]


class Covered(TypedDict):
    """The duties due on a declaration are covered, told once: `payment.confirmed` by payments (`amount`
    paid so far), `payment.guarantee_issued` with a bank guarantee (`amount` guaranteed)."""

    declaration_number: str
    amount: str
    reference: str


class BankAdded(TypedDict):
    """An administrator connected a bank (`xml`: it signs its confirmations with a registered certificate)."""

    code: str
    name: str
    tax_code: str
    round_the_clock: bool
    xml: bool


class BankSwitched(TypedDict):
    """A bank was disabled (its confirmations refused from then on) or enabled again."""

    code: str
    tax_code: str
    reason: str


class LedgerLine(TypedDict):
    account: str
    debit: str
    credit: str


class RevenuePosted(TypedDict):
    """A balanced entry in the revenue ledger (`kind`: assessment, amendment, payment, reversal, refund,
    write_off), dated by its Vietnam `day`."""

    entry_id: str
    office: str
    day: str
    kind: str
    declaration_number: str | None
    lines: list[LedgerLine]


class RevenueTargetSet(TypedDict):
    """A unit's revenue target for a year (VND)."""

    unit: str
    year: int
    amount: str


class BankCertificateRegistered(TypedDict):
    """Customs registered the certificate a bank signs its XML confirmations with, valid between the dates."""

    code: str
    tax_code: str
    fingerprint: str
    not_before: str
    not_after: str


class BankCertificateRevoked(TypedDict):
    """A bank's certificate was revoked: its signatures are refused from then on."""

    code: str
    tax_code: str
    reason: str


class GuaranteeReservation(TypedDict):
    """Part of a bank guarantee was reserved for the duty of goods in transit or under a suspended regime
    (`reference` names what), or released when they were discharged (`because`: arrived, cancelled...)."""

    reference: str
    bank: str
    guarantee_no: str
    amount: str
    because: str


PAYLOADS: dict[PaymentEvent, type] = {
    PaymentEvent.REFERENCE_ISSUED: ReferenceIssued,
    PaymentEvent.RECEIVED: Received,
    PaymentEvent.REVERSED: Reversed,
    PaymentEvent.CONFIRMED: Covered,
    PaymentEvent.GUARANTEE_ISSUED: Covered,
    PaymentEvent.BANK_ADDED: BankAdded,
    PaymentEvent.BANK_ENABLED: BankSwitched,
    PaymentEvent.BANK_DISABLED: BankSwitched,
    PaymentEvent.REVENUE_POSTED: RevenuePosted,
    PaymentEvent.REVENUE_TARGET_SET: RevenueTargetSet,
    PaymentEvent.BANK_CERTIFICATE_REGISTERED: BankCertificateRegistered,
    PaymentEvent.BANK_CERTIFICATE_REVOKED: BankCertificateRevoked,
    PaymentEvent.GUARANTEE_RESERVED: GuaranteeReservation,
    PaymentEvent.GUARANTEE_RELEASED: GuaranteeReservation,
}
