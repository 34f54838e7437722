"""Reports of enforcement for a unit and a period: the articles' figures, and how seizures move between
provinces, routes and regions over time (displacement)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.enforcement import domain, places
from haiquan.enforcement import repository as repo
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Forbidden, NotFound, ValidationFailed
from haiquan.organization import service as org

PERIODS = ("month", "quarter", "half")
METRICS = ("cases", "grams", "value_vnd")


@dataclass(frozen=True)
class Window:
    unit: str
    unit_name_vi: str
    unit_name_en: str
    units: frozenset[str]
    start: date
    end: date


def subtree_in_scope(session: Session, *, principal: Principal, unit: str) -> frozenset[str]:
    """A unit and the units under it, as far as the caller may see; NotFound outside the caller's scope."""
    if not principal.is_officer:
        raise Forbidden("enforcement records are for customs officers", code="officers_only")
    tree = org.TREES.get(session)
    if tree.get(unit) is None or not principal.scope.covers_unit(unit):
        raise NotFound(f"no unit {unit} in your scope", field="unit")
    units = tree.subtree(unit)
    return units if principal.scope.units is None else units & principal.scope.units


def window(session: Session, *, principal: Principal, unit: str, start: date, end: date) -> Window:
    """The unit subtree the caller may report on, and a checked period."""
    units = subtree_in_scope(session, principal=principal, unit=unit)
    if end < start:
        raise ValidationFailed("to is before from", field="to")
    if (end - start).days > 3 * 366:
        raise ValidationFailed("a report covers at most three years", field="to")
    u = org.TREES.get(session).units[unit]
    return Window(unit, u.name_vi, u.name_en or f"Customs unit {unit}", units, start, end)


def summarize(data: repo.ReportData, start: date, end: date) -> domain.Summary:
    s = domain.Summary()
    _count_cases(s, data, start, end)
    _count_outcomes(s, data, start, end)
    for it in data.items:
        if not start <= it.seized_on <= end:
            continue
        bucket = s.substances if it.kind == "drug" else s.goods
        t = bucket.setdefault(it.category, domain.Totals())
        t.add(it.quantity, it.unit_of_measure, it.count, it.count_unit)
        t.value_vnd += it.value_vnd or 0
    return s


def _count_cases(s: domain.Summary, data: repo.ReportData, start: date, end: date) -> None:
    """Cases detected in the window: drugs (coordinated with other forces, persons detained) or smuggling."""
    for c in data.cases:
        if not start <= c.detected_on <= end:
            continue
        if c.field != domain.Field.DRUGS:
            s.smuggling_detected += 1
            continue
        s.drug_cases += 1
        if c.coordinated_with:
            s.drug_cases_coordinated += 1
            s.persons_detained += data.detained.get(c.id, 0)


def _count_outcomes(s: domain.Summary, data: repo.ReportData, start: date, end: date) -> None:
    """Smuggling cases prosecuted or transferred by a decision in the window (each counted once)."""
    cases = {c.id: c for c in data.cases}
    prosecuted: set[str] = set()
    transferred: set[str] = set()
    for h in data.history:
        case = cases.get(h.case_id)
        if case is None or case.field == domain.Field.DRUGS or not start <= h.decided_on <= end:
            continue
        if h.to_status == domain.CaseStatus.PROSECUTED:
            prosecuted.add(h.case_id)
        elif h.to_status in domain.TRANSFERRED:
            transferred.add(h.case_id)
    s.prosecuted, s.transferred = len(prosecuted), len(transferred)


def _totals_out(code: str, t: domain.Totals) -> dict[str, Any]:
    cat = domain.CATEGORIES[code]
    p = domain.plain
    return {
        "category": code, "name_vi": cat.name_vi, "name_en": cat.name_en, "grams": p(t.grams),
        "tablets": p(t.tablets), "pieces": p(t.pieces), "litres": p(t.litres), "value_vnd": p(t.value_vnd),
        "items": t.items,
    }  # fmt: skip


def summary_report(session: Session, *, principal: Principal, w: Window) -> dict[str, Any]:
    data = repo.report_data(session, scope=principal.scope, units=w.units, start=w.start, end=w.end)
    s = summarize(data, w.start, w.end)
    goods = sorted(s.goods.items(), key=lambda kv: (-kv[1].value_vnd, kv[0]))
    return {
        "unit": w.unit,
        "unit_name": w.unit_name_vi,
        "from": w.start,
        "to": w.end,
        "counts": {
            "smuggling_detected": s.smuggling_detected,
            "prosecuted": s.prosecuted,
            "transferred": s.transferred,
            "drug_cases": s.drug_cases,
            "drug_cases_coordinated": s.drug_cases_coordinated,
            "persons_detained": s.persons_detained,
        },
        "substances": [_totals_out(c, t) for c, t in s.ordered_substances()],
        "goods": [_totals_out(c, t) for c, t in goods],
        "text_vi": domain.summary_sentence(s, lang="vi", subject=w.unit_name_vi),
        "text_en": domain.summary_sentence(s, lang="en", subject=w.unit_name_en),
    }


