"""Models of the public reference API (no key needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TariffLineOut(_Out):
    hs8: str = Field(description="The 8-digit national tariff line")
    description_vi: str
    description_en: str
    unit: str = Field(description="The unit of quantity")
    rates: dict[str, Decimal] = Field(
        description="Percent by scheme: MFN, each preference scheme recorded (ATIGA, ACFTA, AKFTA, VKFTA, "
        "CPTPP, EVFTA), VAT, EXCISE and EXPORT"
    )


class ExchangeRateOut(_Out):
    currency: str = Field(description="ISO 4217")
    vnd_per_unit: Decimal
    valid_from: date = Field(
        description="The day the rate came into force (the latest not after the day asked)"
    )


class ExchangeRatesOut(_Out):
    date: date
    rates: list[ExchangeRateOut]


class HSHitOut(_Out):
    code: str = Field(description="2, 4, 6 digits (HS) or 8 digits (a national tariff line)")
    description_en: str
    description_vi: str = Field(description="Empty where only the English HS heading is known")
    match: Literal["code", "words"] = Field(description="Found by the code's prefix, or by words")


class ProcedureOut(_Out):
    code: str
    kind: Literal["import", "export"]
    name_vi: str
    name_en: str
