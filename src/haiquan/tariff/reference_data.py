"""The national tariff and the customs exchange rates as reference data flowing down (kinds `tariff` and
`exchange_rates`, sharing/reference.py): published at the General Department from its tables, and at every
node below replaced whole, in bulk, inside the transaction that records the version; the lookups that price
a declaration (tariff/service.py) read the new rows once it commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from haiquan.kit import outbox
from haiquan.reference import service as reference
from haiquan.reference.tables import ExchangeRateRow, TariffLineRow
from haiquan.sharing.reference import BadDocument, applying, register_applier
from haiquan.tariff import repository
from haiquan.tariff.catalogue import TariffEvent

Rate = Field(ge=0, le=1000, max_digits=7, decimal_places=3)


class TariffLineDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hs8: str = Field(pattern=r"^[0-9]{8}$")
    description_vi: str = Field(max_length=500)
    description_en: str = Field(max_length=500)
    unit: str = Field(max_length=10)
    mfn_rate: Decimal = Rate
    vat_rate: Decimal = Rate
    excise_rate: Decimal = Rate
    export_rate: Decimal = Rate
    preferential: dict[str, Decimal | None] = Field(default_factory=dict, max_length=40)


class TariffDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[TariffLineDoc] = Field(min_length=1, max_length=50_000)


class RateDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    valid_from: date
    vnd_per_unit: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class ExchangeRatesDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rates: list[RateDoc] = Field(min_length=1, max_length=200_000)


def apply_tariff(session: Session, doc: TariffDoc, actor: str) -> None:
    seen: set[str] = set()
    for i, line in enumerate(doc.lines):
        if line.hs8 in seen:
            raise BadDocument(f"{line.hs8} appears twice", f"lines.{i}.hs8")
        seen.add(line.hs8)
    rows = [
        line.model_dump(exclude={"preferential"})
        | {"preferential": {k.upper(): str(v) for k, v in sorted(line.preferential.items()) if v is not None}}
        for line in doc.lines
    ]
    repository.unscoped_replace(session, TariffLineRow, rows)
    reference.CACHE.invalidate_after_commit(session)
    payload = {"version": applying().version, "total": len(rows)}
    outbox.record(
        session, type=TariffEvent.LINES_REPLACED, unit=applying().node, actor=actor, payload=payload
    )


def apply_rates(session: Session, doc: ExchangeRatesDoc, actor: str) -> None:
    rows = [r.model_dump() for r in doc.rates]
    if len({(r["currency"], r["valid_from"]) for r in rows}) != len(rows):
        raise BadDocument("a currency's rate is given twice for one day", "rates")
    repository.unscoped_replace(session, ExchangeRateRow, rows)
    reference.CACHE.invalidate_after_commit(session)
    payload = {
        "version": applying().version,
        "total": len(rows),
        "currencies": len({r["currency"] for r in rows}),
    }
    outbox.record(
        session, type=TariffEvent.EXCHANGE_RATES_REPLACED, unit=applying().node, actor=actor, payload=payload
    )


def export_tariff(session: Session) -> dict[str, Any]:
    lines = [
        {
            "hs8": r.hs8, "description_vi": r.description_vi, "description_en": r.description_en, "unit": r.unit,
            "mfn_rate": str(r.mfn_rate), "vat_rate": str(r.vat_rate), "excise_rate": str(r.excise_rate),
            "export_rate": str(r.export_rate), "preferential": dict(r.preferential or {}),
        }
        for r in repository.unscoped_lines(session)
    ]  # fmt: skip
    return {"lines": lines}


def export_rates(session: Session) -> dict[str, Any]:
    rates = [
        {"currency": r.currency, "valid_from": r.valid_from.isoformat(), "vnd_per_unit": str(r.vnd_per_unit)}
        for r in repository.unscoped_rates(session)
    ]
    return {"rates": rates}


register_applier("tariff", apply_tariff, schema=TariffDoc, export=export_tariff)
register_applier("exchange_rates", apply_rates, schema=ExchangeRatesDoc, export=export_rates)


def tariff_document(path: Path | None = None) -> dict[str, Any]:
    """The document of a tariff file (the shipped sample when none is given), as the top publishes it."""
    from haiquan.reference import domain

    lines = [
        {"hs8": e.hs8, "description_vi": e.description_vi, "description_en": e.description_en, "unit": e.unit,
         "mfn_rate": str(e.mfn_rate), "vat_rate": str(e.vat_rate), "excise_rate": str(e.excise_rate),
         "export_rate": str(e.export_rate), "preferential": {k: str(v) for k, v in sorted(e.preferential.items())}}
        for e in domain.read_tariff(path or domain.TARIFF_FILE)
    ]  # fmt: skip
    return {"lines": lines}
