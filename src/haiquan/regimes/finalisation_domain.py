"""Finalisation (báo cáo quyết toán) as plain functions: the enterprise's norms (material per unit of
product, with a waste share) turn the products that left into the materials they used; each material's
ledger stock at the period's end, less what was used, is what the enterprise should still hold; what it
declares holding differs by the discrepancy, whose duty is priced at the rate its import declarations
paid (or would have paid) per unit.

    difference = ledger closing (opening + imported - re-exported, sold, scrapped) - used - declared stock

A positive difference is material missing (used elsewhere, sold without a declaration): duty at stake. A
negative one is more declared than the ledger can account for (an import not declared under the regime, or
norms set too high): a discrepancy without duty, for the officer all the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_WASTE_PCT = Decimal(100)
Key = tuple[str, str]  # (item code, unit of measure)


@dataclass(frozen=True)
class Norm:
    """`norm` units of `material` per unit of `product`, plus `waste_pct` % of it lost in production."""

    product: Key
    material: Key
    norm: Decimal
    waste_pct: Decimal = ZERO

    @property
    def per_unit(self) -> Decimal:
        return self.norm * (1 + self.waste_pct / HUNDRED)


@dataclass(frozen=True)
class MaterialLedger:
    """A material's stock as the ledger saw it over the period (quantities in its unit)."""

    opening: Decimal = ZERO
    inflow: Decimal = ZERO  # imported, brought in from the inland, transferred in
    outflow: Decimal = ZERO  # re-exported, sold into the domestic market, scrapped, transferred out

    @property
    def closing(self) -> Decimal:
        return self.opening + self.inflow - self.outflow


@dataclass(frozen=True)
class Reconciled:
    material: Key
    ledger: MaterialLedger
    used: Decimal
    declared: Decimal
    duty_per_unit: Decimal

    @property
    def expected(self) -> Decimal:
        return self.ledger.closing - self.used

    @property
    def difference(self) -> Decimal:
        return self.expected - self.declared

    @property
    def duty_at_stake(self) -> Decimal:
        """The duty on the material missing, to the đồng (none on a surplus)."""
        if self.difference <= 0:
            return ZERO
        return (self.difference * self.duty_per_unit).quantize(Decimal(1), ROUND_HALF_UP)

    def is_discrepancy(self, tolerance_pct: Decimal) -> bool:
        """Beyond the tolerance (a share of what the ledger held for the period)."""
        base = self.ledger.opening + self.ledger.inflow
        return abs(self.difference) > base * tolerance_pct / HUNDRED


def used_by_norms(norms: Iterable[Norm], products_out: Mapping[Key, Decimal]) -> dict[Key, Decimal]:
    """Materials used for the products that left: Σ products × norm × (1 + waste)."""
    used: dict[Key, Decimal] = {}
    for n in norms:
        q = products_out.get(n.product, ZERO)
        if q:
            used[n.material] = used.get(n.material, ZERO) + q * n.per_unit
    return used


def reconcile(
    *,
    norms: Sequence[Norm],
    declared: Mapping[Key, Decimal],
    ledger: Mapping[Key, MaterialLedger],
    products_out: Mapping[Key, Decimal],
    duty_per_unit: Mapping[Key, Decimal],
) -> list[Reconciled]:
    """Every material the norms, the declared stock or the ledger name, in code order."""
    used = used_by_norms(norms, products_out)
    materials = {n.material for n in norms} | set(declared) | set(ledger)
    return [
        Reconciled(
            m,
            ledger.get(m, MaterialLedger()),
            used.get(m, ZERO),
            declared.get(m, ZERO),
            duty_per_unit.get(m, ZERO),
        )
        for m in sorted(materials)
    ]


def duty_rate(duty: Decimal, quantity: Decimal) -> Decimal:
    """Duty per unit from the import declarations' totals (zero when nothing was imported)."""
    return duty / quantity if quantity > 0 else ZERO
