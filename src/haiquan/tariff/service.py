"""Tariff look-ups on the hot path of lodging: tariff lines and exchange rates, cached in-process."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit.errors import ValidationFailed
from haiquan.reference.tables import ExchangeRateRow, TariffLineRow
from haiquan.tariff.domain import Rates

_lock = threading.Lock()
_rates: dict[str, tuple[Rates, str, str]] = {}
_fx: dict[str, list[tuple[date, Decimal]]] = {}
_loaded = False


def invalidate() -> None:
    global _loaded
    with _lock:
        _rates.clear()
        _fx.clear()
        _loaded = False


def _load(session: Session) -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        for t in session.scalars(select(TariffLineRow)).all():
            prefs = {k.upper(): Decimal(str(v)) for k, v in (t.preferential or {}).items() if v is not None}
            rates = Rates(
                mfn=Decimal(t.mfn_rate),
                vat=Decimal(t.vat_rate),
                excise=Decimal(t.excise_rate),
                export=Decimal(t.export_rate),
                preferential=prefs,
            )
            _rates[t.hs8] = (rates, t.description_vi, t.unit)
        for fx in session.scalars(select(ExchangeRateRow).order_by(ExchangeRateRow.valid_from)).all():
            _fx.setdefault(fx.currency, []).append((fx.valid_from, Decimal(fx.vnd_per_unit)))
        _loaded = True


def rates_for(session: Session, hs8: str, *, field: str) -> Rates:
    _load(session)
    found = _rates.get(hs8)
    if found is None:
        raise ValidationFailed(
            f"HS code {hs8} is not a line of the national tariff", field=field, code="unknown_hs"
        )
    return found[0]


def tariff_name(session: Session, hs8: str) -> str:
    _load(session)
    found = _rates.get(hs8)
    return found[1] if found else ""


def exchange_rate(session: Session, currency: str, on: date, *, field: str) -> Decimal:
    """The customs rate of the day: the latest published rate valid on or before the date."""
    if currency == "VND":
        return Decimal(1)
    _load(session)
    best: Decimal | None = None
    for valid_from, value in _fx.get(currency, []):
        if valid_from <= on:
            best = value
        else:
            break
    if best is None:
        raise ValidationFailed(
            f"no exchange rate for {currency} on {on.isoformat()}", field=field, code="no_rate"
        )
    return best
