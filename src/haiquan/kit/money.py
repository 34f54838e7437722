"""Money is Decimal. VND amounts are rounded to whole dong, half up, as tax notices are."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")


def vnd(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def rate(value: Decimal | int | str) -> Decimal:
    """A rate in percent, e.g. Decimal('10') for 10%."""
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a rate: {value!r}") from exc
    if d < 0 or d > 1000:
        raise ValueError(f"rate out of range: {value!r}")
    return d


def percent_of(amount: Decimal, pct: Decimal) -> Decimal:
    return amount * pct / Decimal(100)
