"""A simulated year of declarations in the KCS shape with planted fraud patterns that drift by quarter
(`haiquan simulate --drift-year FILE`, benchmarks/risk_drift.py). Each row carries when its label became
known: inspected at once (the next day) or found by a post-clearance audit three months later; rows
nobody looked at have no label.

Patterns (undervalued lines of an HS code from a country, by a small set of importers):
Q1 phones from CN; Q2 phones from CN and cars from JP; Q3 cars from JP and T-shirts from BD;
Q4 T-shirts from BD and footwear from ID (new importers each quarter)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

HS = ["851713", "870323", "610910", "640299", "847130", "300490", "220421", "392690", "940360", "854140"]
COUNTRIES = ["CN", "JP", "KR", "BD", "ID", "TH", "US", "DE", "VN", "IN"]
PATTERNS = {
    1: [("851713", "CN")],
    2: [("851713", "CN"), ("870323", "JP")],
    3: [("870323", "JP"), ("610910", "BD")],
    4: [("610910", "BD"), ("640299", "ID")],
}


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def simulate_year(start: date = date(2026, 1, 1), per_day: int = 40, seed: int = 7) -> pd.DataFrame:
    """One row per declaration line; `Fraud`, `Critical Fraud` (2 = critical) and `Known At` (NaT: never
    labelled), `Random Pick`."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    importers = [f"IMP{i:04d}" for i in range(400)]
    for d in range(365):
        day = start + timedelta(days=d)
        q = quarter_of(day)
        crooks = importers[q * 20 : q * 20 + 20]  # each quarter its own small ring
        for _ in range(per_day):
            rows.append(_row(rng, day, q, importers, crooks, len(rows)))
    frame = pd.DataFrame(rows)
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame["Known At"] = pd.to_datetime(frame["Known At"])
    return frame


def _row(
    rng: np.random.Generator, day: date, q: int, importers: list[str], crooks: list[str], n: int
) -> dict[str, object]:
    planted = rng.random() < 0.12
    if planted:
        hs, country = PATTERNS[q][int(rng.integers(len(PATTERNS[q])))]
        importer = (
            crooks[int(rng.integers(len(crooks)))]
            if rng.random() < 0.7
            else importers[int(rng.integers(400))]
        )
        fraud = rng.random() < 0.8
    else:
        hs, country = HS[int(rng.integers(len(HS)))], COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        importer = importers[int(rng.integers(400))]
        fraud = rng.random() < 0.02
    mass = float(rng.lognormal(3, 1))
    price = mass * float(rng.lognormal(4 + HS.index(hs) * 0.3, 0.4)) * (0.45 if fraud else 1.0)
    critical = fraud and price > 20_000 and rng.random() < 0.5
    random_pick = rng.random() < 0.02
    inspected = random_pick or rng.random() < 0.35 + (0.4 if planted else 0.0)
    audited = not inspected and rng.random() < 0.15
    known = day + timedelta(days=1) if inspected else day + timedelta(days=90) if audited else None
    return {
        "Declaration ID": f"S{n:07d}", "Date": day, "Office ID": f"0{1 + int(rng.integers(4))}AB",
        "Process Type": "A11", "Import Type": "commercial", "Import Use": "import", "Payment Type": "",
        "Mode of Transport": "sea", "Declarant ID": f"D{int(rng.integers(50)):03d}", "Importer ID": importer,
        "Seller ID": "", "Courier ID": "", "HS6 Code": hs, "Country of Departure": country,
        "Country of Origin": country, "Tax Type": "", "Country of Origin Indicator": "",
        "Tax Rate": float([10, 50, 20, 30, 0, 5, 45, 8, 12, 0][HS.index(hs)]), "Net Mass": mass, "Item Price": price,
        "Fraud": int(fraud), "Critical Fraud": 2 if critical else int(fraud), "Known At": known,
        "Random Pick": random_pick,
    }  # fmt: skip
