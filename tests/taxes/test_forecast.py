"""The year-end forecast and the stretch target: properties (whole dong, last year's shape)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from haiquan.taxes.forecast import monthly_path, stretch_target, year_end_forecast

MONEY = st.integers(min_value=0, max_value=10**15).map(Decimal)
DAY = st.integers(min_value=0, max_value=364).map(lambda d: date(2026, 1, 1) + timedelta(days=d))


def test_the_stretch_target_is_five_percent_above() -> None:
    assert stretch_target(Decimal(1_000_000_000)) == Decimal(1_050_000_000)


def test_a_year_like_last_year() -> None:
    # 40 % of last year's total was in by this day last year: 400 collected → 1,000 expected
    assert year_end_forecast(Decimal(400), Decimal(4000), Decimal(10000), date(2026, 6, 30)) == Decimal(1000)


@given(MONEY, MONEY, MONEY, DAY)
def test_the_forecast_is_whole_and_never_below_the_year_so_far(
    a: Decimal, b: Decimal, c: Decimal, on: date
) -> None:
    last_so_far, last_full = min(b, c), max(b, c)
    f = year_end_forecast(a, last_so_far, last_full, on)
    assert f == f.to_integral_value()
    assert f >= a


@given(MONEY, MONEY, st.integers(min_value=1, max_value=10**6).map(Decimal), DAY)
def test_more_so_far_never_forecasts_less(a: Decimal, more: Decimal, last: Decimal, on: date) -> None:
    assert year_end_forecast(a + more, last, 3 * last, on) >= year_end_forecast(a, last, 3 * last, on)


@given(st.lists(MONEY, min_size=12, max_size=12), st.lists(MONEY, min_size=12, max_size=12),
       st.integers(min_value=1, max_value=11))  # fmt: skip
def test_the_path_follows_the_actuals_then_ends_at_the_forecast(
    this: list[Decimal], last: list[Decimal], through: int
) -> None:
    so_far = sum(this[:through], Decimal(0))
    forecast = so_far + sum(last[through:], Decimal(0)) + 7
    path = monthly_path(this, last, through, forecast)
    assert path[through - 1] == so_far
    assert path[-1] == forecast
    assert path == sorted(path)
