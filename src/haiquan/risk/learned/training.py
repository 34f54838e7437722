"""Training the learned fraud score.

Hyper-parameters that depend on data (the blend weight between the fraud and critical heads) are
chosen on a time split *inside* the training window: fit on all but the last ``inner_valid_days``,
score those days with history from the earlier part only, exactly as a deployment scores new
declarations. A validation table, when given, is only scored for the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from haiquan.risk.learned import metrics
from haiquan.risk.learned.features import FEATURE_VERSION, HistoryTables, feature_names, ordered_features
from haiquan.risk.learned.kcs import CRITICAL_COLUMN, DATE_COLUMN, FRAUD_COLUMN
from haiquan.risk.learned.model import RiskModel, created_at, library_versions

Progress = Callable[[str], None]
BLEND_GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    num_threads: int = 2
    burn_in_days: int = 30  # first days only serve as history: their target statistics are too thin
    inner_valid_days: int = 92
    fraud_rounds: int = 400
    critical_rounds: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    # blend weight: the most critical fraud whose precision@5%/@10% stay above these floors and
    # within ``max_precision_loss`` of the fraud head alone (lifting criticals must be nearly free)
    min_precision_at_5: float = 0.99
    min_precision_at_10: float = 0.97
    max_precision_loss: float = 0.0025


def _params(config: TrainConfig, critical: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "objective": "binary",
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_child_samples": 20,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "seed": config.seed,
        "num_threads": config.num_threads,
        "verbose": -1,
    }
    if critical:
        params.update(num_leaves=15, min_child_samples=10, learning_rate=config.learning_rate * 0.6)
    return params


def fit_heads(frame: pd.DataFrame, config: TrainConfig) -> tuple[lgb.Booster, lgb.Booster]:
    """Fit the fraud and critical-fraud boosters on ordered (past-only) features."""
    matrix = ordered_features(frame)
    start = frame[DATE_COLUMN].min() + pd.Timedelta(days=config.burn_in_days)
    keep = np.array(frame[DATE_COLUMN] >= start, dtype=bool)
    if keep.sum() < 0.5 * len(frame):  # short windows (tests, small offices): keep everything
        keep[:] = True
    names = feature_names()
    fraud = frame[FRAUD_COLUMN].to_numpy()[keep]
    critical = (frame[CRITICAL_COLUMN].to_numpy()[keep] == 2).astype(int)
    boosters = []
    # platform training weights labelled rows by inverse propensity (learned/platform.py); KCS has none
    weight = frame["Weight"].to_numpy(dtype=float)[keep] if "Weight" in frame.columns else None
    for labels, is_critical, rounds in (
        (fraud, False, config.fraud_rounds),
        (critical, True, config.critical_rounds),
    ):
        data = lgb.Dataset(matrix[keep], labels, weight=weight, feature_name=names, free_raw_data=True)
        boosters.append(lgb.train(_params(config, is_critical), data, num_boost_round=rounds))
    return boosters[0], boosters[1]


def evaluate(model: RiskModel, frame: pd.DataFrame) -> dict[str, float]:
    scores = model.score(frame)
    revenue = metrics.revenue_at_stake(frame["Item Price"], frame["Tax Rate"])
    return metrics.summary(frame[FRAUD_COLUMN], frame[CRITICAL_COLUMN], revenue, scores)


def choose_blend_weight(frame: pd.DataFrame, config: TrainConfig) -> tuple[float, dict[str, Any]]:
    """Pick the blend weight on the last ``inner_valid_days`` of the training window."""
    cut = frame[DATE_COLUMN].max() - pd.Timedelta(days=config.inner_valid_days - 1)
    early = frame[frame[DATE_COLUMN] < cut].reset_index(drop=True)
    late = frame[frame[DATE_COLUMN] >= cut].reset_index(drop=True)
    if len(early) < 100 or len(late) < 100 or int(late[FRAUD_COLUMN].sum()) == 0:
        return 1.0, {"reason": "training window too short for an inner split; default weight"}
    fraud_booster, critical_booster = fit_heads(early, config)
    inner = RiskModel(fraud_booster, critical_booster, HistoryTables.fit(early), 0.0)
    matrix = inner.tables.transform(late)
    fraud = np.asarray(fraud_booster.predict(matrix))
    critical = np.asarray(critical_booster.predict(matrix))
    revenue = metrics.revenue_at_stake(late["Item Price"], late["Tax Rate"])
    table = {
        w: metrics.summary(late[FRAUD_COLUMN], late[CRITICAL_COLUMN], revenue, fraud + w * critical)
        for w in BLEND_GRID
    }
    base = table[0.0]
    loss = config.max_precision_loss
    floor_5 = min(base["precision_at_5"], max(config.min_precision_at_5, base["precision_at_5"] - loss))
    floor_10 = min(base["precision_at_10"], max(config.min_precision_at_10, base["precision_at_10"] - loss))
    admissible = [
        w for w, m in table.items() if m["precision_at_5"] >= floor_5 and m["precision_at_10"] >= floor_10
    ]
    best = max(admissible, key=lambda w: (table[w]["critical_share_at_10"], -w))
    return best, {"inner_valid_from": str(cut.date()), "grid": {str(w): m for w, m in table.items()}}


def train(
    frame: pd.DataFrame,
    config: TrainConfig | None = None,
    valid: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> RiskModel:
    """Train on a labelled, validated KCS table; optionally report metrics on a later table."""
    config = config or TrainConfig()
    say = progress or (lambda _message: None)
    frame = frame.sort_values(DATE_COLUMN, kind="stable").reset_index(drop=True)
    say("choosing the blend weight on the inner time split")
    weight, selection = choose_blend_weight(frame, config)
    say("fitting the fraud and critical-fraud heads on the whole window")
    fraud_booster, critical_booster = fit_heads(frame, config)
    metadata: dict[str, Any] = {
        "feature_version": FEATURE_VERSION,
        "train_window": {
            "first_date": str(frame[DATE_COLUMN].min().date()),
            "last_date": str(frame[DATE_COLUMN].max().date()),
            "rows": len(frame),
        },
        "config": asdict(config),
        "blend_selection": selection,
        "libraries": library_versions(),
        "created_at": created_at(),
    }
    model = RiskModel(fraud_booster, critical_booster, HistoryTables.fit(frame), weight, metadata)
    if valid is not None and FRAUD_COLUMN in valid.columns:
        say("scoring the validation table")
        model.metadata["valid_metrics"] = evaluate(model, valid)
        model.metadata["valid_window"] = {
            "first_date": str(valid[DATE_COLUMN].min().date()),
            "last_date": str(valid[DATE_COLUMN].max().date()),
        }
    return model
