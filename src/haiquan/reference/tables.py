"""Reference tables: HS nomenclature, national tariff lines, exchange rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class HSCodeRow(Base):
    """HS 2022 headings (2, 4 and 6 digits) with short English descriptions."""

    __tablename__ = "hs_codes"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[int]
    section: Mapped[str] = mapped_column(String(5))
    parent: Mapped[str | None] = mapped_column(String(8), nullable=True)
    description: Mapped[str] = mapped_column(String(1000))


class TariffLineRow(Base):
    """A national 8-digit tariff line: rates in percent; preferential rates by scheme (e.g. ATIGA, ACFTA)."""

    __tablename__ = "tariff_lines"
    hs8: Mapped[str] = mapped_column(String(8), primary_key=True)
    description_vi: Mapped[str] = mapped_column(String(500))
    description_en: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(10))
    mfn_rate: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    excise_rate: Mapped[Decimal] = mapped_column(Numeric(7, 3), default=Decimal(0))
    export_rate: Mapped[Decimal] = mapped_column(Numeric(7, 3), default=Decimal(0))
    preferential: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ExchangeRateRow(Base):
    """VND per one unit of a currency, valid from a date (the customs rate of the day)."""

    __tablename__ = "exchange_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    vnd_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 4))
