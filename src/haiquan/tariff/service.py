"""Tariff look-ups for pricing a declaration, on top of the reference cache (one snapshot per engine)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.kit.errors import ValidationFailed
from haiquan.reference import service as reference
from haiquan.tariff.domain import Rates


def invalidate() -> None:
    reference.CACHE.invalidate()


def rates_for(session: Session, hs8: str, *, field: str) -> Rates:
    line = reference.tariff_line(session, hs8=hs8)
    if line is None:
        raise ValidationFailed(
            f"HS code {hs8} is not a line of the national tariff", field=field, code="unknown_hs"
        )
    prefs = {
        k.upper(): Decimal(str(v)) for k, v in (line.preferential or {}).items() if v is not None and v != ""
    }
    return Rates(
        mfn=Decimal(line.mfn_rate),
        vat=Decimal(line.vat_rate),
        excise=Decimal(line.excise_rate),
        export=Decimal(line.export_rate),
        preferential=prefs,
    )


def exchange_rate(session: Session, currency: str, on: date, *, field: str) -> Decimal:
    """The customs rate of the day: the latest published rate valid on or before the date."""
    value = reference.exchange_rate(session, currency=currency, on=on)
    if value is None:
        raise ValidationFailed(
            f"no exchange rate for {currency} on {on.isoformat()}", field=field, code="no_rate"
        )
    return value
