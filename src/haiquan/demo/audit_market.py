"""The labelled trade the audit story's retraining learns from (issue #21): wall air conditioners imported
at Nội Bài by the demo's declarants and by a peer of the audited trader that undervalues Japanese units.
Every declaration goes through the services the API uses: lodged, registered by the risk engine (which
picks the lane and records its score, the champion's), checked by its assigned officer (a red one is
inspected: the peer's undervaluation is found there; a yellow one's documents are accepted), and paid at
Vietcombank. The label consumer turns each check into a label in risk_labels."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations import officer as officer_service
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.domain import DecisionKind, Status
from haiquan.declarations.schemas import DecisionIn, DeclarationIn
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.organization import service as org
from haiquan.organization.tables import OfficerRow
from haiquan.risk.channel import ChannelEngine

OFFICE, HS = (
    "01B3",
    "84151010",
)  # Nội Bài's import team: its own window of scores (the demo's traffic is at 01AB)
BANK = "0100112437"  # Vietcombank
PEER = ("0107002507", "Công ty TNHH Thiết bị Ánh Dương (demo)")
# the market's honest importers: the demo's own declarants are left out, so that its compliance classes
# (which this trade's labels recompute) stay as the rest of the demo made them
IMPORTERS = [("0103991017", "Công ty CP Điện máy Sông Hồng (demo)"),
             ("0103991024", "Công ty TNHH Nhiệt lạnh Bách Khoa (demo)"), PEER]  # fmt: skip
SUPPLIERS = [
    ("JP", "Daikin Industries Ltd"),
    ("TH", "Siam Compressor Co."),
    ("CN", "Gree Electric Appliances"),
]
UNIT_PRICE, CHEAP = 400, 60  # USD a unit: the market price; the peer's declared price of Japanese units


def body(importer: str, origin: str, supplier: str, units: int, price: int, ref: str) -> DeclarationIn:
    value = units * price
    return DeclarationIn.model_validate({
        "kind": "import", "office": OFFICE, "importer": {"tax_code": importer},
        "exporter": {"name": supplier, "country": origin}, "transport_mode": "air",
        "transport_document": ref, "package_count": units, "gross_mass_kg": str(units * 35),
        "invoice": {"currency": "USD", "amount": str(value), "incoterm": "CIF"},
        "lines": [{"hs_code": HS, "description": "Máy điều hòa không khí gắn tường / wall air conditioners",
                   "origin_country": origin, "quantity": str(units), "quantity_unit": "PCE",
                   "net_mass_kg": str(units * 30), "value": str(value)}],
    })  # fmt: skip


def check(s: Session, number: str, *, fraud: bool) -> None:
    """The assigned officer's check: a red declaration inspected (the undervaluation found when there is
    one), a yellow one's documents accepted; a green one has no check."""
    row = s.get(DeclarationRow, number)
    if row is None or row.status not in (Status.REGISTERED, Status.INSPECTION_INTENDED):
        return
    assignee = s.get(OfficerRow, row.assigned_officer_id) if row.assigned_officer_id else None
    if assignee is None:
        return
    who = org.officer_principal(s, assignee)
    if row.channel == "red":
        findings = "Trị giá khai báo thấp hơn giá thực thanh toán" if fraud else "Hàng hoá phù hợp khai báo"
        data = DecisionIn(kind=DecisionKind.INSPECTION_RESULT, reason="Kiểm tra thực tế hàng hoá",
                          fraud_found=fraud, findings=findings)  # fmt: skip
    else:
        data = DecisionIn(kind=DecisionKind.DOCUMENTS_ACCEPTED, reason="Hồ sơ phù hợp")
    done = officer_service.take_decision(s, principal=who, number=number, data=data)
    if done.status == Status.INSPECTION_INTENDED:  # fraud found: cleared once the duty is reassessed
        data = DecisionIn(kind=DecisionKind.CLEAR, reason="Đã xử lý vi phạm, truy thu thuế")
        officer_service.take_decision(s, principal=who, number=number, data=data)


