"""Ledger invariants as property tests, allocation, references, reconciliation: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haiquan.payments import domain
from haiquan.payments.domain import Account, Due, PaymentError, StatementLine

amounts = st.integers(min_value=1, max_value=10**12).map(Decimal)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(amounts, min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), amounts), max_size=12),
    st.lists(st.integers(-(10**11), 10**11).map(Decimal), max_size=3),
)
def test_debits_equal_credits_and_collected_never_exceeds_assessed_plus_overpayments(
    assessed: list[Decimal], payments: list[tuple[int, Decimal]], amendments: list[Decimal]
) -> None:
    balances = {a: Decimal(0) for a in Account}
    due = list(assessed)
    paid = [Decimal(0)] * len(due)
    entries = [domain.assessment(a) for a in assessed]
    for diff in amendments:
        new = max(Decimal(0), due[0] + diff)
        entries.append(domain.amendment(new - due[0], due[0] - paid[0]))
        due[0] = new
    overpaid = Decimal(0)
    for i, amount in payments:
        i %= len(due)
        alloc = domain.allocate(amount, [Due("r", "d", due[i] - paid[i])])
        paid[i] += alloc.allocated
        overpaid += alloc.excess
        entries.append(domain.payment(alloc.allocated, alloc.excess))
    for postings in entries:
        assert domain.balanced(postings)
        for p in postings:
            balances[p.account] += p.debit - p.credit
    assert sum(balances.values()) == 0
    assessed_net = -balances[Account.REVENUE]
    assert balances[Account.TREASURY] <= assessed_net + overpaid + sum(
        max(Decimal(0), -d) for d in amendments
    )
    assert all(p <= d or d == 0 for p, d in zip(paid, due, strict=True))


def test_allocation_in_the_bank_order_with_the_rest_over_paid() -> None:
    a = domain.allocate(Decimal(150), [Due("r1", "d1", Decimal(100)), Due("r2", "d2", Decimal(30))])
    assert [(s.reference, s.amount) for s in a.shares] == [("r1", Decimal(100)), ("r2", Decimal(30))]
    assert a.excess == 20
    with pytest.raises(PaymentError):
        domain.allocate(Decimal("10.5"), [])


def test_reference_check_digit_catches_a_typo() -> None:
    ref = domain.reference_for("100000000013", 1)
    assert domain.check_reference(ref) == ref
    with pytest.raises(PaymentError):
        domain.check_reference(ref[:-2] + ref[-1] + ref[-2] if ref[-1] != ref[-2] else ref[:-1] + "0")


def test_hanoi_2020_figures_from_the_article() -> None:
    bn = Decimal(10**9)
    # year-end estimate: 101.8% of 23,300 bn before the 624 bn of 2019 refunds due, 99.1% after
    f = domain.RevenueFigures(23_300 * bn, Decimal("23719.4") * bn, 624 * bn, 22_495 * bn)
    assert f.pct_of_estimate == Decimal("101.8")
    assert f.pct_after_refunds == Decimal("99.1")
    assert f.pct_of_last_year == Decimal("105.4")


def test_reconciliation_lists_every_difference() -> None:
    rec = [domain.Recorded("T1", Decimal(100), "R1", False), domain.Recorded("T2", Decimal(50), "R2", False),
           domain.Recorded("T3", Decimal(70), "R3", True), domain.Recorded("T5", Decimal(9), "R5", False)]  # fmt: skip
    stmt = [StatementLine("T1", Decimal(100), "R1"), StatementLine("T2", Decimal(55), "R2"),
            StatementLine("T3", Decimal(70), "R3"), StatementLine("T4", Decimal(10), "R4")]  # fmt: skip
    kinds = {(d.kind, d.transaction_id) for d in domain.reconcile(stmt, rec)}
    assert kinds == {("amount_differs", "T2"), ("reversed_in_customs", "T3"), ("missing_in_customs", "T4"),
                     ("missing_in_bank", "T5")}  # fmt: skip
