"""The declaration's lifecycle, exhaustively: every status (and "not lodged yet") × every command, against
the lifecycle written a second way, as a specification. Pure: no database."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy.orm import Session

from haiquan.declarations.domain import (
    ACTIONS,
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
LIVE = {S.ACCEPTED, S.REGISTERED, S.DOCUMENTS_REQUESTED, S.INSPECTION_INTENDED,
        S.DUTY_PAYMENT_REFERENCE_ISSUED, S.CLEARED, S.RELEASED, S.HELD_BY_OTHER_AGENCY}  # fmt: skip
CHECKING = {S.REGISTERED, S.DOCUMENTS_REQUESTED, S.INSPECTION_INTENDED}


def expected(status: Status | None, command: Command) -> Status | None:
    """The status after `command`, or None where the lifecycle refuses it."""
    lodged, live = status is not None, status in LIVE
    match command:
        case C.LODGE:
            return S.ACCEPTED if not lodged else None
        case C.AMEND | C.REGISTER:
            return {C.AMEND: S.ACCEPTED, C.REGISTER: S.REGISTERED}[command] if status is S.ACCEPTED else None
        case C.ROUTE_TO_INSPECTION:
            return S.INSPECTION_INTENDED if status is S.REGISTERED else None
        case C.AWAIT_PAYMENT:
            return S.DUTY_PAYMENT_REFERENCE_ISSUED if status is S.REGISTERED else None
        case C.CLEAR:
            return S.CLEARED if status in (S.REGISTERED, S.DUTY_PAYMENT_REFERENCE_ISSUED) else None
        case C.SETTLE_BY_PAYMENT | C.SETTLE_BY_GUARANTEE:
            return status  # recorded whatever the status; None: not lodged, refused
        case C.AMEND_REGISTERED:
            return status if live and status is not S.ACCEPTED else None
        case C.CANCEL:
            return S.CANCELLED if live and status not in (S.CLEARED, S.RELEASED) else None
        case C.RECORD_EXIT:
            return S.GOODS_EXITED if status in (S.CLEARED, S.RELEASED) else None
        case C.SUBMIT_DOCUMENTS | C.SUBMIT_DOCUMENTS_FOR_INSPECTION:
            back = S.INSPECTION_INTENDED if command is C.SUBMIT_DOCUMENTS_FOR_INSPECTION else S.REGISTERED
            return back if status is S.DOCUMENTS_REQUESTED else None
        case C.REQUEST_DOCUMENTS | C.REJECT | C.HOLD_FOR_AGENCY:
            after = {C.REQUEST_DOCUMENTS: S.DOCUMENTS_REQUESTED, C.REJECT: S.REJECTED,
                     C.HOLD_FOR_AGENCY: S.HELD_BY_OTHER_AGENCY}[command]  # fmt: skip
            return after if status in CHECKING else None
        case _:  # the decisions that also bring a held declaration back
            after = {C.ACCEPT_DOCUMENTS: S.REGISTERED, C.ACCEPT_DOCUMENTS_BEFORE_INSPECTION: S.INSPECTION_INTENDED,
                     C.RECORD_INSPECTION: S.REGISTERED, C.RECORD_FRAUD: S.INSPECTION_INTENDED,
                     C.DECIDE_CLEARANCE: S.REGISTERED}[command]  # fmt: skip
            return after if status in CHECKING | {S.HELD_BY_OTHER_AGENCY} else None


@pytest.mark.parametrize("command", list(Command))
def test_every_status_and_command(command: Command) -> None:
    for status in STATUSES:
        after = expected(status, command)
        if after is None:
            with pytest.raises(LifecycleError) as refused:
                move(status, command)
            assert refused.value.code == "invalid_transition" and refused.value.field == "status"
        else:
            assert move(status, command) == Move(after, ACTIONS[command]), (status, command)


def test_the_table_holds_no_pair_the_specification_refuses() -> None:
    pairs = itertools.product(STATUSES, Command)
    assert set(LIFECYCLE) == {(s, c) for s, c in pairs if expected(s, c) is not None}


def test_no_command_leaves_a_final_status() -> None:
    """Rejected, cancelled, expired and exited declarations only take the record of a payment."""
    for status in (S.REJECTED, S.CANCELLED, S.EXPIRED, S.GOODS_EXITED):
        moves = {c: m for (s, c), m in LIFECYCLE.items() if s is status}
        assert set(moves) == {C.SETTLE_BY_PAYMENT, C.SETTLE_BY_GUARANTEE}
        assert all(m.to is status for m in moves.values())


def test_every_command_records_a_named_fact() -> None:
    assert set(ACTIONS) == set(Command)
    assert all(ACTIONS[c] for c in Command)


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
    assert isinstance(refused.value, Conflict) and refused.value.status == 409
    assert row.status == S.CLEARED
