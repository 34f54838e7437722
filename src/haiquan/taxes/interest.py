"""Late-payment interest (tiền chậm nộp): pure functions over Decimal, in whole dong.

The law (Luật Quản lý thuế 38/2019/QH14, Article 59): 0.03 % a day of the amount paid late, counted
continuously from the day after the due date up to the day before the money reaches the budget.

Here: `late_interest(amount, due=D, until=U)` charges every day from D + 1 to U inclusive (none when
U <= D). For an amount paid on day P pass `until = P - 1 day` (`paid_on_until`). Rounding: the exact
product amount × rate × days is rounded once, half up, to whole dong; a schedule of several balances
(`schedule_interest`) adds the exact figures of its segments and rounds the sum once, so splitting a
period never changes the result by more than nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal

LEGAL_RATE_PER_DAY = Decimal("0.0003")  # 0.03 % a day, Luật Quản lý thuế 2019 Article 59(2)(a)
DONG = Decimal("1")
ZERO = Decimal("0")


WIDE = Context(prec=60)  # whole dong of any product of amounts (the default 28 digits would overflow)


def to_dong(value: Decimal) -> Decimal:
    """Whole dong, half up (0.5 đồng → 1 đồng)."""
    return value.quantize(DONG, rounding=ROUND_HALF_UP, context=WIDE)


def days_late(due: date, until: date) -> int:
    """The days charged: from the day after `due` to `until` inclusive (0 when not late)."""
    return max(0, (until - due).days)


def paid_on_until(paid_on: date) -> date:
    """The last day charged for money that reached the budget on `paid_on`."""
    return paid_on - timedelta(days=1)


def exact_interest(
    amount: Decimal, *, due: date, until: date, rate_per_day: Decimal = LEGAL_RATE_PER_DAY
) -> Decimal:
    """The unrounded interest on `amount` (negative amounts charge nothing)."""
    if amount <= 0:
        return ZERO
    return amount * rate_per_day * days_late(due, until)


def late_interest(
    amount: Decimal, *, due: date, until: date, rate_per_day: Decimal = LEGAL_RATE_PER_DAY
) -> Decimal:
    """Interest on `amount` unpaid after `due`, through `until`, in whole dong (half up)."""
    if rate_per_day < 0:
        raise ValueError("the rate cannot be negative")
    return to_dong(exact_interest(amount, due=due, until=until, rate_per_day=rate_per_day))


def schedule_interest(
    due: date,
    balances: Iterable[tuple[date, Decimal]],
    until: date,
    rate_per_day: Decimal = LEGAL_RATE_PER_DAY,
) -> Decimal:
    """Interest on a debt whose unpaid balance changes: `balances` lists (from this day on, the balance)
    in day order; each balance is charged for its days after `due` up to the next change (or through
    `until`). Exact per segment, rounded once at the end."""
    total = ZERO
    points = sorted(balances, key=lambda b: b[0])
    for i, (start, balance) in enumerate(points):
        end = points[i + 1][0] - timedelta(days=1) if i + 1 < len(points) else until
        end = min(end, until)
        first_charged = max(due, start - timedelta(days=1))
        total += exact_interest(balance, due=first_charged, until=end, rate_per_day=rate_per_day)
    return to_dong(total)
