"""What the load sends: declarations (Idempotency-Key; the key also written into the exporter's name, so the
database tells each one's copies apart), terminal gate messages (stock reports with a message id of their
own) and bank payment confirmations (each to its own payment reference, seeded here)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.payments.domain import reference_for
from haiquan.payments.tables import DeclarationDueRow, PaymentReferenceRow

DECLARANTS = ["0100109106", "0101248141", "0302098785"]
TERMINAL, LOCATION, BANK, BANK_CODE = "0200519875", "03CCS01", "bank:VCB", "VCB"
PAYER = "0101248141"
MARK = "Reliability exporter "


def declaration(tax_code: str, key: str) -> dict[str, Any]:
    return {
        "kind": "import", "category": "commercial", "procedure_code": "A11", "office": "01AB",
        "importer": {"tax_code": tax_code}, "exporter": {"name": MARK + key, "country": "CN"},
        "transport_mode": "air", "transport_document": "738-12345675", "package_count": 3,
        "gross_mass_kg": "40.5",
        "invoice": {"currency": "USD", "amount": "1500", "incoterm": "FOB", "freight": "20", "insurance": "5"},
        "lines": [{"hs_code": "85171300", "description": "Smartphones", "origin_country": "CN",
                   "quantity": "10", "quantity_unit": "PCE", "net_mass_kg": "3", "value": "1500"}],
    }  # fmt: skip


def gate_message(message_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"messages": [{"message_id": message_id, "kind": "stock", "location": LOCATION, "at": now,
                          "items": []}]}  # fmt: skip


def due_number(i: int) -> str:
    return f"19{i:010d}"


def payment(i: int, txn: str) -> dict[str, Any]:
    return {"bank": BANK_CODE, "transaction_id": txn, "references": [reference_for(due_number(i), 0)],
            "amount": "1000000", "payer_tax_code": PAYER, "paid_at": datetime.now(UTC).isoformat()}  # fmt: skip


def seed_dues(db: Database, lo: int, hi: int) -> None:
    """Payment references due[lo, hi), each owing twice what one payment brings (as benchmarks/payments.py
    does: dues without declaration rows; a partial payment leaves the consumers no declaration to clear)."""
    if hi <= lo:
        return
    now = clock.now()
    dues, refs = [], []
    for i in range(lo, hi):
        n = due_number(i)
        dues.append(dict(declaration_number=n, office="01AB", payer_tax_code=PAYER, assessed=Decimal(2_000_000),
                         paid=0, guaranteed=0, written_off=0, settled_sent=False, version=1))  # fmt: skip
        refs.append(dict(reference=reference_for(n, 0), declaration_number=n, amendment_no=0, office="01AB",
                         payer_tax_code=PAYER, amount_due=Decimal(2_000_000), amount_paid=0, status="open",
                         created_at=now))  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(insert(DeclarationDueRow), dues)
        conn.execute(insert(PaymentReferenceRow), refs)
