"""The dashboard's figures. The operational database (SQLite or PostgreSQL) aggregates the daily rollups
of the caller's units (indexed by day and unit); plain Python shapes the small result (cumulative series,
percentiles from histograms, drill-down by the unit tree, monthly pivots): a few hundred rows, where
registering each frame in DuckDB cost 3-10 ms, six times a page (docs/pages.md, warm pages). DuckDB
stays for the declaration-level scans (reports.bulk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import Forbidden, ValidationFailed
from haiquan.kit.money import vnd
from haiquan.organization.domain import UnitTree
from haiquan.payments import budget
from haiquan.reports.applications import applications
from haiquan.reports.finalisation import finalisation
from haiquan.reports.outlook import outlook
from haiquan.reports.permits import permits
from haiquan.reports.preferences import preferences
from haiquan.reports.regimes import regimes
from haiquan.reports.tables import (
    TOTAL,
    DailyClearanceRow,
    DailyDeclarationRow,
    DailyDwellRow,
    DailyRevenueRow,
    DailySeizureRow,
    DailySupervisionRow,
    RunningBalanceRow,
    total_key,
)


@dataclass(frozen=True)
class View:
    """What a figure covers: a node of the unit tree, its units within the caller's scope, a period.
    `whole`: the units are the node's whole subtree, so its pre-summed rows (`+node`) answer."""

    node: str
    units: frozenset[str]
    start: date
    end: date
    tree: UnitTree
    whole: bool = True

    def where(self, unit_col: Any, day_col: Any) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [day_col >= self.start, day_col <= self.end]
        conds.append(unit_col == total_key(self.node) if self.whole else unit_col.in_(sorted(self.units)))
        return conds

    def period(self, start: date, end: date) -> View:
        return replace(self, start=start, end=end)


def view(tree: UnitTree, scope: Scope, *, node: str | None, start: date, end: date, home: str | None) -> View:
    if start > end:
        raise ValidationFailed("the period starts after it ends", field="date_from")
    if node is None:
        node = home if scope.units is not None and home else (tree.roots() or ["00"])[0]
    if tree.get(node) is None:
        raise ValidationFailed(f"unknown unit {node!r}", field="unit")
    if not scope.covers_unit(node):
        raise Forbidden(f"unit {node} is outside your scope", code="out_of_scope")
    sub = tree.subtree(node)
    units = sub if scope.units is None else sub & scope.units
    return View(node, units, start, end, tree, whole=units == sub)


EPOCH = date(1900, 1, 1)


def level_as_of(session: Session, v: View, day: date, table: Any, change: Any, held: str) -> int | Decimal:
    """A running figure of the view's subtree at the end of `day`: the node's running balance less what
    moved after that day (pre-summed subtree), or, for a partial scope, the sum of its changes since the
    start of history."""
    if not v.whole:
        return _num(session.execute(select(func.sum(change)).where(*v.period(EPOCH, day).where(table.unit, table.day))).scalar())  # fmt: skip
    bal = session.get(RunningBalanceRow, v.node)
    now = getattr(bal, held) if bal is not None else 0
    after = session.execute(
        select(func.sum(change)).where(table.unit == total_key(v.node), table.day > day)
    ).scalar()
    return now - _num(after, like=now)


def _num(x: Any, like: Any = 0) -> Any:
    if isinstance(like, Decimal):
        return Decimal(str(x or 0))
    return int(x or 0) if not isinstance(x, Decimal) or x == int(x) else x


def _f(v: Any) -> float:
    return float(v or 0)


