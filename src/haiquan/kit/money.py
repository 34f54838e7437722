"""Money is Decimal. VND amounts are rounded to whole dong, half up, as tax notices are."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer

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


def plain(value: Decimal) -> str:
    """The one form a number takes in an answer: a decimal string without exponent or trailing zeros
    ("26322", "0.1"), whatever scale the database read it with (PostgreSQL's NUMERIC keeps it, SQLite not)."""
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


# A Decimal field of an answer: serialized with plain() (JSON); Python-mode dumps keep the Decimal.
Dec = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]


def encoded(data: Any) -> Any:
    """A free-form answer (a dict of figures) with its Decimals in the one form: FastAPI's own encoder would
    make them JSON numbers (floats), which money in an answer never is."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(data, custom_encoder={Decimal: plain})
