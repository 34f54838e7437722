"""Feature engineering for the learned fraud score (pure functions, no I/O).

Two kinds of features:

* unit-value and amount features computed from the declaration alone (log mass, log price,
  log unit value, revenue at stake);
* history features per key (a code such as the importer, a pair such as HS6 x origin, or an exact
  declared value): the number of earlier declarations, their smoothed fraud and critical-fraud rates
  (target statistics) and the deviation of the unit value from their mean unit value.

History never looks forward: for training rows, :func:`ordered_features` uses only rows with a
strictly earlier date (same-day rows do not see each other); at scoring time
:class:`HistoryTables` holds the sums over the whole training window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from haiquan.risk.learned.kcs import CRITICAL_COLUMN, DATE_COLUMN, FRAUD_COLUMN

FEATURE_VERSION = "1"

SEP = "\x1f"
SMOOTHING = 2.0
DEFAULT_PRIOR = np.array([0.2, 0.01, 4.0])  # fraud rate, critical rate, mean log unit value

#: history keys: name -> fields of the key (see :func:`key_fields` for the derived ones)
KEYS: dict[str, tuple[str, ...]] = {
    "all": (),
    "office": ("Office ID",),
    "declarant": ("Declarant ID",),
    "importer": ("Importer ID",),
    "seller": ("Seller ID",),
    "courier": ("Courier ID",),
    "hs6": ("HS6 Code",),
    "hs4": ("HS4",),
    "hs2": ("HS2",),
    "departure": ("Country of Departure",),
    "origin": ("Country of Origin",),
    "tax_type": ("Tax Type",),
    "import_type": ("Import Type",),
    "hs6_origin": ("HS6 Code", "Country of Origin"),
    "declarant_hs6": ("Declarant ID", "HS6 Code"),
    "importer_seller": ("Importer ID", "Seller ID"),
    "price": ("price",),
    "mass": ("mass",),
    "hs6_price": ("HS6 Code", "price"),
    "hs6_mass": ("HS6 Code", "mass"),
}
#: keys whose mean unit value is used as a reference (unit value vs HS6 / origin norms)
UNIT_VALUE_KEYS: frozenset[str] = frozenset({"hs6", "hs4", "hs6_origin", "origin"})
BASE_FEATURES: tuple[str, ...] = ("tax_rate", "log_mass", "log_price", "log_unit_value", "log_revenue")


def feature_names() -> list[str]:
    """Column order of the feature matrix."""
    names = list(BASE_FEATURES)
    for key in KEYS:
        if key == "all":
            continue
        names += [f"{key}_n", f"{key}_fraud", f"{key}_crit"]
        if key in UNIT_VALUE_KEYS:
            names.append(f"{key}_uv_dev")
    return names


def key_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """String fields used to build history keys (codes plus derived HS4/HS2 and exact values)."""
    fields = frame[["HS6 Code"]].copy()
    for column in {c for cols in KEYS.values() for c in cols} - {"HS4", "HS2", "price", "mass"}:
        fields[column] = frame[column].astype(str)
    fields["HS4"] = fields["HS6 Code"].str[:4]
    fields["HS2"] = fields["HS6 Code"].str[:2]
    fields["price"] = frame["Item Price"].map(repr)
    fields["mass"] = frame["Net Mass"].map(repr)
    return fields


def record_key_fields(record: Mapping[str, Any]) -> dict[str, str]:
    """Single-row twin of :func:`key_fields` (plain Python, no pandas)."""
    fields = {c: str(record[c]) for cols in KEYS.values() for c in cols if c in record}
    hs6 = str(record["HS6 Code"])
    fields.update(HS4=hs6[:4], HS2=hs6[:2], price=repr(float(record["Item Price"])))
    fields["mass"] = repr(float(record["Net Mass"]))
    return fields


def build_keys(fields: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    if not columns:
        return pd.Series("*", index=fields.index)
    keys = fields[columns[0]].astype(str)
    for column in columns[1:]:
        keys = keys + SEP + fields[column]
    return keys


def record_key(fields: Mapping[str, str], columns: Sequence[str]) -> str:
    return SEP.join(fields[c] for c in columns) if columns else "*"


def base_values(price: np.ndarray, mass: np.ndarray, tax: np.ndarray) -> dict[str, np.ndarray]:
    log_price, log_mass = np.log1p(price), np.log1p(mass)
    return {
        "tax_rate": tax,
        "log_mass": log_mass,
        "log_price": log_price,
        "log_unit_value": log_price - log_mass,
        "log_revenue": np.log1p(price * tax / 100.0),
    }


def label_values(frame: pd.DataFrame) -> np.ndarray:
    """Per-row quantities summed by history keys: count, fraud, critical fraud, log unit value."""
    luv = np.log1p(frame["Item Price"].to_numpy(float)) - np.log1p(frame["Net Mass"].to_numpy(float))
    fraud = frame[FRAUD_COLUMN].to_numpy(float)
    critical = (frame[CRITICAL_COLUMN].to_numpy() == 2).astype(float)
    return np.column_stack([np.ones(len(frame)), fraud, critical, luv])


def history_features(key: str, sums: np.ndarray, prior: np.ndarray, luv: np.ndarray) -> dict[str, np.ndarray]:
    """Features of one key from the sums (n, fraud, critical, luv) of its earlier rows."""
    n = sums[:, 0]
    denominator = n + SMOOTHING
    out = {
        f"{key}_n": np.log1p(n),
        f"{key}_fraud": (sums[:, 1] + SMOOTHING * prior[:, 0]) / denominator,
        f"{key}_crit": (sums[:, 2] + SMOOTHING * prior[:, 1]) / denominator,
    }
    if key in UNIT_VALUE_KEYS:
        out[f"{key}_uv_dev"] = luv - (sums[:, 3] + SMOOTHING * prior[:, 2]) / denominator
    return out


def prior_from_sums(sums: np.ndarray) -> np.ndarray:
    """Global rates from the 'all' key sums, falling back to defaults with no history."""
    n = sums[:, :1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = sums[:, 1:4] / n
    return np.where(n > 0, rates, DEFAULT_PRIOR)


def ordered_sums(keys: pd.Series, days: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each row, the sums of ``values`` over rows with the same key and a strictly earlier day."""
    codes, _ = pd.factorize(keys)
    order = np.lexsort((days, codes))
    code_s, day_s = codes[order], days[order]
    starts = np.r_[True, (code_s[1:] != code_s[:-1]) | (day_s[1:] != day_s[:-1])]
    group = np.cumsum(starts) - 1
    group_sums = np.zeros((int(group[-1]) + 1, values.shape[1]))
    for j in range(values.shape[1]):
        group_sums[:, j] = np.bincount(group, weights=values[order, j], minlength=len(group_sums))
    before = np.cumsum(group_sums, axis=0) - group_sums
    group_code = code_s[starts]
    code_first = np.r_[True, group_code[1:] != group_code[:-1]]
    first_index = np.maximum.accumulate(np.where(code_first, np.arange(len(group_code)), 0))
    earlier = before - before[first_index]
    out = np.empty_like(values, dtype=float)
    out[order] = earlier[group]
    return out


