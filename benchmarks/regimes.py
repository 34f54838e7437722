"""The special regimes' two speed promises (issue #19), in process, on SQLite (or PostgreSQL with --pg URL).

1. The ledger consumer keeps up with declarations: random declarations under regime codes (E11 materials in,
   E42 products out: demo.traffic's lines) are lodged and registered (green, duty suspended: they clear at
   once), then the consumer `regimes.ledger` books their `declaration.cleared` events in chunks of 1,000 as
   the dispatcher does. Printed: the consumer's wall time per declaration against (a) registering them, the
   producer (limit: the consumer under half of it, so it keeps up with the saturation phase of
   benchmarks/declarations.py), and (b) a raw bulk insert of the same legs (what the writing alone costs).
2. Reconciling one enterprise-year: 50,000 ledger entries (100,000 legs) of one enterprise over a year on
   200 items, among 150,000 entries of others; `repository.period_summary` (opening balance and the year's
   movements by kind, per stock: what finalisation reconciles against) and `repository.balances`, each
   timed (best of 3). Limit: 2 s.

Usage: python benchmarks/regimes.py [--declarations 600] [--entries 50000] [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.agencies import seed

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.schemas import DeclarationIn
from haiquan.demo.traffic import random_declaration, tariff_codes
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database
from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.regimes import handlers, repository
from haiquan.regimes.tables import LedgerLegRow
from haiquan.risk.channel import RuleSetEngine

KEEP_UP_LIMIT = 0.5  # the consumer's time per declaration, as a share of registering it
RECONCILE_LIMIT_S = 2.0
LEGS = cast(Table, LedgerLegRow.__table__)


def regime_body(rng: random.Random, codes: list[str]) -> dict[str, Any]:
    body = random_declaration(rng, codes)
    if rng.random() < 0.7:
        return body | {"procedure_code": "E11"}
    owner = body["importer"]["tax_code"]
    return body | {"procedure_code": "E42", "kind": "export", "exporter": {"tax_code": owner},
                   "importer": {"name": "Samsung Electronics", "country": "KR"}}  # fmt: skip


def produce(db: Database, n: int) -> tuple[float, list[Event]]:
    """Lodge and register `n` regime declarations; the wall time of registering, and the cleared events."""
    rng, codes, engine = random.Random(19), tariff_codes(), RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    todo = []
    with db.unit_of_work() as uow:
        for _ in range(n):
            body = DeclarationIn.model_validate(regime_body(rng, codes))
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, "0100109106"))
            todo.append(declarations.lodge(uow.session, principal=who, data=body).row.number)
        uow.commit()
    start = time.perf_counter()
    for number in todo:
        with db.unit_of_work() as uow:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, "0100109106"))
            registration.register_one(uow.session, principal=who, number=number, engine=engine)
            uow.commit()
    spent = time.perf_counter() - start
    with db.unit_of_work() as uow:
        q = select(OutboxEvent).where(OutboxEvent.type == DeclarationEvent.CLEARED).order_by(OutboxEvent.seq)
        events = [Event.from_row(r) for r in uow.session.scalars(q)]
    return spent, events


def consume(db: Database, events: list[Event]) -> float:
    start = time.perf_counter()
    for i in range(0, len(events), 1000):
        with db.unit_of_work() as uow:
            handlers.on_declaration_events(uow, events[i : i + 1000])
            uow.commit()
    return time.perf_counter() - start


def raw_insert(db: Database) -> float:
    """The same legs written again by one bulk insert per 1,000 declarations' worth (new event ids)."""
    with db.unit_of_work() as uow:
        rows = [dict(r._mapping) for r in uow.session.execute(select(LEGS))]
    for r in rows:
        r.pop("id")
        r["event_id"] = "raw-" + r["event_id"]
    start = time.perf_counter()
    for i in range(0, len(rows), 4000):
        with db.unit_of_work() as uow:
            uow.session.execute(insert(LEGS), rows[i : i + 4000])
            uow.commit()
    spent = time.perf_counter() - start
    with db.unit_of_work() as uow:
        uow.session.execute(LEGS.delete().where(LEGS.c.event_id.like("raw-%")))
        uow.commit()
    return spent


