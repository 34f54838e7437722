"""The release rule, exhaustively: every combination of state, holder, customs, seal and count."""

from __future__ import annotations

import itertools

import pytest

from haiquan.supervision.domain import (
    Connection,
    DeclarationFacts,
    Destination,
    ExitRequest,
    GoodsFacts,
    SurveyFacts,
    can_move_connection,
    decide_exit,
    rank,
    release_status,
)

STATES = ("expected", "in", "out", "moving")
HOLDERS = ("op1", "op2", None)
DECLS = {
    "none": [],
    "cleared": [DeclarationFacts("1", "cleared", 10)],
    "released": [DeclarationFacts("1", "released", 10)],
    "exited": [DeclarationFacts("1", "goods_exited", 10)],
    "registered": [DeclarationFacts("1", "registered", 10)],
    "held": [DeclarationFacts("1", "held_by_other_agency", 10)],
    "cancelled": [DeclarationFacts("1", "cancelled", 10)],
    "split_ok": [DeclarationFacts("1", "cleared", 4), DeclarationFacts("2", "released", 6)],
    "split_one_open": [DeclarationFacts("1", "cleared", 4), DeclarationFacts("2", "inspection_intended", 6)],
    "short": [DeclarationFacts("1", "cleared", 9)],
}
SEALS = ("S1", "S2", None)
DESTS = tuple(Destination)
PURPOSES = ("import", "export", "transit", "transshipment")


def expected_codes(
    state: str, holder: str | None, decl: str, seal: str | None, dest: Destination, purpose: str, permit: bool
) -> set[str]:
    """The rule written a second way, as a specification."""
    codes: set[str] = set()
    if state == "out":
        codes.add("already_exited")
    elif state != "in":
        codes.add("not_gated_in")
    elif holder != "op1":
        codes.add("held_by_another_operator")
    if dest is Destination.CONTROLLED_AREA or purpose in ("transit", "transshipment"):
        if not permit:
            codes.add("no_customs_permit")
    else:
        codes |= _declaration_codes(decl)
    if seal != "S1":
        codes.add("seal_mismatch")
    return codes


def _declaration_codes(decl: str) -> set[str]:
    """Leaving the controlled area: what the declarations covering the goods say."""
    live = [d for d in DECLS[decl] if d.status not in ("cancelled",)]
    if not live:
        return {"no_declaration"}
    codes: set[str] = set()
    for d in live:
        if d.status == "held_by_other_agency":
            codes.add("held_by_other_agency")
        elif d.status not in ("cleared", "released", "goods_exited"):
            codes.add("declaration_not_cleared")
    if not codes and sum(d.package_count for d in live) != 10:
        codes.add("count_mismatch")
    return codes


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("permit", [False, True])
def test_every_combination_of_the_release_rule(purpose: str, permit: bool) -> None:
    checked = 0
    for state, holder, decl, seal, dest in itertools.product(STATES, HOLDERS, DECLS, SEALS, DESTS):
        goods = GoodsFacts("BL1", "MSCU1234565", purpose, 10, state, holder, "S1")
        d = decide_exit(goods, DECLS[decl], ExitRequest("op1", dest, seal, None), permit=permit)
        want = expected_codes(state, holder, decl, seal, dest, purpose, permit)
        assert {r.code for r in d.reasons} == want, (state, holder, decl, seal, dest)
        assert d.allowed == (not want)
        checked += 1
    assert checked == len(STATES) * len(HOLDERS) * len(DECLS) * len(SEALS) * len(DESTS)


def test_cleared_goods_in_the_holders_area_with_the_right_seal_leave() -> None:
    goods = GoodsFacts("BL1", "MSCU1234565", "import", 10, "in", "op1", "S1")
    d = decide_exit(goods, DECLS["cleared"], ExitRequest("op1", Destination.INLAND, "S1", None), permit=False)
    assert d.allowed
    assert d.reasons == ()


def test_loose_cargo_counts_are_checked_at_the_gate() -> None:
    goods = GoodsFacts("AWB1", "", "import", 10, "in", "op1", "")
    ok = decide_exit(goods, DECLS["cleared"], ExitRequest("op1", Destination.INLAND, None, 10), permit=False)
    short = decide_exit(
        goods, DECLS["cleared"], ExitRequest("op1", Destination.INLAND, None, 7), permit=False
    )
    assert ok.allowed
    assert not short.allowed
    assert short.mismatch
    assert [r.code for r in short.reasons] == ["count_mismatch"]


def test_status_look_up_ignores_the_gate_but_not_customs() -> None:
    goods = GoodsFacts("BL1", "", "import", 10, "expected", None, "")
    assert release_status(goods, DECLS["cleared"], permit=False).allowed
    assert [r.code for r in release_status(goods, DECLS["none"], permit=False).reasons] == ["no_declaration"]
    assert release_status(GoodsFacts("BL1", "", "transit", 10, "in", None, ""), [], permit=True).allowed


def test_connection_moves_step_by_step() -> None:
    assert can_move_connection(Connection.SURVEYED, Connection.TESTING)
    assert not can_move_connection(Connection.SURVEYED, Connection.LIVE)
    assert can_move_connection(Connection.TESTING, Connection.LIVE)
    assert can_move_connection(Connection.LIVE, Connection.TESTING)


def test_ranking_weighs_frequency_volume_and_readiness() -> None:
    ranked = rank(
        [
            SurveyFacts("small", 10, 1000, 0, 5),
            SurveyFacts("big", 1000, 100000, 50000, 2),
            SurveyFacts("mid", 500, 50000, 50000, 5),
        ]
    )
    assert [r.operator_id for r in ranked] == ["big", "mid", "small"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert ranked[0].parts["frequency"] == 1.0
    assert ranked[2].parts["readiness"] == 1.0
    assert rank([]) == []
