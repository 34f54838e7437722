"""Budget revenue estimates (dự toán thu ngân sách) per unit and year. An estimate set on a unit is its
estimate; a unit without one sums its children's (so a department's and the nation's are sums)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.errors import ValidationFailed
from haiquan.organization.domain import UnitTree
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.tables import BudgetTargetRow


def set_target(
    session: Session, *, tree: UnitTree, unit: str, year: int, amount: Decimal, actor: str
) -> BudgetTargetRow:
    if tree.get(unit) is None:
        raise ValidationFailed(f"unknown unit {unit!r}", field="unit")
    if not 2000 <= year <= 2100:
        raise ValidationFailed("year out of range", field="year")
    if amount < 0:
        raise ValidationFailed("an estimate cannot be negative", field="amount")
    row = session.get(BudgetTargetRow, (unit, year))
    if row is None:
        row = BudgetTargetRow(unit=unit, year=year, amount=amount, set_by=actor, set_at=clock.now())
        session.add(row)
    else:
        row.amount, row.set_by, row.set_at = amount, actor, clock.now()
    outbox.record(
        session,
        type=PaymentEvent.REVENUE_TARGET_SET,
        unit=unit,
        actor=actor,
        payload={"unit": unit, "year": year, "amount": str(amount)},
    )
    audit.append(
        session,
        actor=actor,
        action="revenue.target_set",
        target=f"target:{unit}:{year}",
        unit=unit,
        detail={"amount": str(amount)},
    )
    return row


def targets(session: Session, year: int) -> dict[str, Decimal]:
    rows = session.scalars(select(BudgetTargetRow).where(BudgetTargetRow.year == year)).all()
    return {r.unit: r.amount for r in rows}


def estimate(tree: UnitTree, set_on: dict[str, Decimal], unit: str) -> Decimal:
    """The unit's own estimate if set, else the sum of its children's estimates."""
    if unit in set_on:
        return set_on[unit]
    return sum((estimate(tree, set_on, c) for c in tree.children.get(unit, ())), Decimal(0))


def scoped_estimate(tree: UnitTree, set_on: dict[str, Decimal], units: frozenset[str] | None) -> Decimal:
    """The estimate of what a scope covers: the sum over its top units (units whose parent is outside)."""
    if units is None:
        return sum((estimate(tree, set_on, r) for r in tree.roots()), Decimal(0))
    tops = [u for u in units if (tree.get(u) is None or tree.units[u].parent not in units)]
    return sum((estimate(tree, set_on, u) for u in tops), Decimal(0))
