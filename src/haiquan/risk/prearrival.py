"""Pre-arrival screening with the analyst's risk profiles (soi chiếu trước): a manifest's consignment is
read by the same criteria language as a declaration, with what a manifest knows — consignee (as importer),
country of loading (as partner country and origin), HS codes — and by the watch lists. Profiles that need
what only a declaration carries (value, duties, unit value, declarant, procedure, office...) are skipped."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.cargo.screening import ConsignmentFacts, Score, Scorer
from haiquan.kit import clock
from haiquan.risk import criteria, evaluation, snapshot
from haiquan.risk.watch import hs_watched

KNOWN_AT_ARRIVAL = frozenset({"importer", "partner_country", "hs", "origin"})
LANE_WEIGHT = {"red": 0.6, "yellow": 0.3, "blue": 0.15, "green": 0.0}


def fields(node: criteria.Node) -> set[str]:
    if isinstance(node, criteria.Compare):
        return {node.field}
    if isinstance(node, criteria.Not):
        return fields(node.operand)
    if isinstance(node, criteria.BoolOp):
        return set().union(*(fields(p) for p in node.operands))
    return set()


class ConsignmentSubject:
    """A consignment as the criteria language reads it."""

    def __init__(self, facts: ConsignmentFacts, watched: dict[str, frozenset[str]]) -> None:
        self.facts = facts
        self.watched_sets = watched
        country = facts.loading_port[:2].upper()
        self._header: dict[str, str | Decimal] = {
            "importer": facts.consignee_tax_code or "",
            "partner_country": country,
            "hs": "",
            "origin": country,
        }

    def header(self, field: str) -> str | Decimal:
        return self._header[field]

    def line_count(self) -> int:
        return len(self.facts.hs_codes)

    def line(self, index: int, field: str) -> str | Decimal:
        return self.facts.hs_codes[index] if field == "hs" else self._header["origin"]

    def to_vnd(self, currency: str) -> Decimal:
        return Decimal("NaN")  # never reached: profiles with amounts are skipped

    def watched(self, kind: str) -> bool:
        values = self.watched_sets.get(kind, frozenset())
        if kind in ("consignee", "enterprise"):
            return (self.facts.consignee_tax_code or "").upper() in values
        if kind == "hs_code":
            return any(hs_watched(values, hs) for hs in self.facts.hs_codes)
        if kind == "country":
            return self.facts.loading_port[:2].upper() in values
        return False


@dataclass(frozen=True)
class ProfileScorer:
    """The base (rule) scorer plus every applicable risk profile; a profile forcing red or yellow, or
    adding score, raises the consignment's score and names itself in the reasons."""

    base: Scorer
    profiles: tuple[snapshot.CompiledProfile, ...]
    watched: dict[str, frozenset[str]]

    def score(self, facts: ConsignmentFacts) -> Score:
        first = self.base.score(facts)
        subject = ConsignmentSubject(facts, self.watched)
        total, reasons = first.value, list(first.reasons)
        for p in self.profiles:
            if evaluation.matches(p.rule, subject):
                a = p.rule.action
                total += LANE_WEIGHT[a.lane] if a.lane else a.score / 100
                reasons.append(f"risk profile {p.id}: {p.reason_en or p.name}")
        total = min(1.0, round(total, 4))
        return Score(total, tuple(reasons), first.scan or total >= 0.5)


def with_profiles(base: Scorer, session: Session) -> Scorer:
    """The screening scorer for now: the base scorer, the profiles that can judge a consignment, and the
    watch lists (the profiles' `watched(...)` conditions read them)."""
    snap = snapshot.load(session)
    today = clock.today_vn()
    usable = tuple(
        p
        for p in snap.profiles
        if p.offices is None and p.applies("", today) and fields(p.rule.condition) <= KNOWN_AT_ARRIVAL
    )
    if not usable and not any(snap.watched.values()):
        return base
    watched_rule = _watch_list_profile(snap.watched)
    return ProfileScorer(base, usable + watched_rule, snap.watched)


def _watch_list_profile(watched: dict[str, frozenset[str]]) -> tuple[snapshot.CompiledProfile, ...]:
    """Watch lists flag a consignment even without an analyst's profile naming them."""
    if not any(watched.get(k) for k in ("consignee", "enterprise", "hs_code", "country")):
        return ()
    rule = criteria.parse(
        "watched(consignee) or watched(enterprise) or watched(hs_code) or watched(country) -> red"
    )
    return (
        snapshot.CompiledProfile(
            "WATCH-LISTS",
            1,
            "watch lists",
            rule,
            None,
            None,
            None,
            "Danh sách theo dõi",
            "on a risk watch list",
        ),
    )
