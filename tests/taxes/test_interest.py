"""Late-payment interest: properties over any amount, dates and rate (whole dong, half up, rounded once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from haiquan.taxes.interest import (
    LEGAL_RATE_PER_DAY,
    days_late,
    late_interest,
    paid_on_until,
    schedule_interest,
)

AMOUNTS = st.integers(min_value=0, max_value=10**13).map(Decimal)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
SPANS = st.integers(min_value=-400, max_value=2000)
RATES = st.sampled_from([Decimal("0"), Decimal("0.0003"), Decimal("0.0005"), Decimal("0.0001")])


def test_the_legal_example() -> None:
    # 100 million dong paid 10 days late: 100,000,000 × 0.03 % × 10 = 300,000 dong
    due = date(2026, 3, 1)
    assert late_interest(Decimal(100_000_000), due=due, until=due + timedelta(days=10)) == Decimal(300_000)
    # money reaching the budget on the 11th day after the due date: 10 days charged
    assert days_late(due, paid_on_until(due + timedelta(days=11))) == 10


def test_half_a_dong_rounds_up() -> None:
    due = date(2026, 1, 1)
    # 5,000 × 0.0003 × 1 = 1.5 → 2; 1,000 × 0.0003 = 0.3 → 0
    assert late_interest(Decimal(5000), due=due, until=date(2026, 1, 2)) == Decimal(2)
    assert late_interest(Decimal(1000), due=due, until=date(2026, 1, 2)) == Decimal(0)


@given(AMOUNTS, DAYS, SPANS, RATES)
def test_whole_dong_never_negative_and_within_half_a_dong(
    a: Decimal, due: date, span: int, r: Decimal
) -> None:
    until = due + timedelta(days=span)
    got = late_interest(a, due=due, until=until, rate_per_day=r)
    assert got == got.to_integral_value()
    assert got >= 0
    assert abs(got - a * r * max(0, span)) <= Decimal("0.5")


@given(AMOUNTS, DAYS, st.integers(min_value=-50, max_value=0))
def test_nothing_on_or_before_the_due_date(a: Decimal, due: date, span: int) -> None:
    assert late_interest(a, due=due, until=due + timedelta(days=span)) == 0


@given(AMOUNTS, DAYS, SPANS, st.integers(min_value=0, max_value=500))
def test_monotonic_in_time_and_amount(a: Decimal, due: date, span: int, more: int) -> None:
    until = due + timedelta(days=span)
    base = late_interest(a, due=due, until=until)
    assert late_interest(a, due=due, until=until + timedelta(days=more)) >= base
    assert late_interest(a + more, due=due, until=until) >= base


@given(AMOUNTS, DAYS, SPANS)
def test_one_balance_schedule_equals_the_simple_formula(a: Decimal, due: date, span: int) -> None:
    until = due + timedelta(days=span)
    assert schedule_interest(due, [(due, a)], until) == late_interest(a, due=due, until=until)


@given(
    AMOUNTS, AMOUNTS, DAYS, st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=400)
)
def test_a_part_payment_charges_each_part_for_its_own_days(
    a: Decimal, b: Decimal, due: date, first: int, second: int
) -> None:
    """a + b owed; a paid on day P: a is charged to P - 1, b to `until`; the same as two debts."""
    paid = due + timedelta(days=first)
    until = paid + timedelta(days=second)
    got = schedule_interest(due, [(due, a + b), (paid, b)], until)
    exact = a * LEGAL_RATE_PER_DAY * days_late(due, paid_on_until(paid)) + b * LEGAL_RATE_PER_DAY * days_late(
        due, until
    )
    assert abs(got - exact) <= Decimal("0.5")
