"""Revenue outlook for the leaders' dashboard: the stretch target beside the legal estimate, and a
year-end forecast from the year so far shaped like last year. Pure functions over Decimal; results in
whole dong (half up).

Forecast: what was collected by day D this year, times last year's full-year total over last year's
collections by the same day (the year runs as last year did). With no collections last year by that day
the year so far is extrapolated by days elapsed. Month by month, the months ahead are last year's
months scaled by the same ratio."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, localcontext

from haiquan.taxes.interest import WIDE, ZERO, to_dong

STRETCH = Decimal("0.05")  # the +5 % stretch target (Nghị quyết ... : phấn đấu thu vượt 5 % dự toán)


def stretch_target(estimate: Decimal, uplift: Decimal = STRETCH) -> Decimal:
    return to_dong(estimate * (1 + uplift))


def year_end_forecast(so_far: Decimal, last_so_far: Decimal, last_full: Decimal, on: date) -> Decimal:
    """The year's total expected from `so_far` (1 January to `on`), shaped by last year."""
    if so_far <= 0:
        return ZERO
    with localcontext(WIDE):
        if last_so_far > 0 and last_full >= last_so_far:
            return to_dong(so_far * last_full / last_so_far)
        start, end = date(on.year, 1, 1), date(on.year, 12, 31)
        return to_dong(so_far * ((end - start).days + 1) / ((on - start).days + 1))


def monthly_path(
    this: Sequence[Decimal], last: Sequence[Decimal], through: int, forecast: Decimal
) -> list[Decimal]:
    """Cumulative totals for the 12 months: this year's actual to month `through` (1–12), then last
    year's months scaled so that December reaches `forecast`."""
    with localcontext(WIDE):
        return _path(this, last, through, forecast)


def _path(this: Sequence[Decimal], last: Sequence[Decimal], through: int, forecast: Decimal) -> list[Decimal]:
    done = sum(this[:through], ZERO)
    ahead = sum(last[through:12], ZERO)
    out, run = [], ZERO
    for m in range(12):
        if m < through:
            run += this[m]
        elif ahead > 0:
            run += (forecast - done) * last[m] / ahead
        else:
            run += (forecast - done) / (12 - through)
        out.append(to_dong(run))
    if through < 12:
        out[-1] = forecast
    return out
