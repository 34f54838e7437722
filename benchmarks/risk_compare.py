"""Library and feature comparison behind docs/decisions/0005 (fraud head only, one seed, KCS valid).

Run:  PYTHONPATH=src python benchmarks/risk_compare.py     (writes benchmarks/out/risk_compare.json)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import catboost
import lightgbm as lgb
import numpy as np
import pandas as pd

from haiquan.risk.learned.features import HistoryTables, feature_names, ordered_features
from haiquan.risk.learned.kcs import CODE_COLUMNS, read_kcs
from haiquan.risk.learned.metrics import critical_share_at, precision_at

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "kcs"
EXACT_VALUE_KEYS = ("price_", "mass_", "hs6_price_", "hs6_mass_")
Fit = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def lightgbm_fit(x: np.ndarray, y: np.ndarray, test: np.ndarray) -> np.ndarray:
    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "feature_fraction": 0.8}
    params.update(bagging_fraction=0.9, bagging_freq=1, seed=0, num_threads=2, verbose=-1)
    return np.asarray(lgb.train(params, lgb.Dataset(x, y), 400).predict(test))


def _catboost() -> catboost.CatBoostClassifier:
    """CatBoost's training logs go to benchmarks/out/catboost_info (ignored by git), not the working folder."""
    logs = ROOT / "benchmarks" / "out" / "catboost_info"
    logs.mkdir(parents=True, exist_ok=True)
    return catboost.CatBoostClassifier(
        iterations=400, learning_rate=0.1, depth=6, thread_count=2, verbose=0, train_dir=str(logs)
    )


def catboost_fit(x: np.ndarray, y: np.ndarray, test: np.ndarray) -> np.ndarray:
    model = _catboost()
    model.fit(x, y)
    return np.asarray(model.predict_proba(test)[:, 1])


def raw_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Raw fields for CatBoost's own ordered target statistics (exact values as categories too)."""
    out = frame[list(CODE_COLUMNS)].copy()
    out["price_value"] = frame["Item Price"].map(repr)
    out["mass_value"] = frame["Net Mass"].map(repr)
    for column in ("Tax Rate", "Net Mass", "Item Price"):
        out[column + " num"] = np.log1p(frame[column])
    return out


def catboost_native(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    x, test = raw_columns(train), raw_columns(valid)
    categorical = [c for c in x.columns if not c.endswith(" num")]
    model = _catboost()
    model.set_params(has_time=True)
    model.fit(x, train["Fraud"], cat_features=categorical)
    return np.asarray(model.predict_proba(test)[:, 1])


def figures(valid: pd.DataFrame, scores: np.ndarray, seconds: float) -> dict[str, float]:
    return {
        "precision_at_5": precision_at(valid["Fraud"], scores, 0.05),
        "precision_at_10": precision_at(valid["Fraud"], scores, 0.10),
        "critical_share_at_10": critical_share_at(valid["Critical Fraud"], scores, 0.10),
        "seconds": seconds,
    }


def main() -> None:
    train = read_kcs(DATA / "df_syn_train_eng.csv", require_labels=True).sort_values("Date", kind="stable")
    train = train.reset_index(drop=True)
    valid = read_kcs(DATA / "df_syn_valid_eng.csv", require_labels=True)
    x_all, test_all = ordered_features(train), HistoryTables.fit(train).transform(valid)
    keep = (train["Date"] >= train["Date"].min() + pd.Timedelta(days=30)).to_numpy()
    names = feature_names()
    no_exact = [i for i, n in enumerate(names) if not n.startswith(EXACT_VALUE_KEYS)]
    no_history = list(range(5))
    variants: dict[str, tuple[Fit, list[int]]] = {
        "lightgbm, all features": (lightgbm_fit, list(range(len(names)))),
        "catboost, all features": (catboost_fit, list(range(len(names)))),
        "lightgbm, no exact-value keys": (lightgbm_fit, no_exact),
        "lightgbm, amounts only (no history)": (lightgbm_fit, no_history),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (fit, columns) in variants.items():
        started = time.perf_counter()
        scores = fit(x_all[keep][:, columns], train["Fraud"].to_numpy()[keep], test_all[:, columns])
        results[name] = figures(valid, scores, time.perf_counter() - started)
        print(name, results[name])
    started = time.perf_counter()
    results["catboost native categoricals"] = figures(
        valid, catboost_native(train, valid), time.perf_counter() - started
    )
    print("catboost native categoricals", results["catboost native categoricals"])
    out = ROOT / "benchmarks" / "out" / "risk_compare.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
