"""Bulk writes of the daily rollups (COPY on PostgreSQL, executemany on SQLite) and the pre-summed
subtree rows (`+node`) and running balances recomputed from the offices' own rows, as the rollup consumer
keeps them: used by `haiquan reports rebuild-totals` and by the generated history (`haiquan.demo.history`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, insert, text

from haiquan.organization.domain import UnitTree
from haiquan.reports.tables import RunningBalanceRow, total_key

TABLES = {
    "declarations": (
        "reports_daily_declarations",
        "unit, day, lodged, registered, green, yellow, red, cleared, cancelled, clear_seconds",
    ),
    "revenue": (
        "reports_daily_revenue",
        "unit, day, assessed, collected, refunds_due, refunds_paid, written_off",
    ),
    "clearance": ("reports_daily_clearance", "unit, day, bucket, count"),
    "supervision": (
        "reports_daily_supervision",
        "unit, day, gate_in, gate_out, alerts_opened, alerts_closed",
    ),
    "dwell": ("reports_daily_dwell", "unit, day, bucket, count"),
    "seizures": (
        "reports_daily_seizures",
        "unit, day, province, route, substance, unit_of_measure, cases, quantity",
    ),
}


def with_totals(rows: dict[str, list[tuple[Any, ...]]], tree: UnitTree) -> dict[str, list[tuple[Any, ...]]]:
    """Office rows plus the pre-summed subtree rows (`+node`) of every unit above each office, as the
    rollup consumer keeps them."""
    totals = totals_of(rows, tree)
    return {k: list(v) + totals[k] for k, v in rows.items()}


def totals_of(rows: dict[str, list[tuple[Any, ...]]], tree: UnitTree) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for key, data in rows.items():
        out[key] = []
        if not data:
            continue
        cols = [c.strip() for c in TABLES[key][1].split(",")]
        measures = SUMMED[key]
        df = pd.DataFrame(data, columns=cols)
        up = {u: [total_key(a) for a in (tree.ancestors(u) or [u])] for u in df["unit"].unique()}
        df["unit"] = df["unit"].map(up)
        df = df.explode("unit")
        keys = [c for c in cols if c not in measures]
        summed = df.groupby(keys, sort=False, as_index=False)[measures].sum()[cols]
        out[key].extend(tuple(_plain(x) for x in r) for r in summed.itertuples(index=False, name=None))
    return out


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


SUMMED = {
    "declarations": [
        "lodged",
        "registered",
        "green",
        "yellow",
        "red",
        "cleared",
        "cancelled",
        "clear_seconds",
    ],
    "revenue": ["assessed", "collected", "refunds_due", "refunds_paid", "written_off"],
    "clearance": ["count"],
    "supervision": ["gate_in", "gate_out", "alerts_opened", "alerts_closed"],
    "dwell": ["count"],
    "seizures": ["cases", "quantity"],
}


def rebuild_balances(engine: Engine) -> int:
    """Running balances recomputed from the pre-summed rows of all history (after bulk writes)."""
    with engine.begin() as conn:
        sup = conn.execute(text(
            "SELECT unit, sum(gate_in - gate_out), sum(alerts_opened - alerts_closed) FROM reports_daily_supervision "
            "WHERE unit LIKE '+%' GROUP BY unit")).all()  # fmt: skip
        rev = conn.execute(text(
            "SELECT unit, sum(refunds_due) FROM reports_daily_revenue WHERE unit LIKE '+%' GROUP BY unit")).all()  # fmt: skip
        nodes: dict[str, list[Any]] = {}
        for unit, in_area, alerts in sup:
            nodes.setdefault(unit[1:], [0, 0, Decimal(0)])[:2] = [int(in_area or 0), int(alerts or 0)]
        for unit, due in rev:
            nodes.setdefault(unit[1:], [0, 0, Decimal(0)])[2] = Decimal(str(due or 0))
        conn.execute(text("DELETE FROM reports_balances"))
        if nodes:
            conn.execute(
                insert(cast(Table, RunningBalanceRow.__table__)),
                [
                    {"node": n, "in_area": v[0], "alerts_open": v[1], "refunds_due": v[2]}
                    for n, v in nodes.items()
                ],
            )
    return len(nodes)


def rebuild_totals(engine: Engine, tree: UnitTree) -> int:
    """Recompute every pre-summed row and the running balances from the offices' own rows (after loading
    rollups written before the pre-summed rows existed, or after the hierarchy changed)."""
    office: dict[str, list[tuple[Any, ...]]] = {}
    with engine.begin() as conn:
        for key, (table, cols) in TABLES.items():
            conn.execute(text(f"DELETE FROM {table} WHERE unit LIKE '+%'"))
            got = conn.execute(text(f"SELECT {cols} FROM {table}")).all()
            office[key] = [tuple(_day(c, x) for c, x in zip(cols.split(","), r, strict=True)) for r in got]
    written = write(engine, totals_of(office, tree))
    rebuild_balances(engine)
    return written


def _day(col: str, x: Any) -> Any:
    return date.fromisoformat(x) if col.strip() == "day" and isinstance(x, str) else x


def write(engine: Engine, rows: dict[str, list[tuple[Any, ...]]]) -> int:
    written = 0
    with engine.begin() as conn:
        for key, data in rows.items():
            if not data:
                continue
            table, cols = TABLES[key]
            if engine.dialect.name == "postgresql":
                raw = conn.connection.driver_connection
                with raw.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as cp:  # type: ignore[union-attr]
                    for row in data:
                        cp.write_row(row)
            else:
                marks = ", ".join("?" for _ in cols.split(","))
                conn.exec_driver_sql(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})", [_sqlite(r) for r in data]
                )
            written += len(data)
    return written


def _sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(x.isoformat() if isinstance(x, date) else x for x in row)


def clear(engine: Engine, start: date, end: date) -> None:
    with engine.begin() as conn:
        for table, _ in TABLES.values():
            conn.execute(text(f"DELETE FROM {table} WHERE day >= :a AND day <= :b"), {"a": start, "b": end})
