"""The ledger's rules without a database: property tests over random sequences of movements (balances
never negative; for every stock, in = out + held; every entry's legs sum to zero), corrections that
converge on what a declaration says, outflows drawn and refused, deadlines and duty pro rata."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.regimes.domain import (
    ZERO,
    Account,
    DeadlineState,
    Entry,
    Item,
    LineFacts,
    ShortfallError,
    apply,
    balances,
    corrections,
    deadline_state,
    draw,
    duty_left,
    entries_for,
    net,
    stock_of,
)
from haiquan.regimes.rules import rule_for

ITEMS = [Item("85171300", "PCE"), Item("85177990", "PCE"), Item("39269099", "KGM")]
CODES = ["G12", "G22", "E21", "E52", "C11", "C12", "A42", "E11", "E42", "A21", "G61", "G51"]

movements = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(ITEMS), st.integers(min_value=1, max_value=50)),
    max_size=60,
)


def _run(moves: list[tuple[str, Item, int]]) -> tuple[list[Entry], int]:
    """Book each movement as the consumer would: draw, then apply; a refused one books nothing."""
    booked: list[Entry] = []
    held: dict[tuple[str, Item], Decimal] = {}
    refused = 0
    for code, item, q in moves:
        rule = rule_for(code)
        assert rule is not None
        facts = [LineFacts(1, item, Decimal(q))]
        chosen, short = draw(rule, facts, held)
        if short:
            refused += 1
            continue
        todo = entries_for(rule, facts, chosen)
        held = apply(held, todo)
        booked.extend(todo)
    return booked, refused


@given(movements)
def test_balances_never_negative_and_in_equals_out_plus_stock(moves: list[tuple[str, Item, int]]) -> None:
    booked, _ = _run(moves)
    stocks = stock_of(booked)
    assert all(q >= 0 for q in stocks.values())
    for (regime, item), held in stocks.items():
        legs = [q for e in booked if e.item == item for acc, q in e.legs() if acc == (Account.STOCK, regime)]
        qin = sum((q for q in legs if q > 0), ZERO)
        qout = -sum((q for q in legs if q < 0), ZERO)
        assert qin == qout + held


@given(movements)
def test_every_entry_balances(moves: list[tuple[str, Item, int]]) -> None:
    booked, _ = _run(moves)
    per_item: dict[Item, Decimal] = {}
    for (_, item), q in balances(booked).items():
        per_item[item] = per_item.get(item, ZERO) + q
    assert all(v == 0 for v in per_item.values())


@given(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=5), st.data())
def test_corrections_converge_on_what_the_declaration_says(
    quantities: list[int], data: st.DataObject
) -> None:
    rule = rule_for("G12")
    assert rule is not None
    booked: list[Entry] = []
    for q in quantities:
        wanted = entries_for(rule, [LineFacts(1, ITEMS[0], Decimal(q))], {})
        booked += corrections(booked, wanted)
        assert net(booked) == wanted
    final = data.draw(st.booleans())
    if final:  # cancelled: everything reversed
        booked += corrections(booked, [])
        assert net(booked) == []
        assert stock_of(booked).get(("temporary", ITEMS[0]), ZERO) == 0


def test_reexport_of_more_than_imported_is_a_shortfall_naming_the_line() -> None:
    g12, g22 = rule_for("G12"), rule_for("G22")
    assert g12 is not None
    assert g22 is not None
    held = apply({}, entries_for(g12, [LineFacts(1, ITEMS[0], Decimal(2))], {}))
    _, short = draw(g22, [LineFacts(1, ITEMS[0], Decimal(1)), LineFacts(2, ITEMS[0], Decimal(2))], held)
    assert [(s.line_no, s.field, s.asked, s.available) for s in short] == [
        (2, "lines[1].quantity", Decimal(2), Decimal(1))
    ]


def test_apply_refuses_a_stock_below_zero() -> None:
    g22 = rule_for("G22")
    assert g22 is not None
    with pytest.raises(ShortfallError) as err:
        apply({}, entries_for(g22, [LineFacts(3, ITEMS[0], Decimal(1))], {3: "temporary"}))
    assert err.value.shortfall.line_no == 3


def test_a_sale_into_the_domestic_market_draws_on_the_regime_that_holds_the_goods() -> None:
    c11, e21, a42 = rule_for("C11"), rule_for("E21"), rule_for("A42")
    assert c11
    assert e21
    assert a42
    held = apply({}, entries_for(e21, [LineFacts(1, ITEMS[2], Decimal(5))], {}))
    chosen, short = draw(a42, [LineFacts(1, ITEMS[2], Decimal(4))], held)
    assert (chosen, short) == ({1: "processing"}, [])


def test_products_exported_are_produced_first() -> None:
    e42 = rule_for("E42")
    assert e42 is not None
    entries = entries_for(e42, [LineFacts(1, ITEMS[0], Decimal(10))], {})
    assert [e.kind.value for e in entries] == ["produced", "out"]
    assert stock_of(entries) == {("epe", ITEMS[0]): ZERO}


def test_deadline_states_and_duty_pro_rata() -> None:
    due = date(2026, 3, 31)
    assert deadline_state(due, 15, date(2026, 3, 1), Decimal(1)) is DeadlineState.OPEN
    assert deadline_state(due, 15, date(2026, 3, 16), Decimal(1)) is DeadlineState.DUE_SOON
    assert deadline_state(due, 15, date(2026, 4, 1), Decimal(1)) is DeadlineState.OVERDUE
    assert deadline_state(due, 15, date(2026, 4, 1), ZERO) is DeadlineState.DISCHARGED
    assert duty_left(Decimal(1000), Decimal(3), Decimal(1)) == Decimal(333)
