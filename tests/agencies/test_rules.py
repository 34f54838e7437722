"""The permit's status machine, the decision's checks, and the clearance and release rules with permits,
over every combination."""

from __future__ import annotations

import itertools

import pytest

from haiquan.agencies.domain import (
    DECIDED,
    GRANTED,
    NEXT,
    DecisionInput,
    Outcome,
    Requirement,
    Status,
    all_granted,
    check_decision,
    move,
)
from haiquan.declarations.domain import Command, after_checks
from haiquan.declarations.domain import Status as DStatus
from haiquan.kit.domain_errors import Conflict, ValidationFailed
from haiquan.supervision.domain import DeclarationFacts, GoodsFacts, release_status


def test_every_move_of_a_permit() -> None:
    for a, b in itertools.product(Status, Status):
        allowed = (a is Status.REQUESTED and b is not Status.REQUESTED) or (
            a is Status.UNDER_INSPECTION and b in DECIDED
        )
        if allowed:
            assert move(a, b) is b
            assert b in NEXT[a]
        else:
            with pytest.raises(Conflict):
                move(a, b)


def _expected_field(req: Requirement, outcome: Outcome, lab: str, cond: str, reason: str) -> str | None:
    if req is Requirement.INSPECTION and not lab:
        return "lab_reference"
    if outcome is Outcome.CONDITIONAL and not cond:
        return "conditions"
    if outcome is Outcome.REFUSED and not reason:
        return "reason"
    return None


def test_every_decision_on_an_open_permit() -> None:
    for req, outcome, lab, cond, reason, current in itertools.product(
        Requirement, Outcome, ("", "LAB-1"), ("", "keep cold"), ("", "pest found"),
        (Status.REQUESTED, Status.UNDER_INSPECTION),
    ):  # fmt: skip
        d = DecisionInput(outcome, reason, cond, lab)
        field = _expected_field(req, outcome, lab, cond, reason)
        if field is None:
            assert check_decision(req, current, d) is Status(outcome.value)
        else:
            with pytest.raises(ValidationFailed) as refused:
                check_decision(req, current, d)
            assert refused.value.field == field


def test_a_decided_permit_is_not_decided_again() -> None:
    for current in DECIDED:
        with pytest.raises(Conflict):
            check_decision(Requirement.PERMIT, current, DecisionInput(Outcome.APPROVED, "", "", ""))


def test_all_granted() -> None:
    assert all_granted([])
    for combo in itertools.product(Status, repeat=2):
        assert all_granted(list(combo)) == all(s in GRANTED for s in combo)


def test_the_clearance_rule_over_every_combination() -> None:
    """Cleared only when the checks passed, the duties are settled and no permit is missing."""
    for passed, settled, hold, current in itertools.product(
        (False, True), (False, True), (False, True), DStatus
    ):
        got = after_checks(checks_passed=passed, duties_settled=settled, current=current, agency_hold=hold)
        if not passed:
            want = None
        elif not settled:
            want = None if current is DStatus.DUTY_PAYMENT_REFERENCE_ISSUED else Command.AWAIT_PAYMENT
        else:
            want = None if current is DStatus.CLEARED or hold else Command.CLEAR
        assert got == want, (passed, settled, hold, current)


STATUSES = ("registered", "cleared", "released", "held_by_other_agency", "cancelled")
AGENCY_SETS: tuple[tuple[str, ...], ...] = ((), ("PPD",), ("PPD", "VFA"))


def test_the_release_rule_with_permits_over_every_combination() -> None:
    """The status look-up: a missing permit and a refusal are reasons of their own, whatever the status."""
    goods = GoodsFacts("BL1", "", "import", 10, "in", "op1", "")
    for status, awaited, refused in itertools.product(STATUSES, AGENCY_SETS, AGENCY_SETS):
        facts = [DeclarationFacts("1", status, 10, awaited, refused)]
        codes = {r.code for r in release_status(goods, facts, permit=False).reasons}
        want: set[str] = set()
        if status == "cancelled":
            want = {"no_declaration"}
        else:
            want |= {"permit_missing"} if awaited else set()
            want |= {"permit_refused"} if refused else set()
            if status == "held_by_other_agency":
                want.add("held_by_other_agency")
            elif status == "registered":
                want.add("declaration_not_cleared")
        assert codes == want, (status, awaited, refused)


def test_the_reason_names_the_agency() -> None:
    goods = GoodsFacts("BL1", "", "import", 10, "in", "op1", "")
    decision = release_status(goods, [DeclarationFacts("107", "registered", 10, ("PPD",))], permit=False)
    missing = next(r for r in decision.reasons if r.code == "permit_missing")
    assert "PPD" in missing.en
    assert "PPD" in missing.vi
    assert not decision.allowed