def pay_open(s: Session, *, payer: str | None = None, number: str | None = None, txn: str) -> list[str]:
    """Vietcombank confirms, now, the open payment references of a declaration or of a payer."""
    from haiquan.payments.confirmations import confirm
    from haiquan.payments.schemas import PaymentIn
    from haiquan.payments.tables import PaymentReferenceRow

    bank = org.enterprise_principal(org.enterprise_by_tax_code(s, BANK))
    q = select(PaymentReferenceRow).where(PaymentReferenceRow.status == "open")
    q = q.where(PaymentReferenceRow.declaration_number == number) if number else q
    q = q.where(PaymentReferenceRow.payer_tax_code == payer) if payer else q
    paid = []
    for ref in s.scalars(q.order_by(PaymentReferenceRow.reference)).all():
        data = PaymentIn(bank="VCB", transaction_id=f"{txn}-{ref.reference}", references=[ref.reference],
                         amount=ref.amount_due - ref.amount_paid, payer_tax_code=ref.payer_tax_code,
                         paid_at=clock.now())  # fmt: skip
        confirm(s, principal=bank, data=data)
        paid.append(ref.reference)
    return paid


def trade(
    db: Database, dispatcher: Dispatcher, engine: ChannelEngine, *, start: datetime, days: int, count: int,
    rng: random.Random, tag: str,
) -> dict[str, int]:  # fmt: skip
    """`count` declarations over `days` from `start`: registered, paid an hour later (before the check, so
    that no debt is overdue when the label recomputes the trader's class), checked an hour after that."""
    counts = {"declarations": 0, "red": 0, "yellow": 0, "green": 0, "frauds_found": 0}
    for first in range(0, count, 10):
        made = [_one(db, engine, rng, i, start + timedelta(minutes=int(i * days * 24 * 60 / count)), tag, counts)
                for i in range(first, min(count, first + 10))]  # fmt: skip
        dispatcher.run_once()  # payment references
        for number, at, _ in made:
            clock.freeze(at + timedelta(hours=1))
            with db.unit_of_work() as uow:
                pay_open(uow.session, number=number, txn=f"FT-{tag}")
                uow.commit()
        dispatcher.run_once()  # the confirmations (a green declaration is cleared)
        for number, at, cheap in made:
            clock.freeze(at + timedelta(hours=2))
            with db.unit_of_work() as uow:
                check(uow.session, number, fraud=cheap)
                uow.commit()
        dispatcher.run_once()  # labels; the checked declarations cleared
    return counts


def _one(
    db: Database, engine: ChannelEngine, rng: random.Random, i: int, at: datetime, tag: str, counts: dict[str, int]
) -> tuple[str, datetime, bool]:  # fmt: skip
    importer = IMPORTERS[i % len(IMPORTERS)][0]
    cheap = importer == PEER[0] and i % 6 == 2  # half the peer's shipments: Japanese units undervalued
    origin, supplier = SUPPLIERS[0] if cheap else rng.choice(SUPPLIERS)
    units = rng.randint(20, 120)
    price = CHEAP if cheap else UNIT_PRICE + rng.randint(-40, 40)
    clock.freeze(at)
    with db.unit_of_work() as uow:
        s = uow.session
        principal = org.enterprise_principal(org.enterprise_by_tax_code(s, importer))
        data = body(importer, origin, supplier, units, price, f"{tag}-{i}")
        number = declarations.lodge(s, principal=principal, data=data).row.number
        row = registration.register_one(s, principal=principal, number=number, engine=engine)
        uow.commit()
        counts[str(row.channel)] = counts.get(str(row.channel), 0) + 1
        counts["frauds_found"] += int(cheap and row.channel == "red")
    counts["declarations"] += 1
    return number, at, cheap


def describe_counts(counts: dict[str, Any]) -> str:
    return (
        f"{counts.get('declarations', 0)} declarations ({counts.get('red', 0)} red,"
        f" {counts.get('yellow', 0)} yellow; {counts.get('frauds_found', 0)} undervaluations found)"
    )
