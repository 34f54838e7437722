"""The revenue outlook on the leaders' dashboard (issue #20): the legal estimate and the +5 % stretch
target, the year so far, a year-end forecast shaped by last year (taxes.forecast), refunds due, and the
month-by-month path of this year, last year and the forecast."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.kit.money import vnd
from haiquan.payments import budget
from haiquan.reports.tables import DailyRevenueRow
from haiquan.taxes.forecast import monthly_path, stretch_target, year_end_forecast

if TYPE_CHECKING:
    from haiquan.reports.queries import View


def _by_month(session: Session, v: View, start: date, end: date) -> list[Decimal]:
    t = DailyRevenueRow
    rows = session.execute(
        select(t.day, func.sum(t.collected)).where(*v.period(start, end).where(t.unit, t.day)).group_by(t.day)
    ).all()
    months = [Decimal(0)] * 12
    for day, collected in rows:
        months[day.month - 1] += Decimal(str(collected or 0))
    return months


def outlook(session: Session, v: View) -> dict[str, Any]:
    year, end = v.end.year, v.end
    this = _by_month(session, v, date(year, 1, 1), end)
    last = _by_month(session, v, date(year - 1, 1, 1), date(year - 1, 12, 31))
    same_day = end.replace(year=year - 1) if not (end.month == 2 and end.day == 29) else date(year - 1, 2, 28)
    last_so_far = sum(_by_month(session, v, date(year - 1, 1, 1), same_day), Decimal(0))
    so_far = sum(this, Decimal(0))
    forecast = year_end_forecast(so_far, last_so_far, sum(last, Decimal(0)), end)
    estimate = budget.scoped_estimate(v.tree, budget.targets(session, year), v.units)
    path = monthly_path(this, last, end.month, forecast) if forecast > 0 else []
    cum_last, run = [], Decimal(0)
    for m in last:
        run += m
        cum_last.append(vnd(run))
    return {
        "year": year, "estimate": vnd(estimate), "stretch": stretch_target(estimate), "so_far": vnd(so_far),
        "forecast": forecast, "through_month": end.month,
        "pct_forecast_of_estimate": None if estimate <= 0 else float(round(forecast * 100 / estimate, 1)),
        "months": list(range(1, 13)), "path": [vnd(x) for x in path], "last_year": cum_last,
    }  # fmt: skip
