"""Administrative penalties and customs fees, booked as debts of the payments module: each charge gets a
12-digit number of its own range (7… penalties, 9… fees; declarations use 1, 3, 5, 6, 8), a due under
that number, a payment reference and an assessment entry in the ledger, so the bank gateway pays it like
duties and the tax account ages it like any debt. Services never commit."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, ids, outbox, sequences
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Forbidden, NotFound, ValidationFailed
from haiquan.payments import service as payments
from haiquan.payments.domain import reference_for
from haiquan.taxes import repository
from haiquan.taxes.catalogue import TaxEvent
from haiquan.taxes.domain import CHARGE_PREFIX as PREFIX
from haiquan.taxes.domain import REGIMES, Regime, due_date
from haiquan.taxes.tables import TaxChargeRow

DECIDERS = ("subdepartment_leader", "department_leader", "administrator")  # Luật XLVPHC 2012 Art. 42
MAX_PENALTY = Decimal(
    2_000_000_000
)  # Nghị định 128/2020/NĐ-CP Art. 4: at most 2,000,000,000 dong (organisations)
FEES_CSV = Path(__file__).parent / "data" / "fees.csv"
EVENTS = {"penalty": TaxEvent.PENALTY_DECIDED, "interest": TaxEvent.LATE_INTEREST_ASSESSED,
          "fee": TaxEvent.FEE_CHARGED}  # fmt: skip


class Fee(NamedTuple):
    code: str
    per: str
    amount: Decimal
    title_vi: str
    title_en: str
    source: str


@cache
def fee_table() -> dict[str, Fee]:
    with FEES_CSV.open(encoding="utf-8") as f:
        return {r["code"]: Fee(r["code"], r["per"], Decimal(r["amount"]), r["title_vi"], r["title_en"],
                               r["source"]) for r in csv.DictReader(f)}  # fmt: skip


def _whole_dong(amount: Decimal) -> Decimal:
    if amount <= 0 or amount != amount.to_integral_value():
        raise ValidationFailed("an amount is a positive whole number of dong", field="amount")
    return amount


def _book(session: Session, *, principal: Principal, kind: str, tax_code: str, enterprise_id: str,
          office: str, declaration_number: str | None, code: str, title: str, legal_basis: str,
          amount: Decimal) -> TaxChargeRow:  # fmt: skip
    number = ids.declaration_number(PREFIX[kind], sequences.next_value(session, f"tax_charge_{kind}"))
    today = clock.today_vn()
    regime = {"penalty": Regime.PENALTY, "interest": Regime.INTEREST}.get(kind, Regime.FEE)
    row = TaxChargeRow(
        number=number, kind=kind, tax_code=tax_code, enterprise_id=enterprise_id, office=office,
        declaration_number=declaration_number, code=code, title=title, legal_basis=legal_basis, amount=amount,
        reference=reference_for(number, 0), incurred=today, due_date=due_date(regime, today),
        decided_by=principal.label, decided_at=clock.now(),
    )  # fmt: skip
    session.add(row)
    due = payments.assessed(session, number=number, office=office, payer=tax_code, total=amount,
                            source=f"{kind}:{number}")  # fmt: skip
    assert due is not None
    due.settled_sent = True  # nothing to tell the declarations module when a charge is paid
    event = EVENTS[kind]
    payload = {"number": number, "kind": kind, "tax_code": tax_code, "office": office,
               "declaration_number": declaration_number, "code": code, "title": title,
               "legal_basis": legal_basis, "amount": str(amount), "reference": row.reference,
               "due_date": row.due_date.isoformat(), "decided_by": principal.label}  # fmt: skip
    outbox.record(session, type=event, unit=office, actor=principal.label, payload=payload)
    audit.append(session, actor=principal.label, action=str(event), target=f"tax_charge:{number}", unit=office,
                 detail={"amount": str(amount), "tax_code": tax_code, "code": code})  # fmt: skip
    return row


def _officer_office(principal: Principal) -> str:
    principal.require_officer()
    if not principal.unit:
        raise Forbidden("a charge is booked at the officer's unit", field="unit")
    return principal.unit


def decide_penalty(
    session: Session,
    *,
    principal: Principal,
    enterprise_id: str,
    declaration_id: str | None,
    violation: str,
    legal_basis: str,
    amount: Decimal,
) -> TaxChargeRow:
    """An officer's penalty decision against an enterprise (optionally about one of its declarations):
    audited, `taxes.penalty_decided`, a debt due 10 days later, payable by its payment reference."""
    principal.require_officer(*DECIDERS)
    office = _officer_office(principal)
    ent = repository.unscoped_enterprise_by_id(session, enterprise_id)
    if not violation.strip():
        raise ValidationFailed("the violation is described", field="violation")
    if not legal_basis.strip():
        raise ValidationFailed("the legal basis is named", field="legal_basis")
    if _whole_dong(amount) > MAX_PENALTY:
        raise ValidationFailed(f"a fine is at most {MAX_PENALTY} dong", field="amount")
    if declaration_id is not None:
        repository.check_declaration(
            session, scope=principal.scope, number=declaration_id, tax_code=ent.tax_code
        )
    return _book(session, principal=principal, kind="penalty", tax_code=ent.tax_code, enterprise_id=ent.id,
                 office=office, declaration_number=declaration_id, code="penalty", title=violation.strip()[:500],
                 legal_basis=legal_basis.strip()[:300], amount=amount)  # fmt: skip


def assess_late_interest(
    session: Session, *, principal: Principal, tax_code: str, enterprise_id: str, declaration_number: str,
    amount: Decimal, since: date, reason: str,
) -> TaxChargeRow:  # fmt: skip
    """Late interest on duty found short-paid after clearance (a post-clearance audit), from the day the
    duty was due (`since`) to today: not a penalty but owed by law (Luật Quản lý thuế 2019 Art. 59), so
    any officer who assesses the duty books it; a debt of its own, payable by its payment reference."""
    office = _officer_office(principal)
    return _book(session, principal=principal, kind="interest", tax_code=tax_code, enterprise_id=enterprise_id,
                 office=office, declaration_number=declaration_number, code="late_interest",
                 title=f"Tiền chậm nộp từ {since.isoformat()}: {reason}"[:500],
                 legal_basis=REGIMES[Regime.INTEREST].source, amount=_whole_dong(amount))  # fmt: skip


def charge_fee(
    session: Session, *, principal: Principal, enterprise_id: str, fee: str, quantity: int = 1,
    declaration_number: str | None = None,
) -> TaxChargeRow:  # fmt: skip
    """A customs fee from the fee table (per declaration, per service), times `quantity`."""
    office = _officer_office(principal)
    found = fee_table().get(fee)
    if found is None:
        raise NotFound(f"no fee {fee!r} in the fee table", field="fee")
    if not 1 <= quantity <= 10_000:
        raise ValidationFailed("quantity between 1 and 10,000", field="quantity")
    ent = repository.unscoped_enterprise_by_id(session, enterprise_id)
    if declaration_number is not None:
        repository.check_declaration(session, scope=principal.scope, number=declaration_number,
                                     tax_code=ent.tax_code)  # fmt: skip
    return _book(session, principal=principal, kind="fee", tax_code=ent.tax_code, enterprise_id=ent.id,
                 office=office, declaration_number=declaration_number, code=found.code,
                 title=f"{found.title_vi} ({found.title_en}) × {quantity}", legal_basis=found.source,
                 amount=found.amount * quantity)  # fmt: skip


def charge_of(session: Session, *, principal: Principal, number: str) -> TaxChargeRow:
    return repository.charge(session, scope=principal.scope, number=number)
