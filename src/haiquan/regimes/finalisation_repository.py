"""Finalisation's queries: what the ledger says of an enterprise's regime over a period (grouped queries,
whatever the number of entries), and the reports and tasks each caller may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, false, func, select, true
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.regimes.domain import Account, EntryKind
from haiquan.regimes.finalisation_domain import ZERO, Key, MaterialLedger, duty_rate
from haiquan.regimes.finalisation_tables import FinalisationLineRow, FinalisationRow
from haiquan.regimes.tables import LedgerLegRow

L = LedgerLegRow
F = FinalisationRow
FL = FinalisationLineRow


@dataclass
class LedgerFacts:
    """An enterprise's regime over a period as the ledger holds it."""

    unit: str | None = None
    items: set[Key] = field(default_factory=set)
    products_out: dict[Key, Decimal] = field(default_factory=dict)
    materials: dict[Key, MaterialLedger] = field(default_factory=dict)
    duty_per_unit: dict[Key, Decimal] = field(default_factory=dict)


def unscoped_ledger_facts(
    session: Session, *, tax_code: str, regime: str, start: date, end: date, products: set[Key]
) -> LedgerFacts:
    """The stocks of `regime` over [start, end] (products: what left; the rest: materials), the duty per
    unit the import entries carried up to `end`, and the office managing the regime (its latest entry's),
    in one grouped pass over the enterprise's stock legs (whatever their number). For the enterprise filing
    its own report (by its tax code)."""
    bought = and_(L.kind == EntryKind.IN, L.quantity > 0)
    before = case((L.day < start, 1), else_=0)
    q = (
        select(
            L.item_code, L.item_unit, L.kind, before, func.sum(L.quantity),
            func.sum(case((bought, L.duty_vnd), else_=0)), func.sum(case((bought, L.quantity), else_=0)),
            func.max(L.id),
        )
        .where(L.tax_code == tax_code, L.account == Account.STOCK, L.regime == regime, L.day <= end)
        .group_by(L.item_code, L.item_unit, L.kind, before)
    )  # fmt: skip
    facts, moves, paid = LedgerFacts(), _Moves(), _Paid()
    last = 0
    for code, unit, kind, early, qty, duty, bought_qty, top in session.execute(q).all():
        key, last = (code, unit), max(last, int(top))
        facts.items.add(key)
        moves.add(key, str(kind), bool(early), _d(qty))
        paid.add(key, _d(duty), _d(bought_qty))
    facts.unit = session.scalar(select(L.unit).where(L.id == last)) if last else None
    for key in facts.items:
        if key in products:
            facts.products_out[key] = -moves.kind(key, EntryKind.OUT)
        else:
            facts.materials[key] = moves.ledger(key)
        facts.duty_per_unit[key] = paid.rate(key)
    return facts


def _d(v: object) -> Decimal:
    return ZERO if v is None else Decimal(str(v))


class _Moves:
    """Per item: the balance before the period, and the period's sums by entry kind."""

    def __init__(self) -> None:
        self.opening: dict[Key, Decimal] = {}
        self.by_kind: dict[Key, dict[str, Decimal]] = {}

    def add(self, key: Key, kind: str, early: bool, q: Decimal) -> None:
        if early:
            self.opening[key] = self.opening.get(key, ZERO) + q
        else:
            kinds = self.by_kind.setdefault(key, {})
            kinds[kind] = kinds.get(kind, ZERO) + q

    def kind(self, key: Key, kind: str) -> Decimal:
        return self.by_kind.get(key, {}).get(kind, ZERO)

    def ledger(self, key: Key) -> MaterialLedger:
        moved = self.by_kind.get(key, {}).values()
        inflow = sum((q for q in moved if q > 0), ZERO)
        return MaterialLedger(self.opening.get(key, ZERO), inflow, -sum((q for q in moved if q < 0), ZERO))