def day_numbers(frame: pd.DataFrame) -> np.ndarray:
    return frame[DATE_COLUMN].to_numpy().astype("datetime64[D]").astype(np.int64)


def assemble(base: dict[str, np.ndarray], history: dict[str, np.ndarray]) -> np.ndarray:
    columns = {**base, **history}
    return np.column_stack([columns[name] for name in feature_names()]).astype(np.float64)


def ordered_features(frame: pd.DataFrame) -> np.ndarray:
    """Feature matrix for labelled training rows, each using only strictly earlier days."""
    fields = key_fields(frame)
    days = day_numbers(frame)
    values = label_values(frame)
    base = base_values(
        frame["Item Price"].to_numpy(float),
        frame["Net Mass"].to_numpy(float),
        frame["Tax Rate"].to_numpy(float),
    )
    prior = prior_from_sums(ordered_sums(build_keys(fields, ()), days, values))
    history: dict[str, np.ndarray] = {}
    for key, columns in KEYS.items():
        if key != "all":
            sums = ordered_sums(build_keys(fields, columns), days, values)
            history.update(history_features(key, sums, prior, base["log_unit_value"]))
    return assemble(base, history)


@dataclass
class HistoryTables:
    """Sums per key over a labelled history window (the training data), for scoring later rows."""

    keys: dict[str, list[str]]
    sums: dict[str, np.ndarray]

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> HistoryTables:
        fields, values = key_fields(frame), label_values(frame)
        keys: dict[str, list[str]] = {}
        sums: dict[str, np.ndarray] = {}
        for key, columns in KEYS.items():
            codes, uniques = pd.factorize(build_keys(fields, columns))
            table = np.zeros((len(uniques), values.shape[1]))
            for j in range(values.shape[1]):
                table[:, j] = np.bincount(codes, weights=values[:, j], minlength=len(uniques))
            keys[key], sums[key] = [str(u) for u in uniques], table
        return cls(keys, sums)

    def __post_init__(self) -> None:
        self._index = {k: pd.Index(v) for k, v in self.keys.items()}
        self._lookup = {k: {code: i for i, code in enumerate(v)} for k, v in self.keys.items()}

    def _rows(self, key: str, index: np.ndarray) -> np.ndarray:
        table = self.sums[key]
        return np.where((index >= 0)[:, None], table[np.maximum(index, 0)], 0.0)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Feature matrix for rows scored after the history window."""
        fields = key_fields(frame)
        base = base_values(
            frame["Item Price"].to_numpy(float),
            frame["Net Mass"].to_numpy(float),
            frame["Tax Rate"].to_numpy(float),
        )
        prior = prior_from_sums(np.repeat(self.sums["all"][:1], len(frame), axis=0))
        history: dict[str, np.ndarray] = {}
        for key, columns in KEYS.items():
            if key != "all":
                index = self._index[key].get_indexer(pd.Index(build_keys(fields, columns)))
                history.update(history_features(key, self._rows(key, index), prior, base["log_unit_value"]))
        return assemble(base, history)

    def transform_record(self, record: Mapping[str, Any]) -> np.ndarray:
        """Single-row twin of :meth:`transform` for one normalised record (1 x n_features)."""
        fields = record_key_fields(record)
        base = base_values(
            np.array([record["Item Price"]]), np.array([record["Net Mass"]]), np.array([record["Tax Rate"]])
        )
        prior = prior_from_sums(self.sums["all"][:1])
        history: dict[str, np.ndarray] = {}
        for key, columns in KEYS.items():
            if key != "all":
                position = self._lookup[key].get(record_key(fields, columns), -1)
                sums = self._rows(key, np.array([position]))
                history.update(history_features(key, sums, prior, base["log_unit_value"]))
        return assemble(base, history)

    def to_json(self) -> dict[str, Any]:
        return {"keys": self.keys, "sums": {k: v.tolist() for k, v in self.sums.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryTables:
        sums = {k: np.asarray(v, dtype=float).reshape(-1, 4) for k, v in data["sums"].items()}
        return cls({k: list(v) for k, v in data["keys"].items()}, sums)
