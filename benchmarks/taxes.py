"""The nightly recompute of tax accounts (issue #20: 100,000 enterprises' aging and interest in under
60 s on PostgreSQL), against a plain scan of the ledger measured in the same run: every ledger line read
into Python (`SELECT declaration_number, day, debit, credit FROM ledger_lines`). The data is made by
PostgreSQL itself (generate_series): per enterprise two declarations' dues and their assessment entries
(receivable and revenue lines) over the last 400 days, one in two enterprises guaranteed, one in three
having paid its first declaration through a bank. Prints both times, the ratio recompute/scan, and the
recompute's time against the 60 s limit.

Usage: python benchmarks/taxes.py [--enterprises 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import scratch_database

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.taxes import service

LIMIT_S = 60.0

FILL = [
    "INSERT INTO banks (code, name, tax_code, active, round_the_clock, created_at) "
    "VALUES ('VCB', 'Vietcombank', '0100112437', true, true, now())",
    # two dues per enterprise: numbers 1 + 11 digits
    """INSERT INTO payment_dues (declaration_number, office, payer_tax_code, assessed, paid, guaranteed,
        written_off, settled_sent, version)
       SELECT '1' || lpad((i * 2 + k)::text, 11, '0'), '01AB', lpad(i::text, 10, '0'), 1000000 + (i % 97) * 10000,
              CASE WHEN k = 0 AND i % 3 = 0 THEN 1000000 + (i % 97) * 10000 ELSE 0 END,
              CASE WHEN i % 2 = 0 THEN 1000000 ELSE 0 END, 0, false, 1
       FROM generate_series(1, :n) i, generate_series(0, 1) k""",
    """INSERT INTO ledger_lines (entry_id, office, day, at, kind, account, debit, credit, declaration_number, source)
       SELECT md5(d.declaration_number), '01AB', current_date - ((substr(d.declaration_number, 2)::bigint) % 400)::int,
              now(), 'assessment', a.account, CASE WHEN a.account = 'receivable' THEN d.assessed ELSE 0 END,
              CASE WHEN a.account = 'revenue' THEN d.assessed ELSE 0 END, d.declaration_number,
              'bench:' || d.declaration_number
       FROM payment_dues d, (VALUES ('receivable'), ('revenue')) a(account)""",
    """INSERT INTO bank_payments (id, bank_code, transaction_id, amount, allocated, excess, payer_tax_code,
        "references", paid_at, received_at, bank_day, status, reversal_reason)
       SELECT md5(declaration_number), 'VCB', 'FT' || declaration_number, paid, paid, 0, payer_tax_code,
              declaration_number || '000', now() - interval '10 days', now(), current_date - 10, 'confirmed', ''
       FROM payment_dues WHERE paid > 0""",
    """INSERT INTO payment_allocations (payment_id, reference, declaration_number, amount)
       SELECT md5(declaration_number), declaration_number || '000', declaration_number, paid
       FROM payment_dues WHERE paid > 0""",
    "ANALYZE",
]


def fill(db: Database, n: int) -> None:
    db.create_all()
    with db.engine.begin() as conn:
        for sql in FILL:
            conn.execute(text(sql), {"n": n})


def scan(db: Database) -> float:
    started = time.perf_counter()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT declaration_number, day, debit, credit FROM ledger_lines")).all()
    assert rows
    return time.perf_counter() - started


def recompute(db: Database) -> tuple[float, int]:
    started = time.perf_counter()
    with db.unit_of_work() as uow:
        n = service.recompute(uow.session)
        uow.commit()
    return time.perf_counter() - started, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=100_000)
    args = ap.parse_args()
    clock.freeze(None)
    with scratch_database("bench_taxes") as url:
        db = Database(url)
        t0 = time.perf_counter()
        fill(db, args.enterprises)
        print(
            f"data: {args.enterprises} enterprises, {2 * args.enterprises} dues, made in {time.perf_counter() - t0:.1f} s"
        )
        base = min(scan(db) for _ in range(3))
        took, n = recompute(db)
        db.dispose()
    print(f"plain scan of the ledger: {base:.2f} s")
    print(f"recompute of {n} positions: {took:.2f} s")
    print(f"ratio recompute/scan: {took / base:.1f}")
    print(
        f"recompute against the {LIMIT_S:.0f} s limit: {took / LIMIT_S:.2f} ({'ok' if took < LIMIT_S else 'OVER'})"
    )


if __name__ == "__main__":
    main()
