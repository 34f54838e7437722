"""Pre-arrival screening (soi chiếu trước): each consignment of a manifest is scored before discharge and
flagged for scanning above a threshold. `Scorer` is the interface; `RuleScorer` is the default, rule-based
one (watched consignees, HS prefixes, routes and keywords in the goods description, from a config). The
risk module may provide another scorer; the cargo service only sees the Protocol."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ConsignmentFacts:
    goods_id: str
    consignee_tax_code: str | None
    loading_port: str
    discharge_port: str
    description: str
    hs_codes: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    value: float  # 0..1
    reasons: tuple[str, ...]
    scan: bool


class Scorer(Protocol):
    def score(self, facts: ConsignmentFacts) -> Score: ...


@dataclass(frozen=True)
class ScreeningConfig:
    consignees: dict[str, float] = field(default_factory=dict)  # tax code -> weight
    hs_prefixes: dict[str, float] = field(default_factory=dict)  # HS prefix -> weight
    routes: dict[str, float] = field(default_factory=dict)  # "CNSHA>VNHPH" or "CNSHA>*" -> weight
    keywords: dict[str, float] = field(default_factory=dict)  # lower-case word -> weight
    threshold: float = 0.5

    @classmethod
    def from_file(cls, path: Path) -> ScreeningConfig:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            consignees={str(k): float(v) for k, v in raw.get("consignees", {}).items()},
            hs_prefixes={str(k): float(v) for k, v in raw.get("hs_prefixes", {}).items()},
            routes={str(k): float(v) for k, v in raw.get("routes", {}).items()},
            keywords={str(k).lower(): float(v) for k, v in raw.get("keywords", {}).items()},
            threshold=float(raw.get("threshold", 0.5)),
        )


DEFAULT_CONFIG_FILE = Path(__file__).parent / "data" / "screening.json"


@dataclass(frozen=True)
class RuleScorer:
    """Adds the weights of every rule that matches, capped at 1; scan when the total reaches the threshold."""

    config: ScreeningConfig

    def score(self, facts: ConsignmentFacts) -> Score:
        c = self.config
        hits: list[tuple[float, str]] = []
        if facts.consignee_tax_code and facts.consignee_tax_code in c.consignees:
            hits.append(
                (c.consignees[facts.consignee_tax_code], f"watched consignee {facts.consignee_tax_code}")
            )
        for prefix, w in c.hs_prefixes.items():
            if any(h.startswith(prefix) for h in facts.hs_codes):
                hits.append((w, f"watched HS {prefix}"))
        for route in (f"{facts.loading_port}>{facts.discharge_port}", f"{facts.loading_port}>*"):
            if route in c.routes:
                hits.append((c.routes[route], f"watched route {route}"))
        text = facts.description.lower()
        for word, w in c.keywords.items():
            if word in text:
                hits.append((w, f"keyword '{word}' in the goods description"))
        total = min(1.0, round(sum(w for w, _ in hits), 4))
        return Score(total, tuple(r for _, r in hits), total >= c.threshold)


def default_scorer() -> Scorer:
    """The rule-based scorer from the bundled config; the API extends it per request with the risk
    module's profiles and watch lists (`haiquan.risk.prearrival.with_profiles`)."""
    return RuleScorer(ScreeningConfig.from_file(DEFAULT_CONFIG_FILE))