def revenue(session: Session, v: View) -> dict[str, Any]:
    """Collected against the estimate and the same period last year; refunds due shown apart."""
    cols = (DailyRevenueRow.day, func.sum(DailyRevenueRow.collected), func.sum(DailyRevenueRow.assessed))
    last = v.period(_year_back(v.start), _year_back(v.end))
    this_rows = session.execute(
        select(*cols).where(*v.where(DailyRevenueRow.unit, DailyRevenueRow.day)).group_by(DailyRevenueRow.day)
    ).all()
    last_rows = session.execute(
        select(*cols)
        .where(*last.where(DailyRevenueRow.unit, DailyRevenueRow.day))
        .group_by(DailyRevenueRow.day)
    ).all()
    t = DailyRevenueRow
    due = level_as_of(session, v, v.end, t, t.refunds_due, "refunds_due")
    collected = sum((Decimal(str(r[1] or 0)) for r in this_rows), Decimal(0))
    assessed = sum((Decimal(str(r[2] or 0)) for r in this_rows), Decimal(0))
    last_collected = sum((Decimal(str(r[1] or 0)) for r in last_rows), Decimal(0))
    estimate = budget.scoped_estimate(v.tree, budget.targets(session, v.end.year), v.units)
    figures = budget_figures(estimate, collected, Decimal(str(due or 0)), last_collected)
    series = _cumulative(v.start, this_rows, last_rows)
    return figures | {"assessed": vnd(assessed), "series": series, "year": v.end.year}


def budget_figures(
    estimate: Decimal, collected: Decimal, refunds_due: Decimal, last: Decimal
) -> dict[str, Any]:
    from haiquan.payments.domain import RevenueFigures

    f = RevenueFigures(estimate, collected, refunds_due, last)
    pct = [f.pct_of_estimate, f.pct_after_refunds, f.pct_of_last_year]
    return {
        "estimate": vnd(estimate), "collected": vnd(collected), "refunds_due": vnd(refunds_due),
        "same_period_last_year": vnd(last),
        "pct_of_estimate": None if pct[0] is None else float(pct[0]),
        "pct_after_refunds": None if pct[1] is None else float(pct[1]),
        "pct_of_last_year": None if pct[2] is None else float(pct[2]),
    }  # fmt: skip


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _cumulative(start: date, this_rows: Sequence[Any], last_rows: Sequence[Any]) -> dict[str, list[Any]]:
    """Running totals through each day (inclusive) of this year and of last year moved a year on, on the
    days either has. Plain Python: a few hundred days, where registering a frame in DuckDB cost ~100 ms."""
    by_day: dict[date, list[float]] = {}
    for r in this_rows:
        by_day.setdefault(_as_date(r[0]), [0.0, 0.0])[0] += _f(r[1])
    for r in last_rows:
        by_day.setdefault(_as_date(_next_year(r[0])), [0.0, 0.0])[1] += _f(r[1])
    out: dict[str, list[Any]] = {"day": [], "this": [], "last": []}
    this_cum = last_cum = 0.0
    for day in sorted(by_day):
        this_cum += by_day[day][0]
        last_cum += by_day[day][1]
        out["day"].append(day.isoformat())
        out["this"].append(vnd(repr(this_cum)))  # money: whole dong (the sums are exact below 2**53)
        out["last"].append(vnd(repr(last_cum)))
    return out


def _as_date(d: Any) -> date:
    return (
        d.date() if isinstance(d, datetime) else d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
    )


def _trunc(d: date, grain: str) -> datetime:
    """The start of the day, ISO week (Monday), month or year holding `d` (DuckDB's date_trunc)."""
    if grain == "week":
        d -= timedelta(days=d.weekday())
    elif grain == "month":
        d = d.replace(day=1)
    elif grain == "year":
        d = d.replace(month=1, day=1)
    return datetime(d.year, d.month, d.day)


def _next_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d.replace(year=d.year + 1, day=28)


LANES = (
    "green",
    "yellow",
    "red",
    "blue",
)  # blue (released at once, audited later) last: exports stay additive


