"""Tests of the learned fraud score (haiquan.risk.learned) on a synthetic KCS-format table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.services import kcs_dir
from typer.testing import CliRunner

from haiquan.risk import cli as risk_cli
from haiquan.risk.cli import app
from haiquan.risk.learned import metrics
from haiquan.risk.learned.features import ordered_features
from haiquan.risk.learned.kcs import KcsFormatError, read_kcs, validate
from haiquan.risk.learned.model import ModelFormatError, RiskModel
from haiquan.risk.learned.training import TrainConfig, evaluate, train

# one thread: parallel test workers share the cores, and OpenMP threads spin while they wait
FAST = TrainConfig(fraud_rounds=80, critical_rounds=60, inner_valid_days=20, burn_in_days=5, num_threads=1)


def synthetic(rows: int = 3000, days: int = 120, seed: int = 0) -> pd.DataFrame:
    """Raw (string) KCS table; planted pattern: bad importers and under-valued HS 8471 goods."""
    rng = np.random.default_rng(seed)
    importers = [f"IMP{i:03d}" for i in range(60)]
    hs6 = ["847130", "620342", "940350", "852872"]
    frame = pd.DataFrame(
        {
            "Declaration ID": [str(10_000_000 + i) for i in range(rows)],
            "Date": (
                pd.Timestamp("2020-01-01") + pd.to_timedelta(np.sort(rng.integers(0, days, rows)), "D")
            ).strftime("%Y-%m-%d"),
            "Office ID": rng.choice(["10", "20", "30"], rows),
            "Process Type": "B",
            "Import Type": "11",
            "Import Use": "21",
            "Payment Type": "11",
            "Mode of Transport": rng.choice(["10", "40"], rows),
            "Declarant ID": rng.choice([f"DEC{i}" for i in range(10)], rows),
            "Importer ID": rng.choice(importers, rows),
            "Seller ID": rng.choice([f"SEL{i}" for i in range(40)] + [""], rows),
            "Courier ID": "",
            "HS6 Code": rng.choice(hs6, rows),
            "Country of Departure": rng.choice(["CN", "VN", "US"], rows),
            "Country of Origin": rng.choice(["CN", "VN", "US"], rows),
            "Tax Rate": rng.choice([0.0, 8.0, 13.0], rows),
            "Tax Type": "A",
            "Country of Origin Indicator": "Y",
        }
    )
    mass = np.round(rng.lognormal(4, 1, rows), 1)
    bad_importer = frame["Importer ID"].isin(importers[:8]).to_numpy()
    undervalued = (frame["HS6 Code"] == "847130").to_numpy() & (rng.random(rows) < 0.5)
    price = mass * np.where(undervalued, 5.0, 100.0) * rng.lognormal(0, 0.2, rows)
    fraud = (bad_importer & (rng.random(rows) < 0.9)) | undervalued
    critical = np.where(fraud, np.where(price > 20_000, 2, 1), 0)
    frame["Net Mass"] = mass.astype(str)
    frame["Item Price"] = np.round(price, 2).astype(str)
    frame["Fraud"] = fraud.astype(int).astype(str)
    frame["Critical Fraud"] = critical.astype(str)
    return frame


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = validate(synthetic(), require_labels=True)
    cut = pd.Timestamp("2020-04-10")
    return frame[frame["Date"] < cut].reset_index(drop=True), frame[frame["Date"] >= cut].reset_index(
        drop=True
    )


@pytest.fixture(scope="module")
def model(tables: tuple[pd.DataFrame, pd.DataFrame]) -> RiskModel:
    return train(tables[0], FAST)


def test_planted_pattern_is_ranked_high(model: RiskModel, tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    later = tables[1]
    assert later["Fraud"].mean() < 0.35
    figures = evaluate(model, later)
    assert figures["precision_at_10"] >= 0.9
    assert figures["precision_at_5"] >= 0.9


def test_single_row_path_matches_batch(model: RiskModel) -> None:
    raw = synthetic(rows=50, seed=3)
    batch = model.score(validate(raw))
    single = [model.score_one({str(k): v for k, v in r.items()}) for r in raw.to_dict("records")]
    np.testing.assert_allclose(single, batch, rtol=1e-9, atol=1e-12)


def test_explanation_lists_named_contributions(model: RiskModel) -> None:
    record = {str(k): v for k, v in synthetic(rows=1, seed=4).iloc[0].items()}
    explanation = model.explain_one(record, top=4)
    assert len(explanation) == 4
    names = set(model.feature_names)
    for name, value, contribution in explanation:
        assert name in names
        assert isinstance(value, float)
        assert isinstance(contribution, float)
    magnitudes = [abs(c) for _, _, c in explanation]
    assert magnitudes == sorted(magnitudes, reverse=True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cut_day=st.integers(0, 12))
def test_later_labels_never_change_earlier_features(seed: int, cut_day: int) -> None:
    frame = validate(synthetic(rows=120, days=14, seed=seed), require_labels=True)
    rng = np.random.default_rng(seed + 1)
    cut = pd.Timestamp("2020-01-01") + pd.Timedelta(days=cut_day)
    later = (frame["Date"] >= cut).to_numpy()
    changed = frame.copy()
    changed.loc[later, "Fraud"] = rng.integers(0, 2, int(later.sum()))
    changed.loc[later, "Critical Fraud"] = changed.loc[later, "Fraud"] * rng.integers(1, 3, int(later.sum()))
    same_or_earlier = (frame["Date"] <= cut).to_numpy()  # same-day rows never see each other either
    np.testing.assert_array_equal(
        ordered_features(frame)[same_or_earlier], ordered_features(changed)[same_or_earlier]
    )


def test_feature_version_mismatch_is_a_clear_error(model: RiskModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model.save(path)
    data = json.loads(path.read_text())
    data["feature_version"] = "0-old"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFormatError, match=r"feature version '0-old'.*does not match"):
        RiskModel.load(path)


def test_model_file_round_trip_and_metadata(model: RiskModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model.save(path)
    loaded = RiskModel.load(path)
    frame = validate(synthetic(rows=30, seed=5))
    np.testing.assert_allclose(loaded.score(frame), model.score(frame))
    for key in ("feature_version", "train_window", "libraries", "created_at"):
        assert key in loaded.metadata


def test_cli_train_and_score_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the command's own configuration with the test's few rounds (what the round trip checks is the files)
    monkeypatch.setattr(risk_cli, "TrainConfig", lambda seed: dataclasses.replace(FAST, seed=seed))
    raw = synthetic(rows=800, days=60, seed=7)
    train_csv, valid_csv, model_path, out_csv = (tmp_path / n for n in ("t.csv", "v.csv", "m.json", "s.csv"))
    raw.iloc[:600].to_csv(train_csv, index=False)
    raw.iloc[600:].drop(columns=["Fraud", "Critical Fraud"]).to_csv(valid_csv, index=False)
    runner = CliRunner()
    result = runner.invoke(
        app, ["train", "--train", str(train_csv), "--model", str(model_path), "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["score", "--model", str(model_path), "--input", str(valid_csv), "--output", str(out_csv)]
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out_csv, dtype={"Declaration ID": str})
    assert list(scored.columns) == ["Declaration ID", "score"]
    assert scored["Declaration ID"].tolist() == raw["Declaration ID"].iloc[600:].tolist()


def test_bad_csv_names_the_column_and_row(tmp_path: Path) -> None:
    raw = synthetic(rows=20, seed=8)
    raw.loc[6, "Net Mass"] = "heavy"
    path = tmp_path / "bad.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(KcsFormatError, match=r"'Net Mass': row 8 .*'heavy'"):
        read_kcs(path)
    result = CliRunner().invoke(
        app, ["score", "--model", str(path), "--input", str(path), "--output", "x.csv"]
    )
    assert result.exit_code != 0
    raw.drop(columns=["HS6 Code"]).to_csv(path, index=False)
    with pytest.raises(KcsFormatError, match=r"missing column.*'HS6 Code'"):
        read_kcs(path)


def test_metrics_on_a_known_ranking() -> None:
    labels = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0] * 2)
    scores = np.arange(20, 0, -1, dtype=float)
    assert metrics.precision_at(labels, scores, 0.10) == 1.0
    assert metrics.precision_at(labels, scores, 0.25) == 0.6
    critical = np.where(labels == 1, 2, 0)
    assert metrics.critical_share_at(critical, scores, 0.10) == pytest.approx(2 / 6)


@pytest.mark.slow
def test_floors_on_the_real_kcs_splits() -> None:
    kcs = kcs_dir()
    train_frame = read_kcs(kcs / "df_syn_train_eng.csv", require_labels=True)
    valid = read_kcs(kcs / "df_syn_valid_eng.csv", require_labels=True)
    figures = evaluate(train(train_frame, TrainConfig(seed=0)), valid)
    assert figures["precision_at_5"] >= 0.97
    assert figures["precision_at_10"] >= 0.94
    assert figures["critical_share_at_10"] >= 0.5
