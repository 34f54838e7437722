"""Reconciling one enterprise-year of the stock ledger (issue #19: 50,000 entries in under 2 s): an
export-processing enterprise's year of imports of 200 materials and exports of 20 products, booked as
double-entry legs (two per entry), and its finalisation report (200 norms, 200 stock lines) filed and
reconciled in one transaction, rolled back after each round. Prints the median seconds and the ratio to the
limit (≤ 1 passes).

Usage: python benchmarks/finalisation.py [--entries 50000] [--rounds 5] [--pg]  (--pg: a scratch PostgreSQL
database on 127.0.0.1, dropped afterwards)
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._support import scratch_database

from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import Database
from haiquan.regimes import finalisation
from haiquan.regimes.finalisation_schemas import FinalisationIn
from haiquan.regimes.tables import LedgerLegRow

LIMIT_S = 2.0
TAX = "0100000001"
MATERIALS = [f"M{n:07d}" for n in range(200)]
PRODUCTS = [f"P{n:07d}" for n in range(20)]
YEAR = date(2026, 1, 1)


def _leg(
    n: int, leg: int, account: str, kind: str, item: str, unit: str, q: Decimal, day: date
) -> dict[str, Any]:
    return {"event_id": f"bench-{n}", "leg": leg, "entry_no": 1, "tax_code": TAX, "enterprise_id": "bench",
            "unit": "01AB", "regime": "epe", "account": account, "item_code": item, "item_unit": unit,
            "kind": kind, "quantity": q, "value_vnd": q * 1000, "duty_vnd": q * 50 if kind == "in" else Decimal(0),
            "declaration_number": f"{n:012d}", "line_no": 1, "procedure_code": "E11",
            "at": datetime(day.year, day.month, day.day, 3, tzinfo=UTC), "day": day}  # fmt: skip


def seed(db: Database, entries: int, rng: random.Random) -> None:
    """Three material entries in for each product entry out (a product out books two entries)."""
    db.create_all()
    rows: list[dict[str, Any]] = []
    for n in range(entries):
        day = YEAR + timedelta(days=rng.randrange(365))
        if n % 5 < 3:
            item, q = rng.choice(MATERIALS), Decimal(rng.randrange(100, 1000))
            rows += [
                _leg(n, 0, "stock", "in", item, "KGM", q, day),
                _leg(n, 1, "abroad", "in", item, "KGM", -q, day),
            ]
        else:  # produced, then out
            item, q = rng.choice(PRODUCTS), Decimal(rng.randrange(1, 50))
            kind, acc = ("produced", "production") if n % 5 == 3 else ("out", "abroad")
            sign = 1 if kind == "produced" else -1
            rows += [_leg(n, 0, "stock", kind, item, "PCE", sign * q, day),
                     _leg(n, 1, acc, kind, item, "PCE", -sign * q, day)]  # fmt: skip
        if len(rows) >= 20_000:
            _flush(db, rows)
    _flush(db, rows)


def _flush(db: Database, rows: list[dict[str, Any]]) -> None:
    if rows:
        with db.unit_of_work() as uow:
            uow.session.execute(insert(LedgerLegRow), rows)
            uow.commit()
        rows.clear()


def report(rng: random.Random) -> FinalisationIn:
    norms = [{"product_code": p, "product_unit": "PCE", "material_code": m, "material_unit": "KGM",
              "norm": str(rng.randrange(1, 20)), "waste_pct": "2"}
             for i, p in enumerate(PRODUCTS) for m in MATERIALS[i * 10:(i + 1) * 10]]  # fmt: skip
    stock = [{"material_code": m, "material_unit": "KGM", "closing_stock": str(rng.randrange(0, 5000))}
             for m in MATERIALS]  # fmt: skip
    return FinalisationIn.model_validate(
        {
            "regime": "epe",
            "period_start": YEAR,
            "period_end": date(2026, 12, 31),
            "norms": norms,
            "stock": stock,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pg", action="store_true")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        url = stack.enter_context(scratch_database("hq_bench_fin")) if args.pg else f"sqlite:///{tmp}/f.db"
        run(Database(url), args)


def run(db: Database, args: argparse.Namespace) -> None:
    rng = random.Random(19)
    seed(db, args.entries, rng)
    who = Principal(kind="enterprise", id="bench", name="bench", scope=Scope(units=None, enterprise_id="bench",
                    tax_code=TAX), enterprise_roles=frozenset({"declarant"}), tax_code=TAX)  # fmt: skip
    data = report(rng)
    times = []
    for _ in range(args.rounds):
        with db.unit_of_work() as uow:
            start = time.perf_counter()
            f = finalisation.file(uow.session, principal=who, data=data)
            times.append(time.perf_counter() - start)
            uow.rollback()
    med = statistics.median(times)
    print(
        f"{db.engine.dialect.name}: {args.entries} entries, {f.materials} materials, {f.discrepancies} discrepancies"
    )
    print(
        f"reconcile: median {med:.3f} s over {args.rounds} rounds (limit {LIMIT_S} s): ratio {med / LIMIT_S:.2f}"
    )
    db.dispose()


if __name__ == "__main__":
    main()
