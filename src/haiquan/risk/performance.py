"""How well the engine targets, per office and month: lanes, hit rate per lane, precision of the red
lane (score-selected) against the random picks, revenue found, and the drift of the score (PSI)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.risk.tables import RiskDecisionRow

LANES = ("green", "blue", "yellow", "red")


def _empty() -> dict[str, Any]:
    return {
        "declarations": 0,
        "lanes": {lane: 0 for lane in LANES},
        "inspected": {lane: 0 for lane in LANES},
        "frauds": {lane: 0 for lane in LANES},
        "random": {"picked": 0, "inspected": 0, "frauds": 0},
        "red_by_score": {"inspected": 0, "frauds": 0},
        "revenue_found": Decimal(0),
        "scores": [],
    }


def psi(expected: list[float], actual: list[float], bins: int = 10) -> float | None:
    """Population stability index of `actual` against `expected` (deciles of `expected`)."""
    if len(expected) < 20 or len(actual) < 20:
        return None
    ref = sorted(expected)
    edges = [ref[int(len(ref) * i / bins)] for i in range(1, bins)]

    def shares(values: list[float]) -> list[float]:
        counts = [0] * bins
        for v in values:
            counts[sum(1 for e in edges if v > e)] += 1
        return [max(c / len(values), 1e-4) for c in counts]

    e, a = shares(expected), shares(actual)
    return round(sum((ai - ei) * math.log(ai / ei) for ai, ei in zip(a, e, strict=True)), 4)


def _add(b: dict[str, Any], r: RiskDecisionRow) -> None:
    b["declarations"] += 1
    b["lanes"][r.channel] += 1
    b["scores"].append(float(r.score))
    if r.random_pick:
        b["random"]["picked"] += 1
    if not r.inspected:
        return
    b["inspected"][r.channel] += 1
    fraud = 1 if r.fraud_found else 0
    b["frauds"][r.channel] += fraud
    b["revenue_found"] += r.revenue_found or Decimal(0)
    if r.random_pick:
        b["random"]["inspected"] += 1
        b["random"]["frauds"] += fraud
    elif r.channel == "red" and not r.forced:
        b["red_by_score"]["inspected"] += 1
        b["red_by_score"]["frauds"] += fraud


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _finish(b: dict[str, Any], previous: list[float] | None) -> dict[str, Any]:
    n = b["declarations"]
    scores: list[float] = b.pop("scores")
    b["lane_shares"] = {lane: _rate(b["lanes"][lane], n) for lane in LANES}
    b["hit_rate"] = {lane: _rate(b["frauds"][lane], b["inspected"][lane]) for lane in LANES}
    b["precision_at_red_budget"] = _rate(b["red_by_score"]["frauds"], b["red_by_score"]["inspected"])
    b["random_hit_rate"] = _rate(b["random"]["frauds"], b["random"]["inspected"])
    b["score_mean"] = round(sum(scores) / len(scores), 6) if scores else None
    b["score_psi_vs_previous_month"] = psi(previous, scores) if previous else None
    b["revenue_found"] = str(b["revenue_found"])
    return b


def report(
    session: Session, *, scope: Scope, date_from: date, date_to: date, office: str | None = None
) -> dict[str, Any]:
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    q = select(RiskDecisionRow).where(RiskDecisionRow.decided_at >= start, RiskDecisionRow.decided_at < end)
    if scope.units is not None:
        q = q.where(RiskDecisionRow.office.in_(scope.units))
    if office:
        q = q.where(RiskDecisionRow.office == office)
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(_empty)
    totals = _empty()
    for r in session.scalars(q.order_by(RiskDecisionRow.decided_at)):
        month = clock.to_vn(r.decided_at).strftime("%Y-%m")
        _add(groups[(r.office, month)], r)
        _add(totals, r)
    rows = []
    last: dict[str, list[float]] = {}
    for (off, month), b in sorted(groups.items()):
        scores = list(b["scores"])
        rows.append({"office": off, "month": month, **_finish(b, last.get(off))})
        last[off] = scores
    return {
        "date_from": date_from,
        "date_to": date_to,
        "office": office,
        "total": _finish(totals, None),
        "rows": rows,
    }
