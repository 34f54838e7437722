"""The score: the promoted learned model (haiquan.risk.learned.model, loaded lazily by name) or, without
one, a transparent heuristic. Also the plain-language names of the model's features."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog

from haiquan.kit.files import InputFileError, MiB, checked_file
from haiquan.risk.channel import DeclarationFacts, LineFacts

log = structlog.get_logger(__name__)
MODEL_MODULE = "haiquan.risk.learned.model"
MAX_MODEL_BYTES = 512 * MiB


class ModelLoadError(Exception):
    """The model file cannot serve (missing module, wrong format or feature version, failed check)."""


def learned_module() -> Any | None:
    try:
        return importlib.import_module(MODEL_MODULE)
    except ImportError:
        return None


def code_feature_version() -> str | None:
    try:
        mod = importlib.import_module("haiquan.risk.learned.features")
    except ImportError:
        return None
    return str(mod.FEATURE_VERSION)


def kcs_fields(facts: DeclarationFacts, line: LineFacts) -> dict[str, Any]:
    """A declaration line in the KCS field names the learned model reads."""
    tax_rate = (
        float(facts.total_duties_vnd / facts.total_value_vnd * 100) if facts.total_value_vnd > 0 else 0.0
    )
    return {
        "Office ID": facts.office,
        "Process Type": facts.procedure_code,
        "Import Type": facts.category,
        "Import Use": facts.kind,
        "Payment Type": "",
        "Mode of Transport": facts.transport_mode,
        "Declarant ID": facts.declarant_tax_code,
        "Importer ID": facts.importer_tax_code or "",
        "Seller ID": facts.exporter_tax_code or "",
        "Courier ID": "",
        "HS6 Code": line.hs_code[:6],
        "Country of Departure": facts.partner_country,
        "Country of Origin": line.origin_country,
        "Tax Type": "",
        "Country of Origin Indicator": "",
        "Tax Rate": max(tax_rate, 0.0),
        "Net Mass": float(line.quantity),
        "Item Price": float(line.customs_value_vnd),
    }


def load_model(path: str) -> Any:
    """Load and check a model file; ModelLoadError says why it cannot serve."""
    mod = learned_module()
    if mod is None:
        raise ModelLoadError(f"{MODEL_MODULE} is not installed: the heuristic score stays")
    try:  # an analyst's path: a regular file of bounded size before anything reads it (kit.files)
        checked_file(path, limit=MAX_MODEL_BYTES)
    except InputFileError as exc:
        raise ModelLoadError(str(exc)) from exc
    try:
        model = mod.RiskModel.load(path)
    except mod.ModelFormatError as exc:
        raise ModelLoadError(str(exc)) from exc
    line = LineFacts("85044090", "CN", Decimal(10), Decimal(26_000_000))
    probe = kcs_fields(
        DeclarationFacts(
            "probe",
            "00",
            "import",
            "commercial",
            "A11",
            "0100000000",
            "0100000000",
            None,
            "CN",
            "sea",
            Decimal(26_000_000),
            Decimal(2_600_000),
            "normal",
            [line],
        ),
        line,
    )
    try:
        value = float(model.score_one(probe))
    except Exception as exc:  # any failure of a foreign file means "cannot serve"
        raise ModelLoadError(f"{path}: the model failed a probe score: {exc}") from exc
    if not value == value:  # NaN
        raise ModelLoadError(f"{path}: the model gives NaN on a probe declaration")
    return model


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def load_version(version: str, path: str) -> Any:
    """A registered model version, loaded once per process (the engine and the explanation consumer
    share it); the two most recent versions are kept."""
    with _cache_lock:
        if version in _cache:
            return _cache[version]
    model = load_model(path)
    with _cache_lock:
        _cache[version] = model
        while len(_cache) > 2:
            del _cache[next(iter(_cache))]
    return model


@dataclass(frozen=True)
class Serving:
    version: str
    model: Any


class ModelHolder:
    """The serving model; swapped atomically (one reference assignment) after a successful load."""

    def __init__(self) -> None:
        self._serving: Serving | None = None
        self._lock = threading.Lock()

    @property
    def serving(self) -> Serving | None:
        return self._serving

    def switch(self, version: str, path: str) -> Serving:
        with self._lock:
            model = load_version(version, path)  # raises: the current model stays
            self._serving = Serving(version, model)
            return self._serving

    def clear(self) -> None:
        self._serving = None


def model_score(serving: Serving, facts: DeclarationFacts) -> tuple[float, int]:
    """The highest line score and its line index (every line scored in one call)."""
    import numpy as np

    model = serving.model
    matrix = np.vstack([model.features_one(kcs_fields(facts, line)) for line in facts.lines])
    scores = np.asarray(model.score_matrix(matrix))
    at = int(np.argmax(scores))
    return float(scores[at]), at


_KEY_NAMES = {
    "office": ("đơn vị hải quan", "the customs office"),
    "declarant": ("người khai", "the declarant"),
    "importer": ("nhà nhập khẩu", "the importer"),
    "seller": ("người bán", "the seller"),
    "courier": ("đơn vị chuyển phát", "the courier"),
    "hs6": ("mã HS 6 số", "the HS6 code"),
    "hs4": ("nhóm HS 4 số", "the HS heading"),
    "hs2": ("chương HS", "the HS chapter"),
    "departure": ("nước xuất phát", "the country of departure"),
    "origin": ("xuất xứ", "the origin"),
    "tax_type": ("loại thuế", "the tax type"),
    "import_type": ("loại hình", "the import type"),
    "hs6_origin": ("mã HS và xuất xứ", "the HS code and origin"),
    "declarant_hs6": ("người khai với mã HS này", "the declarant with this HS code"),
    "importer_seller": ("cặp nhà nhập khẩu - người bán", "the importer-seller pair"),
    "price": ("trị giá khai báo trùng lặp", "the exact declared value"),
    "mass": ("khối lượng khai báo trùng lặp", "the exact declared mass"),
    "hs6_price": ("mã HS với trị giá này", "the HS code at this value"),
    "hs6_mass": ("mã HS với khối lượng này", "the HS code at this mass"),
}
_BASE_NAMES = {
    "tax_rate": ("thuế suất", "tax rate"),
    "log_mass": ("khối lượng/số lượng", "quantity"),
    "log_price": ("trị giá", "value"),
    "log_unit_value": ("đơn giá", "unit value"),
    "log_revenue": ("số thuế có thể thất thu", "revenue at stake"),
}
_SUFFIX = {
    "n": ("số tờ khai trước đây của {k}", "number of earlier declarations of {k}"),
    "fraud": ("tỷ lệ vi phạm trước đây của {k}", "past fraud rate of {k}"),
    "crit": ("tỷ lệ vi phạm nghiêm trọng của {k}", "past serious-fraud rate of {k}"),
    "uv_dev": ("độ lệch đơn giá so với {k}", "unit-value deviation from {k}"),
}


def feature_text(name: str) -> tuple[str, str]:
    if name in _BASE_NAMES:
        return _BASE_NAMES[name]
    for suffix, (vi, en) in _SUFFIX.items():
        key = name.removesuffix("_" + suffix)
        if key != name and key in _KEY_NAMES:
            kvi, ken = _KEY_NAMES[key]
            return vi.format(k=kvi), en.format(k=ken)
    return name, name


def explain(serving: Serving, facts: DeclarationFacts, line: int, top: int = 3) -> list[dict[str, Any]]:
    """The model's top SHAP contributions that raised the fraud score, in words."""
    out = []
    for name, value, contribution in serving.model.explain_one(kcs_fields(facts, facts.lines[line]), top=top):
        if contribution <= 0:
            continue
        vi, en = feature_text(name)
        out.append(
            {
                "kind": "model",
                "feature": name,
                "value": round(float(value), 4),
                "contribution": round(float(contribution), 4),
                "vi": f"Mô hình: {vi} làm tăng rủi ro (dòng {line + 1})",
                "en": f"Model: {en} raises the risk (line {line + 1})",
            }
        )
    return out


def clamp(x: float) -> float:
    return min(max(x, 0.0), 10.0)


def money(x: Decimal) -> str:
    return f"{x:,.0f}"
