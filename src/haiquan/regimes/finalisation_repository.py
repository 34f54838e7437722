"""Finalisation's queries: what the ledger says of an enterprise's regime over a period (grouped queries,
whatever the number of entries), and the reports and tasks each caller may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from haiquan.kit.auth import UNSCOPED, Scope
from haiquan.kit.errors import NotFound
from haiquan.regimes.domain import Account, EntryKind
from haiquan.regimes.finalisation_domain import ZERO, Key, MaterialLedger, duty_rate
from haiquan.regimes.finalisation_tables import FinalisationLineRow, FinalisationRow
from haiquan.regimes.repository import period_summary
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
    unit the import entries carried up to `end`, and the office managing the regime (its latest entry's).
    For the enterprise filing its own report (by its tax code) and for the reconciliation."""
    facts = LedgerFacts()
    last = select(L.unit).where(L.tax_code == tax_code, L.regime == regime).order_by(L.id.desc()).limit(1)
    facts.unit = session.scalar(last)
    for line in period_summary(session, scope=UNSCOPED, tax_code=tax_code, start=start, end=end):
        if line.regime != regime:
            continue
        key = (line.item.code, line.item.unit)
        facts.items.add(key)
        if key in products:
            facts.products_out[key] = -line.by_kind.get(EntryKind.OUT, ZERO)
            continue
        moves = line.by_kind.values()
        facts.materials[key] = MaterialLedger(
            line.opening, sum((q for q in moves if q > 0), ZERO), -sum((q for q in moves if q < 0), ZERO)
        )
    paid = (
        select(L.item_code, L.item_unit, func.sum(L.duty_vnd), func.sum(L.quantity))
        .where(L.tax_code == tax_code, L.regime == regime, L.account == Account.STOCK)
        .where(L.kind == EntryKind.IN, L.quantity > 0, L.day <= end)
        .group_by(L.item_code, L.item_unit)
    )
    for code, unit, duty, qty in session.execute(paid).all():
        facts.duty_per_unit[(code, unit)] = duty_rate(Decimal(str(duty or 0)), Decimal(str(qty or 0)))
    return facts


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
