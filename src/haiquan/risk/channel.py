"""The channel interface the declarations module calls at registration, and the default engine: a
configurable rule set with an expected rate per lane. The risk module's full engine implements the same
interface (profiles, value control, compliance classes, learned score)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class LineFacts:
    hs_code: str
    origin_country: str
    quantity: Decimal
    customs_value_vnd: Decimal


@dataclass(frozen=True)
class DeclarationFacts:
    number: str
    office: str
    kind: str
    category: str
    procedure_code: str
    declarant_tax_code: str
    importer_tax_code: str | None
    exporter_tax_code: str | None
    partner_country: str
    transport_mode: str
    total_value_vnd: Decimal
    total_duties_vnd: Decimal
    compliance_class: str
    lines: list[LineFacts]


@dataclass(frozen=True)
class ChannelDecision:
    channel: str  # green | blue | yellow | red
    reasons: list[dict[str, Any]]
    score: float | None = None


class ChannelEngine(Protocol):
    def assign(self, facts: DeclarationFacts, *, session: Session) -> ChannelDecision: ...


@dataclass(frozen=True)
class Rule:
    """A policy rule: when every given condition holds, the lane is forced."""

    id: str
    channel: str
    reason_vi: str
    reason_en: str
    hs_prefixes: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    compliance_classes: tuple[str, ...] = ()

    def matches(self, facts: DeclarationFacts) -> bool:
        if self.compliance_classes and facts.compliance_class not in self.compliance_classes:
            return False
        if self.hs_prefixes or self.origins:
            return any(
                (not self.hs_prefixes or line.hs_code.startswith(self.hs_prefixes))
                and (not self.origins or line.origin_country in self.origins)
                for line in facts.lines
            )
        return bool(self.compliance_classes)


SEVERITY = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


@dataclass
class RuleSetEngine:
    """Rules force a lane; otherwise a reproducible draw at the expected rate per lane (green ≈ 50%,
    yellow ≈ 43%, red ≈ 7%: Đà Nẵng's 2020 split)."""

    green: float = 49.75
    yellow: float = 43.2
    red: float = 7.05
    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        total = self.green + self.yellow + self.red
        if any(r < 0 for r in (self.green, self.yellow, self.red)) or abs(total - 100) > 1e-6:
            raise ValueError(f"lane rates must be non-negative and sum to 100 (they sum to {total})")

    def assign(self, facts: DeclarationFacts, *, session: Session) -> ChannelDecision:
        hits = [r for r in self.rules if r.matches(facts)]
        if hits:
            worst = max(hits, key=lambda r: SEVERITY[r.channel])
            reasons = [{"kind": "rule", "id": r.id, "vi": r.reason_vi, "en": r.reason_en} for r in hits]
            return ChannelDecision(worst.channel, reasons)
        draw = _uniform(facts.number)
        if draw < self.red:
            lane = "red"
        elif draw < self.red + self.yellow:
            lane = "yellow"
        else:
            lane = "green"
        reason = {
            "kind": "selection",
            "vi": f"Chọn theo tỷ lệ phân luồng của đơn vị ({lane})",
            "en": f"Selected at the office's lane rates ({lane})",
        }
        return ChannelDecision(lane, [reason], score=draw / 100)


def _uniform(key: str) -> float:
    """A reproducible number in [0, 100) from the declaration number."""
    h = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 * 100


DEFAULT_RULES = [
    Rule(
        "R-WATCH-CLASS",
        "red",
        "Doanh nghiệp thuộc diện theo dõi (tuân thủ thấp)",
        "Trader in the low-compliance watch class",
        compliance_classes=("low",),
    ),
    Rule(
        "R-HS-2402",
        "yellow",
        "Thuốc lá: kiểm tra hồ sơ bắt buộc",
        "Cigarettes: documents are always checked",
        hs_prefixes=("2402",),
    ),
]


def default_engine() -> ChannelEngine:
    return RuleSetEngine(rules=list(DEFAULT_RULES))
