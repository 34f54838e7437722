"""How much of the KCS fraud can any score built from the training period tell apart? (issue #21)

Run:  PYTHONPATH=src:. python benchmarks/risk_ceiling.py [--data /work/shared/data/kcs]

The synthetic KCS declarations repeat exact (HS6, item price) pairs across periods; a held-out row
whose pair was seen in the training period inherits that pair's label almost surely. A row whose pair
was never seen has only weak signals left. This script splits the held-out table into the two groups,
prints each group's fraud, the learned score's AUC inside each, and the fraud capture at 30 %
inspected that a perfect ranking of the *seen* rows plus the learned ranking of the unseen rows would
reach: an honest ceiling for the features the platform has at registration. Nothing here is tuned.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from haiquan.risk.learned.kcs import CRITICAL_COLUMN, FRAUD_COLUMN, read_kcs
from haiquan.risk.learned.training import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
INSPECTED = 0.30


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney AUC (ties get mean ranks)."""
    flags = labels.astype(bool)
    ranks = pd.Series(scores).rank().to_numpy()
    positives, negatives = int(flags.sum()), int((~flags).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    return float((ranks[flags].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def pairs(frame: pd.DataFrame) -> pd.Series:
    return frame["HS6 Code"].astype(str) + "|" + frame["Item Price"].map(repr)


def seen_pairs(train_frame: pd.DataFrame, held_out: pd.DataFrame) -> np.ndarray:
    return np.asarray(pairs(held_out).isin(set(pairs(train_frame))), dtype=bool)


def contradicted(train_frame: pd.DataFrame, held_out: pd.DataFrame) -> int:
    """Held-out frauds whose (HS6, price) pair was mostly *not* fraud in the training period."""
    rate = train_frame.groupby(pairs(train_frame))[FRAUD_COLUMN].mean()
    earlier = pairs(held_out).map(rate)
    return int(((held_out[FRAUD_COLUMN] == 1) & (earlier < 0.5)).sum())


def ceiling(fraud: np.ndarray, seen: np.ndarray, scores: np.ndarray, budget: int) -> float:
    """Capture if every seen fraud were inspected first and the unseen rows followed the score."""
    seen_fraud = int((fraud & seen).sum())
    slots = max(0, budget - seen_fraud)
    unseen = np.flatnonzero(~seen)
    chosen = unseen[np.argsort(-scores[unseen], kind="stable")[:slots]]
    return float((seen_fraud + int(fraud[chosen].sum())) / max(1, int(fraud.sum())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "kcs")
    args = parser.parse_args()
    train_frame = read_kcs(args.data / "df_syn_train_eng.csv", require_labels=True)
    held_out = read_kcs(args.data / "df_syn_valid_eng.csv", require_labels=True)
    scores = train(train_frame, TrainConfig(seed=0)).score(held_out)
    fraud = held_out[FRAUD_COLUMN].to_numpy() == 1
    critical = held_out[CRITICAL_COLUMN].to_numpy() == 2
    seen = seen_pairs(train_frame, held_out)
    budget = int(len(held_out) * INSPECTED)
    for name, group in (("seen (HS6, price)", seen), ("never seen", ~seen)):
        print(
            f"{name:<18} rows {int(group.sum()):>5}  fraud {int((fraud & group).sum()):>5} "
            f"({(fraud & group).sum() / fraud.sum():.3f} of all fraud, rate {fraud[group].mean():.3f})  "
            f"critical {int((critical & group).sum()):>3}  score AUC {auc(fraud[group], scores[group]):.3f}"
        )
    print(f"seen frauds whose pair was mostly no-fraud in training: {contradicted(train_frame, held_out)}")
    print(f"inspected budget at {INSPECTED:.0%}: {budget} of {len(held_out)} declarations")
    print(
        "ceiling (seen fraud all caught, unseen ranked by the score): "
        f"{ceiling(fraud, seen, scores, budget):.4f} of fraud"
    )
    random_unseen = ceiling(fraud, seen, np.random.default_rng(0).random(len(held_out)), budget)
    print(f"same with the unseen rows in random order: {random_unseen:.4f} of fraud")


if __name__ == "__main__":
    main()