class _Paid:
    def __init__(self) -> None:
        self.totals: dict[Key, tuple[Decimal, Decimal]] = {}

    def add(self, key: Key, duty: Decimal, q: Decimal) -> None:
        d, n = self.totals.get(key, (ZERO, ZERO))
        self.totals[key] = (d + duty, n + q)

    def rate(self, key: Key) -> Decimal:
        return duty_rate(*self.totals.get(key, (ZERO, ZERO)))


def _visible(scope: Scope) -> ColumnElement[bool]:
    if scope.enterprise_id is not None:
        return F.enterprise_id == scope.enterprise_id
    if scope.units is None:
        return true()
    return F.unit.in_(scope.units) if scope.units else false()


def finalisations(
    session: Session, *, scope: Scope, tax_code: str | None, limit: int
) -> list[FinalisationRow]:
    q = select(F).where(_visible(scope)).order_by(F.filed_at.desc(), F.id).limit(limit)
    if tax_code:
        q = q.where(F.tax_code == tax_code)
    return list(session.scalars(q))


def finalisation(session: Session, finalisation_id: str, *, scope: Scope) -> FinalisationRow:
    row = session.scalar(select(F).where(F.id == finalisation_id, _visible(scope)))
    if row is None:
        raise NotFound(f"no finalisation {finalisation_id}", field="finalisation_id")
    return row


def lines(session: Session, finalisation_id: str, *, scope: Scope) -> list[FinalisationLineRow]:
    finalisation(session, finalisation_id, scope=scope)
    q = select(FL).where(FL.finalisation_id == finalisation_id).order_by(FL.material_code, FL.material_unit)
    return list(session.scalars(q))


def open_tasks(session: Session, *, scope: Scope, limit: int) -> list[FinalisationLineRow]:
    """Discrepancies waiting for an officer of the caller's units, the most duty first."""
    if scope.enterprise_id is not None:
        return []
    q = select(FL).where(FL.task == "open").order_by(FL.duty_at_stake.desc(), FL.id).limit(limit)
    if scope.units is not None:
        q = q.where(FL.unit.in_(scope.units))
    return list(session.scalars(q))


def unscoped_open_duty(session: Session, tax_code: str) -> Decimal:
    """The duty at stake in an enterprise's discrepancies still open (the risk fact)."""
    q = select(func.coalesce(func.sum(FL.duty_at_stake), 0)).where(FL.tax_code == tax_code, FL.task == "open")
    return Decimal(str(session.scalar(q) or 0))


def duty_at_stake_by_unit(session: Session, *, scope: Scope) -> list[tuple[str, int, Decimal]]:
    """(unit, open discrepancies, duty at stake) for the report figure, in the caller's units."""
    q = select(FL.unit, func.count(), func.coalesce(func.sum(FL.duty_at_stake), 0)).where(FL.task == "open")
    if scope.units is not None:
        q = q.where(FL.unit.in_(scope.units))
    rows = session.execute(q.group_by(FL.unit).order_by(FL.unit)).all()
    return [(u, int(n), Decimal(str(d))) for u, n, d in rows]


def finalisations_of_period(
    session: Session, tax_code: str, regime: str, start: date, end: date
) -> list[str]:
    """The ids of an enterprise's reports already filed for this regime and period (unscoped: its own)."""
    q = select(F.id).where(
        F.tax_code == tax_code, F.regime == regime, F.period_start == start, F.period_end == end
    )
    return list(session.scalars(q))


def unscoped_lines(session: Session, finalisation_id: str) -> list[FinalisationLineRow]:
    """A finalisation's lines (the consumer booking its consumption)."""
    return list(session.scalars(select(FL).where(FL.finalisation_id == finalisation_id).order_by(FL.id)))


def unscoped_enterprise_of(session: Session, finalisation_id: str) -> str | None:
    return session.scalar(select(F.enterprise_id).where(F.id == finalisation_id))
