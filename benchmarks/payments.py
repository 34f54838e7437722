"""Bank confirmations per second, each beside raw inserts of the same number of rows in the same run.

1. service, one confirmation per transaction   vs raw single-row inserts, one transaction each
2. service, batches of 500 per transaction      vs raw inserts of the same rows, 500 per transaction
3. HTTP (uvicorn, 2 workers; PostgreSQL only), with the outbox consumers running in the workers and then
   with them off: POST /api/v1/payments from 16 clients, then
   POST /api/v1/payments/batch (500 a call) from 4 clients
Every confirmation goes through allocation, the locked dues, the ledger, the outbox and the audit log.
Usage: python benchmarks/payments.py [N] [DB_URL | pg]   ("pg": a scratch PostgreSQL database)"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import scratch_database, server

from haiquan.kit import clock
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import Database
from haiquan.payments import batch
from haiquan.payments.domain import reference_for
from haiquan.payments.schemas import PaymentIn
from haiquan.payments.tables import BankRow, DeclarationDueRow, PaymentReferenceRow

PAYER, BANK_TAX, BATCH = "0101248141", "0100112437", 500
BANK = Principal(kind="enterprise", id="b", name="VCB", scope=Scope(units=None, enterprise_id="b"),
                 enterprise_roles=frozenset({"bank"}), tax_code=BANK_TAX)  # fmt: skip


def number(i: int) -> str:
    return f"1{i:011d}"


def seed_dues(db: Database, n: int, owed: dict[str, int]) -> None:
    """n registered declarations (dues and references written in bulk); the first `owed["paid_in_full"]`
    owe exactly what the bench pays (their payment emits payment.confirmed), the rest owe twice that (a
    partial payment: over HTTP the server's consumers then have no declaration to clear, since the bench
    writes dues without declaration rows)."""
    now = clock.now()

    def due(i: int) -> Decimal:
        return Decimal(1_000_000 if i < owed["paid_in_full"] else 2_000_000)

    with db.unit_of_work() as uow:
        s = uow.session
        s.add(BankRow(code="VCB", name="VCB", tax_code=BANK_TAX, active=True, created_at=now))
        for lo in range(0, n, 5000):
            idx = range(lo, min(n, lo + 5000))
            s.execute(insert(DeclarationDueRow), [dict(declaration_number=number(i), office="01AB",
                      payer_tax_code=PAYER, assessed=due(i), paid=0, guaranteed=0, written_off=0,
                      settled_sent=False, version=1) for i in idx])  # fmt: skip
            s.execute(insert(PaymentReferenceRow), [dict(reference=reference_for(number(i), 0),
                      declaration_number=number(i), amendment_no=0, office="01AB", payer_tax_code=PAYER,
                      amount_due=due(i), amount_paid=0, status="open", created_at=now) for i in idx])  # fmt: skip
        uow.commit()


def body(i: int, prefix: str) -> dict[str, Any]:
    return {"bank": "VCB", "transaction_id": f"{prefix}{i}", "references": [reference_for(number(i), 0)],
            "amount": "1000000", "payer_tax_code": PAYER, "paid_at": datetime.now(UTC).isoformat()}  # fmt: skip


def service_rate(db: Database, lo: int, hi: int, size: int) -> float:
    t0 = time.perf_counter()
    for start in range(lo, hi, size):
        with db.unit_of_work() as uow:
            items = [PaymentIn.model_validate(body(i, "S")) for i in range(start, min(hi, start + size))]
            out = batch.confirm_many(uow.session, principal=BANK, items=items)
            assert all(o.status == 201 for o in out), [o.error for o in out if o.error][:1]
            uow.commit()
    return (hi - lo) / (time.perf_counter() - t0)


def raw_rate(db: Database, n: int, size: int) -> float:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw"))
        conn.execute(text("CREATE TABLE bench_raw (id INTEGER, txn VARCHAR(64), amount NUMERIC(22,4))"))
    t0 = time.perf_counter()
    for start in range(0, n, size):
        with db.engine.begin() as conn:
            rows = [{"i": i, "t": f"T{i}", "a": 1_000_000} for i in range(start, min(n, start + size))]
            conn.execute(text("INSERT INTO bench_raw VALUES (:i, :t, :a)"), rows)
    return n / (time.perf_counter() - t0)


def bank_key(url: str) -> str:
    from haiquan.organization import service as org

    db = Database(url)
    with db.unit_of_work() as uow:
        _, key = org.add_enterprise(uow.session, tax_code=BANK_TAX, name="VCB", roles=["bank"], actor="bench")
        uow.commit()
    db.dispose()
    return key


def http_rate(url: str, key: str, lo: int, hi: int, single: int, dispatcher: bool) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {key}"}
    env = {"HAIQUAN_RUN_DISPATCHER": "true" if dispatcher else "false"}
    with tempfile.TemporaryDirectory() as tmp, server(url, tmp, workers=2, extra_env=env) as base:
        mid = lo + single

        def one(i: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
                for j in range(i, mid, 16):
                    assert c.post("/api/v1/payments", json=body(j, "H")).status_code == 201

        t0 = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(one, range(lo, lo + 16)))
        single_rate = single / (time.perf_counter() - t0)

        def many(start: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
                items = [body(j, "HB") for j in range(start, min(hi, start + BATCH))]
                r = c.post("/api/v1/payments/batch", json={"items": items})
                assert r.status_code == 200, r.text[:300]
                assert r.json()["booked"] == len(items), r.text[:300]

        t0 = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(many, range(mid, hi, BATCH)))
        batch_rate = (hi - mid) / (time.perf_counter() - t0)
    return single_rate, batch_rate


def main(n: int, url: str) -> None:
    db = Database(url)
    db.create_all()
    seed_dues(db, 10 * n, {"paid_in_full": 2 * n})
    singles = min(n, 1000)
    s1 = service_rate(db, 0, singles, 1)
    r1 = raw_rate(db, singles, 1)
    s2 = service_rate(db, n, 2 * n, BATCH)
    r2 = raw_rate(db, n, BATCH)
    print(f"{db.dialect}: service, one per transaction: {s1:,.0f}/s; raw single-row inserts {r1:,.0f}/s; "
          f"ratio {s1 / r1:.2f}")  # fmt: skip
    print(f"{db.dialect}: service, {BATCH} per transaction: {s2:,.0f}/s; raw inserts {BATCH} a transaction "
          f"{r2:,.0f}/s; ratio {s2 / r2:.2f}; target ≥ 1,000/s: {'met' if s2 >= 1000 else 'NOT met'}")  # fmt: skip
    if db.dialect == "postgresql":
        db.dispose()
        key = bank_key(url)
        for k, dispatcher in enumerate((True, False)):
            lo = (2 + 4 * k) * n
            h1, h2 = http_rate(url, key, lo, lo + 4 * n, min(n, 500), dispatcher)
            label = (
                "consumers running in the workers"
                if dispatcher
                else "consumers off (events wait in the outbox)"
            )
            print(f"{db.dialect}: HTTP, 2 uvicorn workers, {label}: POST /payments from 16 clients {h1:,.0f}/s "
                  f"(ratio to raw single-row {h1 / r1:.2f}); POST /payments/batch x{BATCH} from 4 clients "
                  f"{h2:,.0f}/s (ratio to raw {BATCH}-row {h2 / r2:.2f}); target >= 1,000/s: "
                  f"{'met' if h2 >= 1000 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    target = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if target == "pg":
        with scratch_database("bench_pay") as pg:
            main(count, pg)
    else:
        main(count, target)
