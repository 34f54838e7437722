"""Training from the platform's own declarations and labels (pure: no database).

The time split never leaks: a declaration trains the challenger only if it was decided before the
cut-off AND its label was known before the cut-off (a fraud found by an audit three months later is not
known at a cut-off two months after the declaration). The held-out period is the declarations decided
from the cut-off on, labelled by the end of the test window.

Selection bias: labels exist only where we looked. A random-share inspection was picked with probability
`random_share`; a score-picked one with probability ~1. Weighting each labelled row by the inverse of its
propensity (capped) lets the random picks stand for the declarations nobody chose to inspect."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

SEVERITY = {"no_fraud": 0, "fraud": 1, "critical": 2}
MAX_WEIGHT = 20.0


@dataclass(frozen=True)
class KnownLabel:
    number: str
    outcome: str  # no_fraud | fraud | critical
    duty_at_stake: float
    known_at: datetime
    random_pick: bool = False
    source: str = ""  # inspection | documents | audit | enforcement


@dataclass(frozen=True)
class Split:
    train: list[str]  # declaration numbers
    test: list[str]
    train_labels: dict[str, KnownLabel]
    test_labels: dict[str, KnownLabel]


def worst(labels: Iterable[KnownLabel]) -> KnownLabel | None:
    """The most severe label (the latest among equals): a later critical finding outranks a clean check."""
    found = sorted(labels, key=lambda x: (SEVERITY[x.outcome], x.known_at))
    return found[-1] if found else None


def known_by(labels: Iterable[KnownLabel], moment: datetime) -> list[KnownLabel]:
    return [x for x in labels if x.known_at < moment]


def time_split(
    decided: dict[str, datetime], labels: Sequence[KnownLabel], *, cutoff: datetime, test_to: datetime
) -> Split:
    """Train: decided before `cutoff`, with a label known before `cutoff`. Test: decided in
    [cutoff, test_to), with a label known before `test_to`."""
    by_number: dict[str, list[KnownLabel]] = {}
    for x in labels:
        by_number.setdefault(x.number, []).append(x)
    train, test = {}, {}
    for number, at in decided.items():
        mine = by_number.get(number, [])
        if at < cutoff:
            label = worst(known_by(mine, cutoff))
            if label is not None:
                train[number] = label
        elif at < test_to:
            label = worst(known_by(mine, test_to))
            if label is not None:
                test[number] = label
    return Split(sorted(train), sorted(test), train, test)


def propensity_weight(random_pick: bool, random_share: float) -> float:
    """1 / P(inspected): a random pick stands for 1/random_share declarations (capped)."""
    if not random_pick or random_share <= 0:
        return 1.0
    return min(MAX_WEIGHT, 1.0 / random_share)


def comparison(scores: np.ndarray, labels: Sequence[KnownLabel], inspected_share: float) -> dict[str, float]:
    """What inspecting the top `inspected_share` by these scores would have done on the held-out period:
    precision, duty recovered per inspection, the share of fraud and of critical fraud captured."""
    n = len(labels)
    if n == 0:
        return {"declarations": 0.0}
    k = max(1, round(n * inspected_share))
    top = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    fraud = np.array([SEVERITY[x.outcome] >= 1 for x in labels])
    critical = np.array([x.outcome == "critical" for x in labels])
    duty = np.array([x.duty_at_stake if SEVERITY[x.outcome] >= 1 else 0.0 for x in labels])
    return {
        "declarations": float(n),
        "inspected": float(k),
        "precision": float(fraud[top].mean()),
        "duty_per_inspection": float(duty[top].sum() / k),
        "fraud_captured": float(fraud[top].sum() / fraud.sum()) if fraud.any() else float("nan"),
        "critical_captured": float(critical[top].sum() / critical.sum()) if critical.any() else float("nan"),
    }


def as_kcs_labels(frame: pd.DataFrame, labels: dict[str, KnownLabel], random_share: float) -> pd.DataFrame:
    """Fraud / Critical Fraud columns (KCS coding: 2 = critical) and a Weight column, by declaration."""
    out = frame.copy()
    outcome = out["number"].map(lambda n: labels[n].outcome)
    out["Fraud"] = (outcome != "no_fraud").astype(int)
    out["Critical Fraud"] = outcome.map({"no_fraud": 0, "fraud": 1, "critical": 2}).astype(int)
    out["Weight"] = out["number"].map(lambda n: propensity_weight(labels[n].random_pick, random_share))
    return out
