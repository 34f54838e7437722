"""Queries of the tariff's reference tables (national tariff lines, exchange rates): the whole tables, as
reference data is node-wide (no unit scope: `unscoped_`)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from haiquan.reference.tables import ExchangeRateRow, TariffLineRow

BATCH = 2_000  # rows per INSERT executemany


def unscoped_replace(
    session: Session, model: type[TariffLineRow] | type[ExchangeRateRow], rows: list[dict[str, Any]]
) -> None:
    """Every row of the table replaced by `rows`, in the caller's transaction: one DELETE, then INSERTs of
    BATCH rows each (executemany)."""
    session.execute(delete(model))
    for i in range(0, len(rows), BATCH):
        session.execute(insert(cast(Table, model.__table__)), rows[i : i + BATCH])


def unscoped_lines(session: Session) -> list[TariffLineRow]:
    return list(session.scalars(select(TariffLineRow).order_by(TariffLineRow.hs8)).all())


def unscoped_rates(session: Session) -> list[ExchangeRateRow]:
    q = select(ExchangeRateRow).order_by(ExchangeRateRow.currency, ExchangeRateRow.valid_from)
    return list(session.scalars(q).all())
