"""Reading a declaration for registration: memory and time against the number of its lines (issue #25, item 2).

For declarations of N lines that also carry N channel reasons (a reason per line), on a scratch PostgreSQL
database, it measures what `repository.lock_for_registration` reads (its peak Python memory with tracemalloc, and
its time) for the declarant itself, for another enterprise (refused before any line is read), and beside it the
limit it replaced: the single statement that joined the declaration's columns to every line (so the N reasons
were read N times; measured up to 3,000 lines). Prints each figure and the ratio new / join.
Usage: python benchmarks/registration_lines.py [--lines 50,500,2000,10000]

Measured 2026-12-06 on the shared 2-core machine (PostgreSQL 15):
    50 lines: join 0.6 MiB 0.02 s | lock_for_registration 0.4 MiB 0.02 s | another enterprise 0.06 MiB
   500 lines: join 28.3 MiB 0.31 s | lock_for_registration 1.6 MiB 0.06 s (memory ratio 0.058)
  2000 lines: join 426.8 MiB 3.48 s | lock_for_registration 6.5 MiB 0.24 s (memory ratio 0.015, time 0.069)
 10000 lines: join not run | lock_for_registration 32.6 MiB 1.35 s | another enterprise 2.2 MiB 0.010 s
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import scratch_database
from benchmarks.declarations import seed

from haiquan.app import create_app
from haiquan.declarations import repository
from haiquan.declarations.repository import DECLARATIONS, ENTERPRISES, LINES
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings

JOIN_UP_TO = 3000  # the join's memory grows with lines x reasons: ~430 MiB at 2,000, ~10 GiB at 10,000


def body(n: int) -> dict[str, Any]:
    line = {"hs_code": "85171300", "description": "Smartphones", "origin_country": "CN", "quantity": "1",
            "quantity_unit": "PCE", "net_mass_kg": "1", "value": "10"}  # fmt: skip
    return {"kind": "import", "office": "01AB", "importer": {"tax_code": "0100109106"},
            "exporter": {"name": "Shenzhen Electronics Co.", "country": "CN"}, "transport_mode": "air",
            "invoice": {"currency": "USD", "amount": str(10 * n), "incoterm": "CIF"},
            "lines": [dict(line, description=f"Smartphones, model {i}") for i in range(n)]}  # fmt: skip


def measure(fn: Callable[..., object], *args: Any) -> tuple[float, float]:
    """(peak MiB of Python allocations, seconds) of one call."""
    tracemalloc.start()
    t = time.perf_counter()
    fn(*args)
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak, seconds


def joined(db: Database, number: str) -> None:
    """The statement registration used before: the declaration's columns on every line."""
    q = (
        select(DECLARATIONS, ENTERPRISES.c.status, *[c.label(f"l_{c.key}") for c in LINES.columns])
        .join(ENTERPRISES, ENTERPRISES.c.id == DECLARATIONS.c.declarant_id)
        .outerjoin(LINES, LINES.c.number == DECLARATIONS.c.number)
        .where(DECLARATIONS.c.number == number)
    )
    with db.unit_of_work() as uow:
        list(uow.session.execute(q).mappings())


def locked(db: Database, number: str, scope: Scope) -> None:
    with db.unit_of_work() as uow:
        repository.lock_for_registration(uow.session, [(number, scope)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", default="50,500,2000,10000")
    sizes = [int(x) for x in ap.parse_args().lines.split(",")]
    with scratch_database("hq_bench_reglines") as url, tempfile.TemporaryDirectory() as tmp:
        keys = seed(url)
        db = Database(url)
        app = create_app(Settings(data_dir=Path(tmp), secret_key="b" * 40, run_dispatcher=False), db)
        with TestClient(app) as client:
            for n in sizes:
                r = client.post(
                    "/api/v1/declarations", json=body(n), headers={"Authorization": f"Bearer {keys[0]}"}
                )
                assert r.status_code == 201, r.text[:300]
                number = r.json()["number"]
                with db.unit_of_work() as uow:
                    row = uow.session.execute(
                        select(DECLARATIONS.c.declarant_id).where(DECLARATIONS.c.number == number)
                    )
                    own = Scope(None, enterprise_id=row.scalar_one())
                    reasons = [f"line {i}: unit value below the value-control minimum" for i in range(n)]
                    uow.session.execute(
                        update(DECLARATIONS)
                        .where(DECLARATIONS.c.number == number)
                        .values(channel_reasons=reasons)
                    )
                    uow.commit()
                old = measure(joined, db, number) if n <= JOIN_UP_TO else (float("nan"), float("nan"))
                new = measure(locked, db, number, own)
                other = measure(locked, db, number, Scope(None, enterprise_id="0" * 32))
                print(f"{n:>6} lines x {n} reasons: join {old[0]:8.1f} MiB {old[1]:6.2f} s | "
                      f"lock_for_registration {new[0]:6.1f} MiB {new[1]:5.2f} s (ratio {new[0] / old[0]:.3f} memory, "
                      f"{new[1] / old[1]:.3f} time) | another enterprise {other[0]:5.2f} MiB {other[1]:5.3f} s",
                      flush=True)  # fmt: skip
        db.dispose()


if __name__ == "__main__":
    main()