def channels(session: Session, v: View, grain: str = "month") -> dict[str, Any]:
    if grain not in ("day", "week", "month", "year"):
        raise ValidationFailed("grain is day, week, month or year", field="grain")
    t = DailyDeclarationRow
    rows = session.execute(
        select(t.day, *(func.sum(getattr(t, k)) for k in LANES))
        .where(*v.where(t.unit, t.day))
        .group_by(t.day)
    ).all()
    if not rows:
        return {"period": [], **{k: [] for k in LANES}, "totals": dict.fromkeys(LANES, 0), "shares": {}}
    sums: dict[datetime, list[int]] = {}
    for day, *counts in rows:
        acc = sums.setdefault(_trunc(_as_date(day), grain), [0] * len(LANES))
        for i, x in enumerate(counts):
            acc[i] += int(x or 0)
    periods = sorted(sums)
    totals = {k: sum(sums[p][i] for p in periods) for i, k in enumerate(LANES)}
    total = sum(totals.values())
    shares = {k: round(100 * x / total, 2) for k, x in totals.items()} if total else {}
    series = {k: [sums[p][i] for p in periods] for i, k in enumerate(LANES)}
    return {"period": [p.isoformat() for p in periods], **series, "totals": totals, "shares": shares}


def _child_map(v: View, units: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """unit → the child of the viewed node that contains it (or the node itself), with its names."""
    kids = set(v.tree.children.get(v.node, ()))
    out = {}
    for u in units:
        child = next((a for a in v.tree.ancestors(u) if a in kids), v.node)
        unit = v.tree.get(child)
        out[u] = (child, unit.name_vi if unit else child, unit.name_en if unit else child)
    return out


def by_unit(session: Session, v: View) -> dict[str, Any]:
    """Declarations per unit one level down the tree (the drill-down table)."""
    t = DailyDeclarationRow
    where = v.where(t.unit, t.day)
    if v.whole:  # each child's pre-summed subtree, and what was recorded at the node itself
        kids = [total_key(k) for k in v.tree.children.get(v.node, ())]
        where = [t.day >= v.start, t.day <= v.end, t.unit.in_([*kids, v.node])]
    rows = session.execute(
        select(t.unit, func.sum(t.lodged), func.sum(t.registered), func.sum(t.cleared), func.sum(t.green),
               func.sum(t.yellow), func.sum(t.red), func.sum(t.blue)).where(*where).group_by(t.unit)
    ).all()  # fmt: skip
    if not rows:
        return {"rows": []}
    names = _child_map(v, [r[0].removeprefix(TOTAL) for r in rows])
    sums: dict[str, list[Any]] = {}
    for r in rows:
        child, name_vi, name_en = names[r[0].removeprefix(TOTAL)]
        acc = sums.setdefault(child, [child, name_vi, name_en, 0, 0, 0, 0, 0, 0, 0])
        for i, x in enumerate(r[1:]):
            acc[3 + i] += int(x or 0)
    out = sorted(sums.values(), key=lambda o: (-o[4], o[0]))  # registered, most first; then the unit
    keys = ["unit", "name_vi", "name_en", "lodged", "registered", "cleared", "green", "yellow", "red", "blue"]
    has_kids = {c for c in v.tree.children if v.tree.children[c]}
    return {
        "rows": [
            dict(zip(keys, [o[0], o[1], o[2], *(int(x) for x in o[3:])], strict=True))
            | {"drill": o[0] in has_kids and o[0] != v.node}
            for o in out
        ]
    }


def _histogram(session: Session, v: View, t: Any) -> list[tuple[int, int]]:
    rows = session.execute(
        select(t.bucket, func.sum(t.count)).where(*v.where(t.unit, t.day)).group_by(t.bucket)
    ).all()
    return sorted((int(r[0]), int(r[1] or 0)) for r in rows)


def percentiles(hist: list[tuple[int, int]], qs: Sequence[float] = (0.5, 0.9)) -> dict[str, int | None]:
    """The smallest bucket bound under which q of the observations fall (over the cumulative histogram,
    compared exactly: q is a decimal fraction, not a binary float)."""
    total = sum(c for _, c in hist)
    if not hist or total == 0:
        return {f"p{int(q * 100)}": None for q in qs}
    out: dict[str, int | None] = {}
    for q in qs:
        need, cum = Fraction(str(float(q))) * total, 0
        for bucket, n in sorted(hist):
            cum += n
            if cum >= need:
                out[f"p{int(q * 100)}"] = int(bucket)
                break
    return out


def clearance(session: Session, v: View) -> dict[str, Any]:
    hist = _histogram(session, v, DailyClearanceRow)
    t = DailyDeclarationRow
    n, secs = session.execute(
        select(func.sum(t.cleared), func.sum(t.clear_seconds)).where(*v.where(t.unit, t.day))
    ).one()
    mean = (int(secs or 0) / int(n)) / 60 if n else None
    return {
        "buckets_minutes": [b for b, _ in hist],
        "counts": [c for _, c in hist],
        "mean_minutes": mean,
        "cleared": int(n or 0),
    } | {k + "_minutes": x for k, x in percentiles(hist).items()}


def dwell(session: Session, v: View) -> dict[str, Any]:
    """Goods through the gates in the period, how long those that left had stayed, and what is in now."""
    hist = _histogram(session, v, DailyDwellRow)
    t = DailySupervisionRow
    gate_in, gate_out = session.execute(
        select(func.sum(t.gate_in), func.sum(t.gate_out)).where(*v.where(t.unit, t.day))
    ).one()
    return {
        "gate_in": int(gate_in or 0),
        "gate_out": int(gate_out or 0),
        "buckets_hours": [b for b, _ in hist],
        "counts": [c for _, c in hist],
        "in_area": int(level_as_of(session, v, v.end, t, t.gate_in - t.gate_out, "in_area")),
        "alerts_open": int(
            level_as_of(session, v, v.end, t, t.alerts_opened - t.alerts_closed, "alerts_open")
        ),
    } | {k + "_hours": x for k, x in percentiles(hist).items()}


def alerts(session: Session, v: View) -> dict[str, Any]:
    t = DailySupervisionRow
    rows = session.execute(
        select(t.day, func.sum(t.alerts_opened), func.sum(t.alerts_closed))
        .where(*v.where(t.unit, t.day))
        .group_by(t.day)
        .order_by(t.day)
    ).all()
    before = level_as_of(
        session, v, v.start - timedelta(days=1), t, t.alerts_opened - t.alerts_closed, "alerts_open"
    )
    level, days, open_ = int(before), [], []
    for r in rows:
        level += int(r[1] or 0) - int(r[2] or 0)
        days.append(r[0].isoformat())
        open_.append(level)
    return {"day": days, "open": open_, "open_now": level}


def seizures(session: Session, v: View) -> dict[str, Any]:
    t = DailySeizureRow
    rows = session.execute(
        select(t.day, t.route, t.province, func.sum(t.cases))
        .where(*v.where(t.unit, t.day))
        .group_by(t.day, t.route, t.province)
    ).all()
    if not rows:
        return {"by_route": [], "by_province": [], "total_cases": 0}
    by_route: dict[tuple[str, str], int] = {}
    by_prov: dict[tuple[str, str], int] = {}
    for day, route, province, cases in rows:
        month = _as_date(day).strftime("%Y-%m")
        by_route[month, route or "?"] = by_route.get((month, route or "?"), 0) + int(cases or 0)
        by_prov[month, province or "?"] = by_prov.get((month, province or "?"), 0) + int(cases or 0)
    return {"by_route": [{"month": a, "route": b, "cases": by_route[a, b]} for a, b in sorted(by_route)],
            "by_province": [{"month": a, "province": b, "cases": by_prov[a, b]} for a, b in sorted(by_prov)],
            "total_cases": sum(by_route.values())}  # fmt: skip


FIGURES = {"revenue": revenue, "channels": channels, "units": by_unit, "clearance": clearance, "dwell": dwell,
           "alerts": alerts, "seizures": seizures, "permits": permits,
           "preferences": preferences, "outlook": outlook}  # fmt: skip
FIGURES["applications"] = applications  # applications handled online and on time (issue #20)
FIGURES["regimes"] = regimes  # special regimes' open stock and deadlines (issue #19)
FIGURES["finalisation"] = finalisation  # duty at stake in finalisation discrepancies (issue #19)