def period_of(day: date, period: str) -> str:
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def periods_between(start: date, end: date, period: str) -> list[str]:
    out: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        label = period_of(date(y, m, 1), period)
        if label not in out:
            out.append(label)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Matrix:
    periods: list[str]
    values: dict[str, list[Decimal]] = field(default_factory=dict)

    def add(self, key: str, period: str, amount: Decimal) -> None:
        row = self.values.setdefault(key, [Decimal(0)] * len(self.periods))
        row[self.periods.index(period)] += amount

    def shares(self, idx: int) -> dict[str, Decimal]:
        total = sum((row[idx] for row in self.values.values()), Decimal(0))
        return {k: (row[idx] / total * 100 if total else Decimal(0)) for k, row in self.values.items()}

    def shift(self) -> list[dict[str, Any]]:
        """Share of each row in the first and the last period, and the change in percentage points."""
        if len(self.periods) < 2:
            return []
        first, last = self.shares(0), self.shares(len(self.periods) - 1)
        out = [
            {
                "key": k,
                "share_first": _r(first[k]),
                "share_last": _r(last[k]),
                "change_pp": _r(last[k] - first[k]),
            }
            for k in self.values
        ]
        return sorted(out, key=lambda d: d["change_pp"], reverse=True)


def _r(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.1"))


def _amount(metric: str, case_items: list[Any]) -> Decimal:
    if metric == "grams":
        return sum(
            (domain.to_grams(i.quantity, i.unit_of_measure) for i in case_items if i.kind == "drug" and i.unit_of_measure in domain.MASS),
            Decimal(0),
        )  # fmt: skip
    return sum((i.value_vnd or Decimal(0) for i in case_items), Decimal(0))


def displacement(
    session: Session, *, principal: Principal, w: Window, period: str, metric: str, case_field: str | None
) -> dict[str, Any]:
    if period not in PERIODS:
        raise ValidationFailed(f"period must be one of: {', '.join(PERIODS)}", field="period")
    if metric not in METRICS:
        raise ValidationFailed(f"metric must be one of: {', '.join(METRICS)}", field="metric")
    f = repo.CaseFilter(units=w.units, date_from=w.start, date_to=w.end, field=case_field)
    cases = repo.list_cases(session, f, scope=principal.scope, limit=1_000_000, after=None)
    items: dict[str, list[Any]] = defaultdict(list)
    if metric != "cases":
        for it in repo.items_of(session, [c.id for c in cases], scope=principal.scope):
            items[it.case_id].append(it)
    labels = periods_between(w.start, w.end, period)
    dims = {"province": Matrix(labels), "route": Matrix(labels), "region": Matrix(labels)}
    for c in cases:
        amount = Decimal(1) if metric == "cases" else _amount(metric, items[c.id])
        p = period_of(c.detected_on, period)
        for dim, key in (("province", c.province), ("route", c.route), ("region", c.region)):
            dims[dim].add(key, p, amount)
    return {
        "unit": w.unit, "from": w.start, "to": w.end, "period": period, "metric": metric,
        "field": case_field, "periods": labels,
        **{dim: _rows(dim, m) for dim, m in dims.items()},
        "shift": {dim: m.shift() for dim, m in dims.items()},
    }  # fmt: skip


def _label(dim: str, key: str) -> tuple[str, str]:
    if dim == "province":
        prov = places.provinces().get(key)
        return (prov.name_vi, prov.name_en) if prov else (key, key)
    if dim == "route":
        return domain.ROUTE_LABELS.get(key, (key, key))
    return places.REGIONS.get(key, (key, key))


def _rows(dim: str, m: Matrix) -> list[dict[str, Any]]:
    out = []
    for key, values in m.values.items():
        vi, en = _label(dim, key)
        out.append(
            {
                "key": key,
                "name_vi": vi,
                "name_en": en,
                "values": [domain.plain(v) for v in values],
                "total": domain.plain(sum(values, Decimal(0))),
            }
        )
    return sorted(out, key=lambda r: (-r["total"], r["key"]))
