"""Dashboard queries over bulk-generated rollups: p95 of each figure read from the pre-summed node rows,
beside the same figure summed from the offices' rows of the same data (and history read from its start), in
the same run, plus a declaration-level full scan in DuckDB for scale. Usage: python benchmarks/reports.py YEARS PER_YEAR [DB_URL]
(defaults 10 years × 13 M declarations a year; state the size that fits when you lower them)."""

from __future__ import annotations

import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import duckdb

from haiquan.demo import history
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.reports import queries


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000 if len(samples) > 1 else samples[0] * 1000


def main(years: int, per_year: int, url: str) -> None:
    db = Database(url)
    db.create_all()
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="bench")
        uow.commit()
        tree = org.load_tree(uow.session)
    offices = history.offices_of(tree)
    plan = history.Plan(years=years, per_year=per_year, end=date.today(), offices=offices)
    t0 = time.perf_counter()
    rows = history.run(db.engine, plan, tree=tree)
    print(f"generated {rows:,} rollup rows ({years} years, {per_year:,} declarations in the last year, "
          f"{len(offices)} offices) in {time.perf_counter() - t0:.1f}s on {db.dialect}")  # fmt: skip
    total_decl = sum(int(per_year * 1.22**-k) for k in range(years))
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    t0 = time.perf_counter()
    con.execute(f"""CREATE TABLE facts AS SELECT (random() * {len(offices)})::INT AS office,
        DATE '{plan.start}' + (random() * {(plan.end - plan.start).days})::INT AS day,
        (random() * 3)::INT AS channel, (random() * 48000000)::BIGINT AS duty FROM range({total_decl})""")
    built = time.perf_counter() - t0
    start = date(plan.end.year, 1, 1)
    t = time.perf_counter()
    con.execute(
        f"SELECT day, channel, sum(duty), count(*) FROM facts WHERE day >= DATE '{start}' GROUP BY ALL"
    ).fetchall()
    print(f"declaration-level full scan (DuckDB, {total_decl:,} rows built in {built:.0f}s): one year-to-date "
          f"figure {(time.perf_counter() - t) * 1000:,.0f} ms")  # fmt: skip
    print("figure p95 (20 runs): pre-summed node rows | the same figure summed from the offices' rows")
    views = (("national", Scope(units=None), None), ("department 01", Scope(units=tree.subtree("01")), "01"),
             ("sub-dept 01B1", Scope(units=tree.subtree("01B1")), "01B1"))  # fmt: skip
    for label, scope, node in views:
        with db.unit_of_work() as uow:
            v = queries.view(tree, scope, node=node, start=start, end=plan.end, home=node)
            for name, fn in queries.FIGURES.items():
                fast = timed(functools.partial(fn, uow.session, v), 20)
                slow = timed(functools.partial(fn, uow.session, replace(v, whole=False)), 5)
                print(f"{label:14} {name:10} p95 {fast:7.1f} ms | {slow:8.1f} ms")


def timed(fn: Callable[[], object], n: int) -> float:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return p95(samples)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]) if a else 10, int(a[1]) if len(a) > 1 else 13_000_000,
         a[2] if len(a) > 2 else f"sqlite:///{tempfile.mkdtemp()}/reports.db")  # fmt: skip
