"""Ranking metrics for inspection selection: what the top k% of the scored declarations catch.

Revenue at stake of a declaration is defined as ``Item Price x Tax Rate / 100`` (the duty that the
declared value carries); revenue@k% is the share of the revenue at stake of all fraudulent
declarations that falls inside the top k%.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike


def top_k_index(scores: ArrayLike, fraction: float) -> np.ndarray:
    """Indices of the ``fraction`` highest scores (ties broken by original order, deterministic)."""
    values = np.asarray(scores, dtype=float)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    count = max(1, int(len(values) * fraction))
    return np.argsort(-values, kind="stable")[:count]


def precision_at(labels: ArrayLike, scores: ArrayLike, fraction: float) -> float:
    """Share of fraud among the top ``fraction`` of declarations."""
    top = top_k_index(scores, fraction)
    return float(np.asarray(labels, dtype=float)[top].mean())


def critical_share_at(critical: ArrayLike, scores: ArrayLike, fraction: float) -> float:
    """Share of the critical-fraud declarations (``Critical Fraud == 2``) inside the top ``fraction``."""
    flags = np.asarray(critical) == 2
    total = int(flags.sum())
    if total == 0:
        return float("nan")
    return float(flags[top_k_index(scores, fraction)].sum() / total)


def revenue_at_stake(item_price: ArrayLike, tax_rate: ArrayLike) -> np.ndarray:
    return np.asarray(item_price, dtype=float) * np.asarray(tax_rate, dtype=float) / 100.0


def revenue_share_at(labels: ArrayLike, revenue: ArrayLike, scores: ArrayLike, fraction: float) -> float:
    """Share of the fraudulent revenue at stake caught by the top ``fraction``."""
    caught = np.asarray(labels, dtype=float) * np.asarray(revenue, dtype=float)
    total = float(caught.sum())
    if total <= 0.0:
        return float("nan")
    return float(caught[top_k_index(scores, fraction)].sum() / total)


def summary(
    labels: ArrayLike, critical: ArrayLike, revenue: ArrayLike, scores: ArrayLike
) -> dict[str, float]:
    """The figures reported for a scored, labelled table."""
    return {
        "precision_at_5": precision_at(labels, scores, 0.05),
        "precision_at_10": precision_at(labels, scores, 0.10),
        "critical_share_at_10": critical_share_at(critical, scores, 0.10),
        "revenue_share_at_10": revenue_share_at(labels, revenue, scores, 0.10),
    }


def fraud_share_at(labels: ArrayLike, scores: ArrayLike, fraction: float) -> float:
    """Share of all fraudulent declarations inside the top ``fraction`` (the capture at that budget)."""
    flags = np.asarray(labels, dtype=float) > 0
    total = int(flags.sum())
    if total == 0:
        return float("nan")
    return float(flags[top_k_index(scores, fraction)].sum() / total)


def capture_at(
    labels: ArrayLike, critical: ArrayLike, scores: ArrayLike, fraction: float
) -> dict[str, float]:
    """Fraud and critical fraud caught when the top ``fraction`` is inspected (the rest released)."""
    return {
        "precision": precision_at(labels, scores, fraction),
        "fraud_captured": fraud_share_at(labels, scores, fraction),
        "critical_captured": critical_share_at(critical, scores, fraction),
    }
