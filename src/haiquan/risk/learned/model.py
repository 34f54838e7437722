"""The learned fraud score: two LightGBM heads blended into one ranking score, persisted as one file.

``score = p(fraud) + blend_weight * p(critical fraud)``. The fraud head ranks the many small frauds,
the critical head lifts the few declarations with much revenue at stake; the weight is chosen on a
time split inside the training window (see :mod:`haiquan.risk.learned.training`).

The model file is a JSON document (no pickle): boosters as LightGBM text models, the history
tables, the feature version, the training window, metrics, library versions and creation time.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from haiquan.kit.files import InputFileError, MiB, read_limited
from haiquan.risk.learned.features import FEATURE_VERSION, HistoryTables, feature_names
from haiquan.risk.learned.kcs import record_from_mapping

FORMAT_NAME = "haiquan.risk.learned"
MAX_MODEL_BYTES = 512 * MiB  # a model of the KCS synthetic data is a few MiB
Explanation = list[tuple[str, float, float]]


class ModelFormatError(Exception):
    """A model file cannot be used by this code (wrong format or feature version)."""


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "lightgbm": lgb.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


@dataclass
class RiskModel:
    """A trained learned-score model; use :func:`haiquan.risk.learned.training.train` to make one."""

    fraud_booster: lgb.Booster
    critical_booster: lgb.Booster
    tables: HistoryTables
    blend_weight: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.feature_names = feature_names()

    # ---- scoring -------------------------------------------------------------------------------
    def _blend(self, fraud: np.ndarray, critical: np.ndarray) -> np.ndarray:
        return fraud + self.blend_weight * critical

    def score_matrix(self, matrix: np.ndarray) -> np.ndarray:
        fraud = np.asarray(self.fraud_booster.predict(matrix, num_threads=1))
        critical = np.asarray(self.critical_booster.predict(matrix, num_threads=1))
        return self._blend(fraud, critical)

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores of a validated declaration table (higher = more likely fraud)."""
        return self.score_matrix(self.tables.transform(frame))

    def features_one(self, fields: Mapping[str, Any]) -> np.ndarray:
        return self.tables.transform_record(record_from_mapping(fields))

    def score_one(self, fields: Mapping[str, Any]) -> float:
        """Inline scoring of one declaration given as a dict of KCS fields."""
        row = self.features_one(fields)
        fraud = self.fraud_booster.predict(row, num_threads=1)
        critical = self.critical_booster.predict(row, num_threads=1)
        return float(self._blend(np.asarray(fraud), np.asarray(critical))[0])

    def explain_one(self, fields: Mapping[str, Any], top: int = 5, head: str = "fraud") -> Explanation:
        """Top feature contributions (feature, value, contribution in log-odds) of one head."""
        booster = {"fraud": self.fraud_booster, "critical": self.critical_booster}.get(head)
        if booster is None:
            raise ValueError(f"head must be 'fraud' or 'critical', got {head!r}")
        row = self.features_one(fields)
        contributions = np.asarray(booster.predict(row, pred_contrib=True, num_threads=1))[0, :-1]
        order = np.argsort(-np.abs(contributions), kind="stable")[:top]
        return [(self.feature_names[i], float(row[0, i]), float(contributions[i])) for i in order]

    # ---- persistence ---------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "feature_version": FEATURE_VERSION,
            "feature_names": self.feature_names,
            "blend_weight": self.blend_weight,
            "metadata": self.metadata,
            "boosters": {
                "fraud": self.fraud_booster.model_to_string(),
                "critical": self.critical_booster.model_to_string(),
            },
            "tables": self.tables.to_json(),
        }

    def save(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(self.to_json()), encoding="utf-8")
        temporary.replace(target)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RiskModel:
        if data.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"not a {FORMAT_NAME} model file (format={data.get('format')!r})")
        version = data.get("feature_version")
        if version != FEATURE_VERSION:
            raise ModelFormatError(
                f"model feature version {version!r} does not match this code's feature version "
                f"{FEATURE_VERSION!r}: retrain the model with `haiquan risk train`"
            )
        boosters = data["boosters"]
        return cls(
            fraud_booster=lgb.Booster(model_str=boosters["fraud"]),
            critical_booster=lgb.Booster(model_str=boosters["critical"]),
            tables=HistoryTables.from_json(data["tables"]),
            blend_weight=float(data["blend_weight"]),
            metadata=dict(data.get("metadata", {})),
        )

    @classmethod
    def load(cls, path: str | Path) -> RiskModel:
        try:  # a regular file within MAX_MODEL_BYTES: never /dev/zero read until the memory runs out
            data = json.loads(read_limited(path, limit=MAX_MODEL_BYTES).decode("utf-8"))
        except InputFileError as exc:
            raise ModelFormatError(f"cannot read model file: {exc}") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(f"{path}: cannot read model file: {exc}") from exc
        if not isinstance(data, dict):
            raise ModelFormatError(f"{path}: not a {FORMAT_NAME} model file")
        return cls.from_json(data)


def created_at() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
