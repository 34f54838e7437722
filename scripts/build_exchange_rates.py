"""Build src/haiquan/reference/data/exchange_rates.csv: ILLUSTRATIVE weekly customs exchange rates.

The rates are NOT official. They are generated, deterministically (no randomness, no network), around the
real levels of 2025-2026: a few anchor points per currency (VND per USD; USD per unit of the other
currencies) are interpolated linearly week by week and given a small fixed wiggle. One row per currency
per Monday from 2024-12-30 (the week that holds 1 January 2025) to the last Monday on or before the end
date. The lookup rule is "the latest valid_from not after the date".

Operators replace the file with the rates the customs authority publishes (see docs/reference-data.md).

    python scripts/build_exchange_rates.py [--until 2026-11-22] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "haiquan" / "reference" / "data" / "exchange_rates.csv"
FIRST_MONDAY = date(2024, 12, 30)
DEFAULT_UNTIL = date(2026, 11, 22)

# VND per USD at anchor dates (approximate market levels; the series stays within 25,000-26,400).
USD_ANCHORS = [
    (date(2024, 12, 30), 25_150),
    (date(2025, 3, 31), 25_550),
    (date(2025, 6, 30), 25_950),
    (date(2025, 9, 29), 26_250),
    (date(2025, 12, 29), 26_200),
    (date(2026, 6, 29), 26_250),
    (date(2026, 11, 30), 26_300),
]

# USD per one unit of each currency at anchor dates (approximate market levels).
CROSS_ANCHORS: dict[str, list[tuple[date, float]]] = {
    "EUR": [(date(2024, 12, 30), 1.04), (date(2025, 6, 30), 1.17), (date(2026, 11, 30), 1.16)],
    "GBP": [(date(2024, 12, 30), 1.25), (date(2025, 6, 30), 1.37), (date(2026, 11, 30), 1.33)],
    "JPY": [(date(2024, 12, 30), 1 / 157), (date(2025, 6, 30), 1 / 144), (date(2026, 11, 30), 1 / 152)],
    "CNY": [(date(2024, 12, 30), 1 / 7.30), (date(2025, 6, 30), 1 / 7.17), (date(2026, 11, 30), 1 / 7.10)],
    "KRW": [(date(2024, 12, 30), 1 / 1470), (date(2025, 6, 30), 1 / 1360), (date(2026, 11, 30), 1 / 1420)],
    "SGD": [(date(2024, 12, 30), 1 / 1.365), (date(2025, 6, 30), 1 / 1.275), (date(2026, 11, 30), 1 / 1.29)],
    "THB": [(date(2024, 12, 30), 1 / 34.4), (date(2025, 6, 30), 1 / 32.5), (date(2026, 11, 30), 1 / 32.2)],
    "AUD": [(date(2024, 12, 30), 0.62), (date(2025, 6, 30), 0.655), (date(2026, 11, 30), 0.66)],
    "HKD": [(date(2024, 12, 30), 1 / 7.77), (date(2025, 6, 30), 1 / 7.85), (date(2026, 11, 30), 1 / 7.80)],
    "TWD": [(date(2024, 12, 30), 1 / 32.8), (date(2025, 6, 30), 1 / 29.4), (date(2026, 11, 30), 1 / 30.6)],
}
CURRENCIES = ["USD", *CROSS_ANCHORS]


def interpolate(anchors: list[tuple[date, float]], day: date) -> float:
    if day <= anchors[0][0]:
        return anchors[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
        if d0 <= day <= d1:
            return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    return anchors[-1][1]


def wiggle(currency: str, week: int, amplitude: float) -> float:
    """A fixed, currency-specific oscillation (a few tenths of a percent), the same on every run."""
    phase = sum(map(ord, currency)) % 17
    return 1 + amplitude * (math.sin(week * 0.9 + phase) + 0.5 * math.sin(week * 0.23 + 2 * phase))


def weekly_rates(until: date) -> list[tuple[str, date, Decimal]]:
    rows: list[tuple[str, date, Decimal]] = []
    week, monday = 0, FIRST_MONDAY
    while monday <= until:
        usd = interpolate([(d, float(v)) for d, v in USD_ANCHORS], monday) * wiggle("USD", week, 0.0012)
        usd = min(max(usd, 25_000.0), 26_400.0)
        for currency in CURRENCIES:
            value = usd if currency == "USD" else usd * interpolate(CROSS_ANCHORS[currency], monday)
            if currency != "USD":
                value *= wiggle(currency, week, 0.004)
            places = Decimal("0.01") if value < 1_000 else Decimal("1")
            rows.append((currency, monday, Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)))
        week, monday = week + 1, monday + timedelta(days=7)
    return rows


def write(path: Path, until: date) -> int:
    rows = weekly_rates(until)
    rows.sort(key=lambda r: (r[0], r[1]))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["currency", "valid_from", "vnd_per_unit"])
        for currency, valid_from, amount in rows:
            w.writerow([currency, valid_from.isoformat(), str(amount)])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", type=date.fromisoformat, default=DEFAULT_UNTIL)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    count = write(args.out, args.until)
    print(f"{args.out}: {count} rates, {len(CURRENCIES)} currencies, Mondays {FIRST_MONDAY} .. {args.until}")


if __name__ == "__main__":
    main()
