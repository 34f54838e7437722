"""Generated history for the dashboard at national scale: daily rollups for every sub-department, generated
with numpy and written in bulk (`haiquan.reports.bulk`), with a Rich progress bar.
Shapes follow the articles: ~13 M declarations a year growing ~22% a year, channels near Đà Nẵng's
49.75 / 43.2 / 7.05, revenue near 315,000 bn VND a year nationally (≈ 24 M VND per declaration)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from rich.progress import Progress
from sqlalchemy import Engine

from haiquan.organization.domain import UnitTree
from haiquan.reports.bulk import clear, rebuild_balances, with_totals, write
from haiquan.reports.tables import CLEARANCE_BUCKETS_MIN, DWELL_BUCKETS_H

CHANNELS = np.array([0.4975, 0.432, 0.0705])
DUTY_PER_DECLARATION = 24_000_000  # VND
ROUTES = ("express", "airport", "road_border_gate", "seaport")  # the enforcement module's route codes
PROVINCES = (
    "Lạng Sơn",
    "Quảng Ninh",
    "Hà Nội",
    "TP Hồ Chí Minh",
    "An Giang",
    "Tây Ninh",
    "Quảng Trị",
    "Lào Cai",
)


@dataclass(frozen=True)
class Plan:
    years: int
    per_year: int  # declarations in the last year
    end: date
    offices: tuple[str, ...]
    seed: int = 7
    duty: int = DUTY_PER_DECLARATION  # VND collected per declaration, on average

    @property
    def start(self) -> date:
        return date(self.end.year - self.years + 1, 1, 1)


def offices_of(tree: UnitTree) -> tuple[str, ...]:
    subs = sorted(c for c, u in tree.units.items() if u.level == "subdepartment")
    return tuple(subs) or tuple(sorted(c for c, u in tree.units.items() if u.level == "department"))


def _days(plan: Plan) -> list[date]:
    n = (plan.end - plan.start).days + 1
    return [plan.start + timedelta(days=i) for i in range(n)]


def year_batches(plan: Plan) -> Iterator[tuple[int, list[date]]]:
    days = _days(plan)
    for y in range(plan.start.year, plan.end.year + 1):
        yield y, [d for d in days if d.year == y]


def generate(
    plan: Plan, year: int, days: Sequence[date], rng: np.random.Generator
) -> dict[str, list[tuple[Any, ...]]]:
    """One year of rollup rows for every office."""
    n_off, n_day = len(plan.offices), len(days)
    growth = 1.22 ** (year - plan.end.year)
    weights = rng.pareto(1.2, n_off) + 0.05
    weights /= weights.sum()
    weekday = np.array([0.45 if d.weekday() == 6 else 0.8 if d.weekday() == 5 else 1.12 for d in days])
    lam = np.outer(weights, weekday) * plan.per_year * growth / n_day
    reg = rng.poisson(lam)
    green = rng.binomial(reg, CHANNELS[0])
    yellow = rng.binomial(reg - green, CHANNELS[1] / (1 - CHANNELS[0]))
    red = reg - green - yellow
    cleared = rng.binomial(reg, 0.985)
    minutes = rng.gamma(1.5, 90.0, size=reg.shape)
    collected = (reg * plan.duty * rng.uniform(0.6, 1.4, reg.shape)).round(0)
    rows: dict[str, list[tuple[Any, ...]]] = {
        k: [] for k in ("declarations", "revenue", "clearance", "supervision", "dwell", "seizures")
    }
    buckets = np.array(CLEARANCE_BUCKETS_MIN[:6])
    for i, office in enumerate(plan.offices):
        for j, d in enumerate(days):
            r = int(reg[i, j])
            if r == 0:
                continue
            c = int(cleared[i, j])
            rows["declarations"].append(
                (
                    office,
                    d,
                    r,
                    r,
                    int(green[i, j]),
                    int(yellow[i, j]),
                    int(red[i, j]),
                    c,
                    0,
                    int(c * minutes[i, j] * 60),
                )
            )
            col = float(collected[i, j])
            rows["revenue"].append(
                (office, d, round(col * 1.01), col, round(col * 0.027 / 365 * 12), 0.0, 0.0)
            )
            split = rng.multinomial(c, [0.3, 0.25, 0.2, 0.12, 0.08, 0.05]) if c else np.zeros(6, dtype=int)
            rows["clearance"].extend(
                (office, d, int(b), int(k)) for b, k in zip(buckets, split, strict=True) if k
            )
            gi = max(0, int(r * 0.6))
            opened = int(rng.poisson(0.3))  # most alerts are closed the day they open
            rows["supervision"].append((office, d, gi, gi, opened, int(rng.binomial(opened, 0.93))))
            if gi:
                dw = rng.multinomial(gi, [0.35, 0.25, 0.2, 0.1, 0.05, 0.03, 0.02, 0.0])
                rows["dwell"].extend(
                    (office, d, int(b), int(k)) for b, k in zip(DWELL_BUCKETS_H, dw, strict=True) if k
                )
        for jj in np.flatnonzero(rng.random(n_day) < 0.01):
            j = int(jj)
            shift = (year + j // 120) % len(ROUTES)  # smuggling moves between routes over the years
            rows["seizures"].append(
                (
                    office,
                    days[j],
                    PROVINCES[(i + shift) % len(PROVINCES)],
                    ROUTES[shift],
                    "MDMA",
                    "g",
                    1,
                    round(float(rng.gamma(2, 300)), 2),
                )
            )
    return rows


def run(engine: Engine, plan: Plan, *, tree: UnitTree, show: bool = True) -> int:
    """Replace the rollups of the plan's period with generated history (office rows and the pre-summed rows
    of every unit above them), then recompute the running balances; returns rows written."""
    rng = np.random.default_rng(plan.seed)
    clear(engine, plan.start, plan.end)
    total = 0
    with Progress(disable=not show) as progress:
        task = progress.add_task("history", total=plan.years)
        for year, days in year_batches(plan):
            total += write(engine, with_totals(generate(plan, year, days, rng), tree))
            progress.update(task, advance=1, description=f"{year}: {total:,} rows")
    rebuild_balances(engine)
    return total
