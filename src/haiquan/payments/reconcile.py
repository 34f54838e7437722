"""Daily reconciliation per bank: the bank's statement (CSV) against the confirmations customs booked."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.payments.domain import Difference, Recorded, StatementLine, reconcile
from haiquan.payments.tables import BankPaymentRow, BankRow

COLUMNS = ("transaction_id", "amount", "reference")


def read_statement(path: Path) -> list[StatementLine]:
    """CSV with a header: transaction_id, amount, reference[, paid_at]."""
    out: list[StatementLine] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationFailed(f"the statement lacks the columns: {', '.join(missing)}", field="file")
        for i, row in enumerate(reader, start=2):
            try:
                amount = Decimal(row["amount"].replace(",", "").strip())
            except InvalidOperation as exc:
                raise ValidationFailed(
                    f"line {i}: amount {row['amount']!r} is not a number", field="amount"
                ) from exc
            paid = row.get("paid_at") or ""
            out.append(StatementLine(row["transaction_id"].strip(), amount, (row["reference"] or "").strip(),
                                     datetime.fromisoformat(paid) if paid else None))  # fmt: skip
    return out


def recorded(session: Session, bank: str, day: date) -> list[Recorded]:
    rows = session.scalars(
        select(BankPaymentRow).where(BankPaymentRow.bank_code == bank, BankPaymentRow.bank_day == day)
    ).all()
    return [Recorded(r.transaction_id, r.amount, r.references, r.status == "reversed") for r in rows]


def run(
    session: Session, *, bank: str, day: date, statement: list[StatementLine], actor: str
) -> list[Difference]:
    if session.get(BankRow, bank) is None:
        raise NotFound(f"unknown bank {bank!r}", field="bank")
    diffs = reconcile(statement, recorded(session, bank, day))
    audit.append(session, actor=actor, action="payment.reconciled", target=f"bank:{bank}:{day.isoformat()}",
                 detail={"lines": len(statement), "differences": len(diffs)})  # fmt: skip
    return diffs
