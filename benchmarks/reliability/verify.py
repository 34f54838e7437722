"""Every acknowledged write is in the database exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.reliability.context import Ctx
from benchmarks.reliability.workload import MARK
from sqlalchemy import func, select

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from haiquan.payments.tables import BankPaymentRow, PaymentAllocationRow
from haiquan.supervision.tables import MovementRow


def _counts(db: Database, column: Any, values: list[str], prefix: str = "") -> Counter[str]:
    found: Counter[str] = Counter()
    with db.engine.connect() as conn:
        for lo in range(0, len(values), 5000):
            chunk = [prefix + v for v in values[lo : lo + 5000]]
            rows = conn.execute(select(column, func.count()).where(column.in_(chunk)).group_by(column))
            for value, n in rows:
                found[str(value)[len(prefix) :]] = int(n)
    return found


def writes(ctx: Ctx, acked: dict[str, list[str]]) -> dict[str, Any]:
    db = Database(ctx.cluster.url)
    try:
        found = {
            "declarations": _counts(db, DeclarationRow.exporter_name, acked["declarations"], MARK),
            "gate_messages": _counts(db, MovementRow.message_id, acked["gate_messages"]),
            "payments": _counts(db, BankPaymentRow.transaction_id, acked["payments"]),
        }
        allocations = _allocations(db, acked["payments"])
    finally:
        db.dispose()
    lost = {k: sum(1 for v in acked[k] if found[k][v] == 0) for k in found}
    doubled = {k: sum(1 for v in acked[k] if found[k][v] > 1) for k in found}
    doubled["payment_allocations"] = sum(1 for n in allocations.values() if n > 1)
    return {"lost": sum(lost.values()), "duplicated": sum(doubled.values()), "lost_by_kind": lost,
            "duplicated_by_kind": doubled}  # fmt: skip


def _allocations(db: Database, txns: list[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    with db.engine.connect() as conn:
        for lo in range(0, len(txns), 5000):
            q = (select(BankPaymentRow.transaction_id, func.count())
                 .join(PaymentAllocationRow, PaymentAllocationRow.payment_id == BankPaymentRow.id)
                 .where(BankPaymentRow.transaction_id.in_(txns[lo : lo + 5000]))
                 .group_by(BankPaymentRow.transaction_id))  # fmt: skip
            out.update({str(t): int(n) for t, n in conn.execute(q)})
    return out
