"""Bank confirmations per second through the service (allocation, ledger, outbox, audit), against raw
inserts of the same number of rows in the same run. Usage: python benchmarks/payments.py [N] [DB_URL]"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text

from haiquan.kit import clock
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import Database
from haiquan.payments import confirmations, service
from haiquan.payments.domain import reference_for
from haiquan.payments.schemas import PaymentIn
from haiquan.payments.tables import BankRow


def main(n: int, url: str) -> None:
    db = Database(url)
    db.create_all()
    bank = Principal(kind="enterprise", id="b", name="VCB", scope=Scope(units=None, enterprise_id="b"),
                     enterprise_roles=frozenset({"bank"}), tax_code="0100112437")  # fmt: skip
    with db.unit_of_work() as uow:
        uow.session.add(BankRow(code="VCB", name="VCB", tax_code="0100112437", active=True, created_at=clock.now()))
        for i in range(n):
            service.assessed(uow.session, number=f"1{i:011d}", office="01AB", payer="0101248141",
                             total=Decimal(1_000_000), source=f"bench{i}")  # fmt: skip
        uow.commit()
    t0 = time.perf_counter()
    for i in range(n):
        with db.unit_of_work() as uow:
            data = PaymentIn(bank="VCB", transaction_id=f"T{i}", references=[reference_for(f"1{i:011d}", 0)],
                             amount=Decimal(1_000_000), payer_tax_code="0101248141", paid_at=datetime.now(UTC))  # fmt: skip
            confirmations.confirm(uow.session, principal=bank, data=data)
            uow.commit()
    booked = n / (time.perf_counter() - t0)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER, txn VARCHAR(64), amount NUMERIC(22,4))"))
    t0 = time.perf_counter()
    for i in range(n):  # one transaction per row, as a confirmation is
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_raw VALUES (:i, :t, :a)"), {"i": i, "t": f"T{i}", "a": 1_000_000})
    raw = n / (time.perf_counter() - t0)
    print(f"{db.dialect}: confirmations {booked:,.0f}/s; raw single-row inserts {raw:,.0f}/s; "
          f"ratio {booked / raw:.2f}; target ≥ 1,000/s: {'met' if booked >= 1000 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    main(count, sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db")
