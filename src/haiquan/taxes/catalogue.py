"""The taxes module's events: penalty decisions, late interest assessed, customs fees charged, and the nightly recompute of the
tax positions. Past tense; producers and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class TaxEvent(StrEnum):
    PENALTY_DECIDED = "taxes.penalty_decided"
    FEE_CHARGED = "taxes.fee_charged"
    LATE_INTEREST_ASSESSED = "taxes.late_interest_assessed"
    POSITIONS_RECOMPUTED = "taxes.positions_recomputed"


class ChargeBooked(TypedDict):
    """A penalty decided by an officer, late interest assessed on duty found short-paid (post-clearance
    audit), or a customs fee charged: booked as a debt of the enterprise with its own payment reference
    (paid through the bank gateway), due on `due_date`."""

    number: str
    kind: str
    tax_code: str
    office: str
    declaration_number: str | None
    code: str
    title: str
    legal_basis: str
    amount: str
    reference: str
    due_date: str
    decided_by: str


class PositionsRecomputed(TypedDict):
    """Every enterprise's tax position recomputed from the ledger for `day` (aging, interest, stage)."""

    day: str
    enterprises: int
    overdue: int
    blocked: int


PAYLOADS: dict[TaxEvent, type] = {
    TaxEvent.PENALTY_DECIDED: ChargeBooked,
    TaxEvent.FEE_CHARGED: ChargeBooked,
    TaxEvent.LATE_INTEREST_ASSESSED: ChargeBooked,
    TaxEvent.POSITIONS_RECOMPUTED: PositionsRecomputed,
}
