"""Due dates, aging, enforcement stages and the account from movements: table-driven and property tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.taxes.domain import (
    REGIMES,
    STAGES,
    Bucket,
    Debt,
    Movement,
    Regime,
    Stage,
    account,
    bucket_of,
    due_date,
    regime_for,
    stage_for,
)

D0 = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("kind", "code", "guaranteed", "regime", "days"),
    [
        (None, "A11", False, Regime.IMMEDIATE, 0),
        (None, "A11", True, Regime.GUARANTEED, 30),
        (None, "E31", False, Regime.PRODUCTION_FOR_EXPORT, 275),
        ("penalty", None, False, Regime.PENALTY, 10),
        ("fee", "A11", True, Regime.FEE, 0),
    ],
)
def test_regimes(kind: str | None, code: str, guaranteed: bool, regime: Regime, days: int) -> None:
    got = regime_for(charge_kind=kind, procedure_code=code, guaranteed=guaranteed)
    assert got == regime
    assert due_date(got, D0) == D0 + timedelta(days=days)
    assert REGIMES[got].source


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-5, Bucket.NOT_DUE), (0, Bucket.NOT_DUE), (1, Bucket.D1_30), (30, Bucket.D1_30), (31, Bucket.D31_60),
     (60, Bucket.D31_60), (61, Bucket.D61_90), (90, Bucket.D61_90), (91, Bucket.OVER_90)],
)  # fmt: skip
def test_buckets(days: int, bucket: Bucket) -> None:
    assert bucket_of(days) == bucket


@pytest.mark.parametrize(
    ("days", "stage"),
    [(0, Stage.NONE), (1, Stage.REMINDER), (31, Stage.PUBLIC_NOTICE), (90, Stage.PUBLIC_NOTICE),
     (91, Stage.ACCOUNT_FREEZE), (181, Stage.INVOICE_STOP), (366, Stage.ASSET_SEIZURE)],
)  # fmt: skip
def test_stages(days: int, stage: Stage) -> None:
    rule = stage_for(days)
    assert rule.stage == stage
    assert rule.blocks_customs == (days > 90)


def test_stages_are_ordered_and_sourced() -> None:
    assert [s.from_days for s in STAGES] == sorted(s.from_days for s in STAGES)
    assert all(s.source for s in STAGES[1:])


AMOUNT = st.integers(min_value=1, max_value=10**11).map(Decimal)
MOVES = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), AMOUNT, st.booleans()), min_size=0, max_size=12
)


def _debts(moves: list[tuple[int, Decimal, bool]], regime: Regime = Regime.IMMEDIATE) -> list[Debt]:
    ms = tuple(Movement(D0 + timedelta(days=d), a if up else -a) for d, a, up in moves)
    return [Debt("100000000001", regime, ms)]


@given(MOVES, st.integers(min_value=0, max_value=800), st.sampled_from(list(Regime)))
def test_buckets_add_up_and_items_are_whole_dong(
    moves: list[tuple[int, Decimal, bool]], on: int, regime: Regime
) -> None:
    acc = account(_debts(moves, regime), D0 + timedelta(days=on))
    assert sum(acc.buckets.values()) == acc.outstanding
    assert all(i.amount > 0 for i in acc.items)
    assert acc.interest == acc.interest.to_integral_value()
    assert acc.interest >= 0
    assert acc.overdue <= acc.outstanding


@given(MOVES, st.integers(min_value=0, max_value=800))
def test_outstanding_is_what_was_raised_less_what_was_paid(
    moves: list[tuple[int, Decimal, bool]], on: int
) -> None:
    """While payments never exceed what is owed at the time, the account is the plain sum."""
    day = D0 + timedelta(days=on)
    owed, ok = Decimal(0), True
    for d, a, up in sorted(moves, key=lambda m: (m[0], not m[2])):
        if D0 + timedelta(days=d) > day:
            continue
        owed += a if up else -a
        ok = ok and owed >= 0
    if ok:
        assert account(_debts(moves), day).outstanding == owed


@given(MOVES, st.integers(min_value=0, max_value=800), st.integers(min_value=1, max_value=300))
def test_interest_never_falls_as_days_pass(
    moves: list[tuple[int, Decimal, bool]], on: int, more: int
) -> None:
    day = D0 + timedelta(days=max(on, 400))
    later = day + timedelta(days=more)
    assert account(_debts(moves), later).interest >= account(_debts(moves), day).interest


def test_blocking_debt_and_oldest_due() -> None:
    debts = [
        Debt("100000000001", Regime.IMMEDIATE, (Movement(D0, Decimal(5_000_000)),)),
        Debt("100000000002", Regime.GUARANTEED, (Movement(D0 + timedelta(days=50), Decimal(7_000_000)),)),
    ]
    acc = account(debts, D0 + timedelta(days=95))
    assert acc.blocking == Decimal(5_000_000)
    assert acc.blocking_since == D0
    assert acc.buckets[Bucket.D1_30] == Decimal(7_000_000)
    assert acc.stage.stage == Stage.ACCOUNT_FREEZE
    # 5,000,000 × 0.03 % × 95 = 142,500; 7,000,000 × 0.03 % × 15 = 31,500
    assert acc.interest == Decimal(174_000)
    paid = [Debt("100000000001", Regime.IMMEDIATE, (Movement(D0, Decimal(5_000_000)),
                                                    Movement(D0 + timedelta(days=96), Decimal(-5_000_000))))]  # fmt: skip
    after = account(paid, D0 + timedelta(days=100))
    assert after.blocking == 0
    assert after.outstanding == 0
    assert after.interest == Decimal(5_000_000 * 3 * 95 // 10_000)
