"""Reading and validating declaration tables in the KCS (Korea Customs Service) CSV format.

The format is the one of the public Customs Import Declaration Datasets (MIT licence,
github.com/Seondong/Customs-Declaration-Datasets). Codes are kept as strings (HS6 codes are
zero-padded to six digits, because the published files store them as integers), money and mass
as floats. Labels are optional so that unlabelled files can be scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from haiquan.kit.files import InputFileError, MiB, checked_file

MAX_KCS_BYTES = 4096 * MiB  # a KCS file of a year of a large office is a few hundred MiB
ID_COLUMN = "Declaration ID"
DATE_COLUMN = "Date"
FRAUD_COLUMN = "Fraud"
CRITICAL_COLUMN = "Critical Fraud"

CODE_COLUMNS: tuple[str, ...] = (
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
)
NUMERIC_COLUMNS: tuple[str, ...] = ("Tax Rate", "Net Mass", "Item Price")
OPTIONAL_CODES: frozenset[str] = frozenset({"Seller ID", "Courier ID"})
REQUIRED_COLUMNS: tuple[str, ...] = (ID_COLUMN, DATE_COLUMN, *CODE_COLUMNS, *NUMERIC_COLUMNS)
LABEL_COLUMNS: tuple[str, ...] = (FRAUD_COLUMN, CRITICAL_COLUMN)
MISSING = ""


class KcsFormatError(ValueError):
    """A declaration table does not follow the KCS format; the message names the column and row."""


def normalise_code(column: str, value: Any) -> str:
    """Canonical string form of a code value (shared by the batch and the single-row paths)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return MISSING
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if column == "HS6 Code" and text.isdigit():
        text = text.zfill(6)
    return text


def _bad_row(mask: pd.Series, frame: pd.DataFrame) -> str:
    first = int(np.flatnonzero(mask.to_numpy())[0])
    # +2: one header line, rows counted from 1 as a spreadsheet shows them
    return f"row {first + 2} (Declaration ID {frame[ID_COLUMN].iloc[first]!r})"


def _check_numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values < 0)
    if bool(bad.any()):
        raw = frame[column][bad].iloc[0]
        where = _bad_row(bad, frame)
        raise KcsFormatError(f"column {column!r}: {where} has {raw!r}, expected a non-negative number")
    return values.astype(float)


def _check_label(frame: pd.DataFrame, column: str, allowed: set[int]) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = ~values.isin(list(allowed))
    if bool(bad.any()):
        raw = frame[column][bad].iloc[0]
        where = _bad_row(bad, frame)
        raise KcsFormatError(f"column {column!r}: {where} has {raw!r}, expected one of {sorted(allowed)}")
    return values.astype(int)


def validate(frame: pd.DataFrame, *, require_labels: bool = False) -> pd.DataFrame:
    """Check and normalise a raw table (all cells as strings); return a typed copy."""
    needed = REQUIRED_COLUMNS + (LABEL_COLUMNS if require_labels else ())
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise KcsFormatError(f"missing column(s): {', '.join(repr(c) for c in missing)}")
    out = pd.DataFrame({ID_COLUMN: frame[ID_COLUMN].astype(str).str.strip()})
    dates = pd.to_datetime(frame[DATE_COLUMN], format="%Y-%m-%d", errors="coerce")
    if bool(dates.isna().any()):
        bad = dates.isna()
        raw = frame[DATE_COLUMN][bad].iloc[0]
        raise KcsFormatError(f"column 'Date': {_bad_row(bad, frame)} has {raw!r}, expected YYYY-MM-DD")
    out[DATE_COLUMN] = dates
    for column in CODE_COLUMNS:
        codes = frame[column].map(lambda v, c=column: normalise_code(c, v))
        if column not in OPTIONAL_CODES and bool((codes == MISSING).any()):
            raise KcsFormatError(f"column {column!r}: {_bad_row(codes == MISSING, frame)} is empty")
        out[column] = codes
    for column in NUMERIC_COLUMNS:
        out[column] = _check_numeric(frame, column)
    if all(c in frame.columns for c in LABEL_COLUMNS):
        out[FRAUD_COLUMN] = _check_label(frame, FRAUD_COLUMN, {0, 1})
        out[CRITICAL_COLUMN] = _check_label(frame, CRITICAL_COLUMN, {0, 1, 2})
    return out.reset_index(drop=True)


def read_kcs(path: str | Path, *, require_labels: bool = False) -> pd.DataFrame:
    """Read a KCS CSV file, raising :class:`KcsFormatError` with the offending column and row."""
    try:
        checked = checked_file(path, limit=MAX_KCS_BYTES)  # a regular file: never a device or a FIFO
    except InputFileError as exc:
        raise KcsFormatError(str(exc)) from exc
    try:
        raw = pd.read_csv(checked, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise KcsFormatError(f"{path}: cannot read as CSV: {exc}") from exc
    if raw.empty:
        raise KcsFormatError(f"{path}: no declarations")
    return validate(raw, require_labels=require_labels)


def record_from_mapping(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise one declaration given as a dict (single-row scoring path, no pandas)."""
    missing = [c for c in (*CODE_COLUMNS, *NUMERIC_COLUMNS) if c not in fields and c not in OPTIONAL_CODES]
    if missing:
        raise KcsFormatError(f"missing field(s): {', '.join(repr(c) for c in missing)}")
    record: dict[str, Any] = {c: normalise_code(c, fields.get(c)) for c in CODE_COLUMNS}
    for column in NUMERIC_COLUMNS:
        try:
            number = float(fields[column])
        except (TypeError, ValueError) as exc:
            raise KcsFormatError(f"field {column!r}: {fields[column]!r} is not a number") from exc
        if not number >= 0:
            raise KcsFormatError(f"field {column!r}: {number!r} is negative or not a number")
        record[column] = number
    return record
