"""The declaration's lifecycle, exhaustively: every status (and "not lodged yet") × every command, against
the lifecycle written a second way, as a specification. Pure: no database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection

import pytest
from sqlalchemy.orm import Session

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import (
    ACTIONS,
    FACTS,
    LIFECYCLE,
    Command,
    LifecycleError,
    Move,
    Status,
    after_checks,
    move,
)
from haiquan.declarations.events import transition
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.errors import Conflict

S, C = Status, Command
STATUSES: list[Status | None] = [None, *Status]
LIVE: set[Status | None] = {S.ACCEPTED, S.REGISTERED, S.DOCUMENTS_REQUESTED, S.INSPECTION_INTENDED,
        S.DUTY_PAYMENT_REFERENCE_ISSUED, S.CLEARED, S.RELEASED, S.HELD_BY_OTHER_AGENCY}  # fmt: skip
CHECKING: set[Status | None] = {S.REGISTERED, S.DOCUMENTS_REQUESTED, S.INSPECTION_INTENDED}


def only(sources: Collection[Status | None], after: Status) -> Callable[[Status | None], Status | None]:
    return lambda status: after if status in sources else None


def stays(sources: Collection[Status | None]) -> Callable[[Status | None], Status | None]:
    return lambda status: status if status in sources else None


DECIDING = CHECKING | {S.HELD_BY_OTHER_AGENCY}  # decisions that also bring a held declaration back
# command -> the status after it from a given status, or None where the lifecycle refuses it
SPEC: dict[Command, Callable[[Status | None], Status | None]] = {
    C.LODGE: only({None}, S.ACCEPTED),
    C.AMEND: only({S.ACCEPTED}, S.ACCEPTED),
    C.REGISTER: only({S.ACCEPTED}, S.REGISTERED),
    C.ROUTE_TO_INSPECTION: only({S.REGISTERED}, S.INSPECTION_INTENDED),
    C.AWAIT_PAYMENT: only({S.REGISTERED}, S.DUTY_PAYMENT_REFERENCE_ISSUED),
    C.CLEAR: only({S.REGISTERED, S.DUTY_PAYMENT_REFERENCE_ISSUED}, S.CLEARED),
    C.SETTLE_BY_PAYMENT: stays(set(Status)),  # recorded whatever the status
    C.SETTLE_BY_GUARANTEE: stays(set(Status)),
    C.AMEND_REGISTERED: stays(LIVE - {S.ACCEPTED}),
    C.AMEND_AFTER_AUDIT: stays({S.CLEARED, S.RELEASED, S.GOODS_EXITED}),
    C.CANCEL: only(LIVE - {S.CLEARED, S.RELEASED}, S.CANCELLED),
    C.RECORD_EXIT: only({S.CLEARED, S.RELEASED}, S.GOODS_EXITED),
    C.SUBMIT_DOCUMENTS: only({S.DOCUMENTS_REQUESTED}, S.REGISTERED),
    C.SUBMIT_DOCUMENTS_FOR_INSPECTION: only({S.DOCUMENTS_REQUESTED}, S.INSPECTION_INTENDED),
    C.REQUEST_DOCUMENTS: only(CHECKING, S.DOCUMENTS_REQUESTED),
    C.REJECT: only(CHECKING, S.REJECTED),
    C.HOLD_FOR_AGENCY: only(CHECKING, S.HELD_BY_OTHER_AGENCY),
    C.ACCEPT_DOCUMENTS: only(DECIDING, S.REGISTERED),
    C.ACCEPT_DOCUMENTS_BEFORE_INSPECTION: only(DECIDING, S.INSPECTION_INTENDED),
    C.RECORD_INSPECTION: only(DECIDING, S.REGISTERED),
    C.RECORD_FRAUD: only(DECIDING, S.INSPECTION_INTENDED),
    C.DECIDE_CLEARANCE: only(DECIDING, S.REGISTERED),
}


def expected(status: Status | None, command: Command) -> Status | None:
    return SPEC[command](status)


def test_the_specification_names_every_command() -> None:
    assert set(SPEC) == set(Command)


@pytest.mark.parametrize("command", list(Command))
def test_every_status_and_command(command: Command) -> None:
    for status in STATUSES:
        after = expected(status, command)
        if after is None:
            with pytest.raises(LifecycleError) as refused:
                move(status, command)
            assert refused.value.code == "invalid_transition"
            assert refused.value.field == "status"
        else:
            assert move(status, command) == Move(after, *FACTS[command]), (status, command)


def test_the_table_holds_no_pair_the_specification_refuses() -> None:
    pairs = itertools.product(STATUSES, Command)
    assert set(LIFECYCLE) == {(s, c) for s, c in pairs if expected(s, c) is not None}


def test_no_command_leaves_a_final_status() -> None:
    """Rejected, cancelled, expired and exited declarations only take the record of a payment (and an
    exited one a post-clearance audit's assessment)."""
    for status in (S.REJECTED, S.CANCELLED, S.EXPIRED, S.GOODS_EXITED):
        moves = {c: m for (s, c), m in LIFECYCLE.items() if s is status}
        audit = {C.AMEND_AFTER_AUDIT} if status is S.GOODS_EXITED else set()
        assert set(moves) == {C.SETTLE_BY_PAYMENT, C.SETTLE_BY_GUARANTEE, *audit}
        assert all(m.to is status for m in moves.values())


def test_every_command_records_a_named_fact() -> None:
    assert set(ACTIONS) == set(FACTS) == set(Command)
    assert all(ACTIONS[c] for c in Command)
    # every fact is a catalogue member named in the past tense
    assert all(FACTS[c][0] in set(DeclarationEvent) for c in Command)


@pytest.mark.parametrize(
    ("passed", "settled", "current", "command"),
    [
        (False, True, S.REGISTERED, None),
        (True, False, S.REGISTERED, C.AWAIT_PAYMENT),
        (True, True, S.REGISTERED, C.CLEAR),
        (True, True, S.DUTY_PAYMENT_REFERENCE_ISSUED, C.CLEAR),
        (True, False, S.DUTY_PAYMENT_REFERENCE_ISSUED, None),
        (True, True, S.CLEARED, None),
    ],
)
def test_after_the_checks(passed: bool, settled: bool, current: Status, command: Command | None) -> None:
    assert after_checks(checks_passed=passed, duties_settled=settled, current=current) == command


def test_transition_refuses_a_move_the_table_does_not_allow() -> None:
    """Before it writes anything: no history, event or audit entry (the session is never used)."""
    row = DeclarationRow(number="100000000017", status=S.CLEARED.value)
    with pytest.raises(LifecycleError, match="cancel") as refused, Session() as unused:
        transition(unused, row, C.CANCEL, actor="test")
    assert isinstance(refused.value, Conflict)
    assert refused.value.status == 409
    assert row.status == S.CLEARED
