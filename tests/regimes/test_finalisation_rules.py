"""Finalisation's rules without a database: norms with waste, the reconciliation's balance, the duty on a
shortfall only, the tolerance; and the risk fact read by the criteria language."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from haiquan.regimes.finalisation_domain import MaterialLedger, Norm, reconcile, used_by_norms
from haiquan.risk import evaluation
from haiquan.risk.criteria import parse
from haiquan.risk.snapshot import FactsSubject, Snapshot
from tests.risk.test_engine_service import facts

PHONE, SCREEN, CHIP = ("P1", "PCE"), ("M1", "PCE"), ("M2", "GRM")
D = Decimal


def test_norms_with_waste_make_the_materials_used() -> None:
    norms = [Norm(PHONE, SCREEN, D(1), D(2)), Norm(PHONE, CHIP, D("0.5"))]
    assert used_by_norms(norms, {PHONE: D(100)}) == {SCREEN: D(102), CHIP: D(50)}


def test_shortfall_carries_duty_surplus_does_not() -> None:
    ledger = {SCREEN: MaterialLedger(D(10), D(200), D(5)), CHIP: MaterialLedger(D(0), D(60), D(0))}
    (screen, chip) = reconcile(norms=[Norm(PHONE, SCREEN, D(1), D(2)), Norm(PHONE, CHIP, D("0.5"))],
                               declared={SCREEN: D(100), CHIP: D(20)}, ledger=ledger,
                               products_out={PHONE: D(100)}, duty_per_unit={SCREEN: D(1500), CHIP: D(3)})  # fmt: skip
    assert (screen.expected, screen.difference, screen.duty_at_stake) == (D(103), D(3), D(4500))
    assert (chip.difference, chip.duty_at_stake) == (D(-10), D(0))
    assert screen.is_discrepancy(D("0.1"))
    assert not screen.is_discrepancy(D(5))


quantity = st.decimals(min_value=0, max_value=10**6, places=3)


@given(quantity, quantity, quantity, quantity, st.decimals(min_value=0, max_value=100, places=2), quantity)
def test_the_balance_always_holds(opening: D, inflow: D, outflow: D, made: D, waste: D, held: D) -> None:
    """closing = used + declared + difference, whatever the figures; duty only on a positive difference."""
    (r,) = reconcile(norms=[Norm(PHONE, SCREEN, D(2), waste)], declared={SCREEN: held},
                     ledger={SCREEN: MaterialLedger(opening, inflow, outflow)}, products_out={PHONE: made},
                     duty_per_unit={SCREEN: D(7)})  # fmt: skip
    assert r.ledger.closing == r.used + r.declared + r.difference
    assert (r.duty_at_stake > 0) == (r.difference * 7 >= D("0.5"))


def test_the_criteria_read_the_enterprise_fact() -> None:
    rule = parse("finalisation_discrepancy_duty > 1000000 -> yellow")
    snap = Snapshot(enterprise_facts={"0101248141": {"finalisation_discrepancy_duty": D(2_500_000)}})
    assert evaluation.matches(rule, FactsSubject(facts(1), snap))
    assert not evaluation.matches(rule, FactsSubject(facts(1), Snapshot()))
