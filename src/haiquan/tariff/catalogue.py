"""The tariff's events: the national tariff lines and the customs exchange rates replaced by a version of
reference data flowing down from the General Department (sharing/reference.py). Past tense; producers and
consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class TariffEvent(StrEnum):
    LINES_REPLACED = "tariff.lines_replaced"
    EXCHANGE_RATES_REPLACED = "tariff.exchange_rates_replaced"


class LinesReplaced(TypedDict):
    """The national tariff replaced at this node by reference `version`: `total` lines."""

    version: int
    total: int


class ExchangeRatesReplaced(TypedDict):
    """The customs exchange rates replaced at this node by reference `version`: `total` rates of
    `currencies` currencies."""

    version: int
    total: int
    currencies: int


PAYLOADS: dict[TariffEvent, type] = {
    TariffEvent.LINES_REPLACED: LinesReplaced,
    TariffEvent.EXCHANGE_RATES_REPLACED: ExchangeRatesReplaced,
}
