"""Benchmark: a simulated year whose planted fraud patterns drift by quarter (haiquan.demo.drift, also
`haiquan simulate --drift-year FILE`). The frozen model was trained on the first quarter's labels and never
retrained; the retrained one goes through the platform's time split (labels known before 1 October:
inspections the next day, audits 90 days later; random picks weighted by inverse propensity). Both are
scored on the last quarter's ground truth at 30 % inspected. Not a test: it prints both.

Run:  PYTHONPATH=src python benchmarks/risk_drift.py [--per-day 40] [--seed 7]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from haiquan.demo.drift import simulate_year
from haiquan.risk.learned import platform
from haiquan.risk.learned.training import TrainConfig, train

INSPECTED = 0.30
CONFIG = TrainConfig(fraud_rounds=200, critical_rounds=120)


def labels_of(frame: pd.DataFrame, truth: bool = False) -> list[platform.KnownLabel]:
    """The labels the platform would hold (known ones), or the simulation's ground truth."""
    never = datetime.max.replace(tzinfo=UTC)
    out = []
    cols = ("Declaration ID", "Fraud", "Critical Fraud", "Known At", "Random Pick", "Item Price", "Tax Rate")
    for number, fraud, critical, known, pick, price, rate in zip(*(frame[c] for c in cols), strict=True):
        if not truth and pd.isna(known):
            continue
        outcome = "critical" if critical == 2 else "fraud" if fraud else "no_fraud"
        at = never if pd.isna(known) else known.to_pydatetime().replace(tzinfo=UTC)
        duty = float(price) / 0.45 * 0.55 * float(rate) / 100 if fraud else 0.0  # the duty undervaluation hid
        out.append(platform.KnownLabel(str(number), outcome, duty, at, bool(pick)))
    return out


def trained_on(frame: pd.DataFrame, cutoff: datetime) -> object:
    decided = {
        r: d.to_pydatetime().replace(tzinfo=UTC)
        for r, d in zip(frame["Declaration ID"], frame["Date"], strict=True)
    }
    split = platform.time_split(decided, labels_of(frame), cutoff=cutoff, test_to=cutoff)
    rows = frame[frame["Declaration ID"].isin(split.train)].assign(number=lambda f: f["Declaration ID"])
    rows = platform.as_kcs_labels(rows.drop(columns=["Fraud", "Critical Fraud"]), split.train_labels, 0.02)
    print(f"  trained on {len(split.train)} labelled declarations known before {cutoff.date()}")
    return train(rows.reset_index(drop=True), CONFIG)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    year = simulate_year(per_day=args.per_day, seed=args.seed)
    q4 = year[year["Date"] >= "2026-10-01"].reset_index(drop=True)
    truth = labels_of(q4, truth=True)
    print("frozen (first quarter's labels, as deployed on 1 April):")
    frozen = trained_on(year[year["Date"] < "2026-04-01"], datetime(2026, 4, 1, tzinfo=UTC))
    print("retrained from the platform's labels (cut-off 1 October):")
    retrained = trained_on(year[year["Date"] < "2026-10-01"], datetime(2026, 10, 1, tzinfo=UTC))
    results = {name: platform.comparison(np.asarray(m.score(q4)), truth, INSPECTED)  # type: ignore[attr-defined]
               for name, m in (("frozen", frozen), ("retrained", retrained))}  # fmt: skip
    print(f"\nlast quarter: {len(q4)} declarations, {sum(x.outcome != 'no_fraud' for x in truth)} frauds; "
          f"{INSPECTED:.0%} inspected")  # fmt: skip
    print(f"{'model':<12}{'precision':>11}{'fraud':>9}{'critical':>10}{'duty/insp.':>13}")
    for name, m in results.items():
        print(f"{name:<12}{m['precision']:>11.3f}{m['fraud_captured']:>9.3f}{m['critical_captured']:>10.3f}"
              f"{m['duty_per_inspection']:>13.0f}")  # fmt: skip
    ratio = results["retrained"]["fraud_captured"] / max(results["frozen"]["fraud_captured"], 1e-9)
    print(f"retrained / frozen fraud captured: {ratio:.2f}x ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