def year_of_entries(db: Database, tax: str, n: int, rng: random.Random) -> None:
    """`n` entries (two legs each) of one enterprise over 2025, on 200 items, in and out."""
    start, items = datetime(2025, 1, 1, 3, tzinfo=UTC), [f"{8517_0000 + i:08d}" for i in range(200)]
    rows: list[dict[str, Any]] = []
    for k in range(n):
        at = start + timedelta(minutes=k * 525_600 // n)
        item, q = rng.choice(items), Decimal(rng.randint(1, 100))
        kind, sign = ("in", 1) if k % 3 else ("out", -1)
        base = {"event_id": f"bench-{tax}-{k}", "entry_no": 0, "tax_code": tax, "enterprise_id": None,
                "unit": "01AB", "regime": "epe", "item_code": item, "item_unit": "PCE", "kind": kind,
                "value_vnd": Decimal(1000) * q, "duty_vnd": Decimal(0), "declaration_number": None, "line_no": None,
                "procedure_code": "E11", "at": at, "day": at.date()}  # fmt: skip
        rows.append(base | {"leg": 0, "account": "stock", "quantity": sign * q})
        rows.append(base | {"leg": 1, "account": "abroad", "quantity": -sign * q})
    with db.unit_of_work() as uow:
        for i in range(0, len(rows), 10_000):
            uow.session.execute(insert(LEGS), rows[i : i + 10_000])
        uow.commit()


def reconcile(db: Database, tax: str) -> tuple[float, float, int]:
    """Best of three: the year's period summary, and the balances; and how many stocks."""
    best_p = best_b = 1e9
    n = 0
    for _ in range(3):
        with db.unit_of_work() as uow:
            t0 = time.perf_counter()
            lines = repository.period_summary(uow.session, scope=Scope(units=None), tax_code=tax,
                                              start=date(2025, 1, 1), end=date(2025, 12, 31))  # fmt: skip
            t1 = time.perf_counter()
            repository.balances(uow.session, scope=Scope(units=None), tax_code=tax)
            t2 = time.perf_counter()
        best_p, best_b, n = min(best_p, t1 - t0), min(best_b, t2 - t1), len(lines)
    return best_p, best_b, n


def run(db: Database, args: argparse.Namespace) -> bool:
    seed(db)
    produced, events = produce(db, args.declarations)
    consumed = consume(db, events)
    with db.unit_of_work() as uow:
        legs = uow.session.scalar(select(text("count(*)")).select_from(LEGS))
    raw = raw_insert(db)
    n = len(events)
    share = consumed / produced
    print(f"{n} regime declarations cleared; the consumer booked {legs} legs")
    print(f"registering: {produced / n * 1000:.2f} ms/declaration; consumer: {consumed / n * 1000:.2f} ms/declaration"
          f" ({share:.2f} of registering, limit {KEEP_UP_LIMIT}); raw insert of the legs: {raw / n * 1000:.2f} ms"
          f" (consumer/raw {consumed / raw:.1f}x)")  # fmt: skip
    rng = random.Random(23)
    year_of_entries(db, "0109998887", args.entries, rng)
    for k in range(3):
        year_of_entries(db, f"010999888{k}", args.entries, rng)
    period_s, balances_s, stocks = reconcile(db, "0109998887")
    print(f"one enterprise-year of {args.entries} entries ({stocks} stocks) among {3 * args.entries} others:"
          f" period summary {period_s * 1000:.0f} ms, balances {balances_s * 1000:.0f} ms"
          f" (limit {RECONCILE_LIMIT_S:.0f} s)")  # fmt: skip
    ok = share <= KEEP_UP_LIMIT and max(period_s, balances_s) <= RECONCILE_LIMIT_S
    print("OK" if ok else "OVER")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--declarations", type=int, default=600)
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--pg", default=None, help="a PostgreSQL URL (an empty database: its tables are created)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.pg or f"sqlite:///{tmp}/bench.db")
        try:
            ok = run(db, args)
        finally:
            db.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
