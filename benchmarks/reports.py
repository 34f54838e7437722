"""Dashboard queries over bulk-generated rollups (p95 of each figure) beside a full scan of the same
history at declaration level in DuckDB. Usage: python benchmarks/reports.py YEARS PER_YEAR [DB_URL]
(defaults 10 years × 13 M declarations a year; state the size that fits when you lower them)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date

import duckdb

from haiquan.kit.auth import Scope
from haiquan.kit.db import Database
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.reports import queries, simulate


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000 if len(samples) > 1 else samples[0] * 1000


def main(years: int, per_year: int, url: str) -> None:
    db = Database(url)
    db.create_all()
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="bench")
        uow.commit()
        tree = org.load_tree(uow.session)
    offices = simulate.offices_of(tree)
    plan = simulate.Plan(years=years, per_year=per_year, end=date.today(), offices=offices)
    t0 = time.perf_counter()
    rows = simulate.run(db.engine, plan)
    print(f"generated {rows:,} rollup rows ({years} years, {per_year:,} declarations in the last year, "
          f"{len(offices)} offices) in {time.perf_counter() - t0:.1f}s on {db.dialect}")  # fmt: skip
    total_decl = sum(int(per_year * 1.22 ** -k) for k in range(years))
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    t0 = time.perf_counter()
    con.execute(f"""CREATE TABLE facts AS SELECT (random() * {len(offices)})::INT AS office,
        DATE '{plan.start}' + (random() * {(plan.end - plan.start).days})::INT AS day,
        (random() * 3)::INT AS channel, (random() * 48000000)::BIGINT AS duty FROM range({total_decl})""")
    print(f"declaration-level facts for the full scan: {total_decl:,} rows in {time.perf_counter() - t0:.1f}s")
    start = date(plan.end.year, 1, 1)
    for label, scope, node in (("national", Scope(units=None), None), ("department 01", Scope(units=tree.subtree("01")), "01")):
        with db.unit_of_work() as uow:
            v = queries.view(tree, scope, node=node, start=start, end=plan.end, home=node)
            for name, fn in queries.FIGURES.items():
                samples = []
                for _ in range(20):
                    t = time.perf_counter()
                    fn(uow.session, v)
                    samples.append(time.perf_counter() - t)
                t = time.perf_counter()
                con.execute(f"SELECT day, channel, sum(duty), count(*) FROM facts WHERE day >= DATE '{start}' GROUP BY ALL").fetchall()
                scan = (time.perf_counter() - t) * 1000
                print(f"{label:14} {name:10} p95 {p95(samples):7.1f} ms   full scan {scan:8.1f} ms")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]) if a else 10, int(a[1]) if len(a) > 1 else 13_000_000,
         a[2] if len(a) > 2 else f"sqlite:///{tempfile.mkdtemp()}/reports.db")  # fmt: skip
