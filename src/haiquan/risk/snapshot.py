"""The reference data the engine reads on the hot path, loaded from the database into memory: compiled
profiles, value-control bounds, lane rates, overrides, watch lists and exchange rates. Also the
criteria `Subject` over a declaration's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.errors import ValidationFailed
from haiquan.organization.service import TREES
from haiquan.risk import criteria, enterprise_facts, evaluation, watch
from haiquan.risk.channel import DeclarationFacts
from haiquan.risk.domain import LaneRates
from haiquan.risk.tables import LaneRateRow, OverrideRow, ProfileRow, ValueControlRow


@dataclass(frozen=True)
class CompiledProfile:
    id: str
    version: int
    name: str
    rule: criteria.Rule
    offices: frozenset[str] | None  # None = every office
    valid_from: date | None
    valid_to: date | None
    reason_vi: str
    reason_en: str

    def applies(self, office: str, on: date) -> bool:
        if self.offices is not None and office not in self.offices:
            return False
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)


@dataclass(frozen=True)
class Override:
    id: str
    subject: str
    value: str
    channel: str
    reason: str
    office: str | None
    expires_at: datetime


@dataclass
class Snapshot:
    profiles: list[CompiledProfile] = field(default_factory=list)
    bounds: dict[tuple[str, str], tuple[Decimal, Decimal]] = field(default_factory=dict)
    rates: dict[str, LaneRates] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    watched: dict[str, frozenset[str]] = field(default_factory=dict)
    fx: dict[str, Decimal] = field(default_factory=dict)
    enterprise_facts: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def rates_for(self, office: str) -> LaneRates:
        return self.rates.get(office) or self.rates.get("*") or LaneRates()


def compile_profile(session: Session, row: ProfileRow) -> CompiledProfile:
    offices: frozenset[str] | None = None
    if row.units:
        tree = TREES.get(session)
        offices = frozenset().union(*(tree.subtree(u) for u in row.units))
    return CompiledProfile(
        row.id,
        row.version,
        row.name,
        criteria.parse(row.criteria),
        offices,
        row.valid_from,
        row.valid_to,
        row.reason_vi,
        row.reason_en,
    )


def load(session: Session) -> Snapshot:
    snap = Snapshot()
    for row in session.scalars(select(ProfileRow).where(ProfileRow.active.is_(True)).order_by(ProfileRow.id)):
        snap.profiles.append(compile_profile(session, row))
    for vc in session.scalars(select(ValueControlRow)):
        snap.bounds[(vc.hs_code, vc.origin)] = (vc.min_unit_value, vc.max_unit_value)
    for lr in session.scalars(select(LaneRateRow)):
        snap.rates[lr.office] = LaneRates(lr.green, lr.yellow, lr.red, lr.random_share, lr.blue or Decimal(0))
    now = clock.now()
    for ov in session.scalars(
        select(OverrideRow).where(OverrideRow.active.is_(True), OverrideRow.expires_at > now)
    ):
        snap.overrides.append(
            Override(ov.id, ov.subject, ov.value, ov.channel, ov.reason, ov.office, ov.expires_at)
        )
    snap.watched = watch.load_sets(session)
    snap.enterprise_facts = enterprise_facts.load(session)
    currencies = set().union(*(evaluation.currencies(p.rule.condition) for p in snap.profiles))
    snap.fx = fx_rates(session, currencies, now.date())
    return snap


def fx_rates(session: Session, currencies: set[str], on: date) -> dict[str, Decimal]:
    from haiquan.tariff.service import exchange_rate

    out: dict[str, Decimal] = {}
    for cur in currencies:
        try:
            out[cur] = exchange_rate(session, cur, on, field="criteria")
        except ValidationFailed:
            continue  # a rule in an unknown currency never matches (reported when the profile is saved)
    return out


class FactsSubject:
    """A declaration as the criteria language reads it."""

    def __init__(self, facts: DeclarationFacts, snap: Snapshot) -> None:
        self.facts = facts
        self.snap = snap
        self._header: dict[str, str | Decimal] = {
            "partner_country": facts.partner_country,
            "office": facts.office,
            "declarant": facts.declarant_tax_code,
            "importer": facts.importer_tax_code or "",
            "transport_mode": facts.transport_mode,
            "procedure": facts.procedure_code,
            "category": facts.category,
            "compliance_class": facts.compliance_class,
            "value": facts.total_value_vnd,
            "duties": facts.total_duties_vnd,
            "hs": "",
            "origin": "",
            "unit_value": Decimal(0),
        }
        party = facts.importer_tax_code or facts.exporter_tax_code or facts.declarant_tax_code
        known = snap.enterprise_facts.get(party, {})
        for name in enterprise_facts.FACTS:
            self._header[name] = known.get(name, Decimal(0))

    def header(self, field: str) -> str | Decimal:
        return self._header[field]

    def line_count(self) -> int:
        return len(self.facts.lines)

    def line(self, index: int, field: str) -> str | Decimal:
        ln = self.facts.lines[index]
        if field == "hs":
            return ln.hs_code
        if field == "origin":
            return ln.origin_country
        return unit_value(ln.customs_value_vnd, ln.quantity)

    def to_vnd(self, currency: str) -> Decimal:
        rate = self.snap.fx.get(currency)
        if rate is None:
            return Decimal("NaN")
        return rate

    def watched(self, kind: str) -> bool:
        values = self.snap.watched.get(kind, frozenset())
        if not values:
            return False
        f = self.facts
        if kind == "enterprise":
            return f.declarant_tax_code in values or (f.importer_tax_code or "") in values
        if kind == "consignee":
            return (f.importer_tax_code or "").upper() in values
        if kind == "route":
            return watch.route_of(f.partner_country, f.office) in values
        if kind == "country":
            return f.partner_country in values or any(ln.origin_country in values for ln in f.lines)
        return any(watch.hs_watched(values, ln.hs_code) for ln in f.lines)


def unit_value(value_vnd: Decimal, quantity: Decimal) -> Decimal:
    return value_vnd / quantity if quantity > 0 else value_vnd
