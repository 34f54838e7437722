"""The application's state machine and deadlines, pure: every command from every status either follows
the table or is a 409 naming the status; decided and withdrawn applications never move again; any walk
through the machine keeps a decision final; deadlines count calendar or working days with holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.applications.domain import (
    DEADLINES,
    DECIDED,
    OPEN,
    TABLE,
    Command,
    Decision,
    Kind,
    Outcome,
    RefundMode,
    Status,
    check_decision,
    deadline_from,
    deadline_rule,
    transition,
)
from haiquan.kit.domain_errors import Conflict, ValidationFailed

FINAL = DECIDED | {Status.WITHDRAWN}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("command", list(Command))
def test_every_pair_follows_the_table_or_is_refused(status: Status, command: Command) -> None:
    if (status, command) in TABLE:
        assert transition(status, command) is TABLE[(status, command)]
    else:
        with pytest.raises(Conflict) as err:
            transition(status, command)
        assert err.value.field == "status"


@given(st.lists(st.sampled_from(list(Command)), max_size=30))
def test_any_walk_ends_open_or_final_and_a_final_status_never_moves(commands: list[Command]) -> None:
    status, final_at = Status.FILED, None
    for n, command in enumerate(commands):
        try:
            status = transition(status, command)
        except Conflict:
            continue
        if status in FINAL and final_at is None:
            final_at = n
        elif final_at is not None:
            raise AssertionError(f"moved after a final status: {commands}")
    assert status in OPEN | FINAL


def test_only_open_applications_are_withdrawn_and_only_before_information_is_asked_they_are_decided() -> None:
    assert {s for (s, c) in TABLE if c is Command.WITHDRAW} == set(OPEN)
    assert {s for (s, c) in TABLE if c is Command.APPROVE} == {Status.FILED, Status.UNDER_REVIEW}


def test_every_kind_has_a_sourced_deadline() -> None:
    for kind in Kind:
        modes = list(RefundMode) if kind is Kind.REFUND else [None]
        for mode in modes:
            rule = deadline_rule(kind, mode)
            assert rule.amount > 0
            assert rule.source
    assert len(DEADLINES) == len(Kind) + 1


def test_six_working_days_skip_the_weekend_and_holidays() -> None:
    friday = datetime(2026, 4, 24, 2, 0, tzinfo=UTC)  # Friday 09:00 in Hà Nội
    rule = deadline_rule(Kind.REFUND, RefundMode.PRE_REFUND_CHECK)
    plain = deadline_from(friday, rule, holidays=frozenset())
    assert plain == datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # Fri + 6 working days: Mon 4 May 09:00
    holidays = frozenset({date(2026, 4, 30), date(2026, 5, 1)})
    assert deadline_from(friday, rule, holidays=holidays) == datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def test_forty_days_are_calendar_days() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert deadline_from(start, deadline_rule(Kind.REFUND, RefundMode.CHECK_BEFORE_REFUND)) == datetime(
        2026, 2, 10, tzinfo=UTC
    )


@given(
    requested=st.integers(min_value=1, max_value=10**12),
    granted=st.integers(min_value=-5, max_value=10**12 + 5),
    outcome=st.sampled_from([Outcome.APPROVED, Outcome.PARTLY_APPROVED]),
)
def test_an_amount_granted_is_whole_positive_and_within_what_was_asked(
    requested: int, granted: int, outcome: Outcome
) -> None:
    d = Decision(outcome=outcome, reasons="Căn cứ hồ sơ", amount=Decimal(granted))
    ok = 0 < granted <= requested and (outcome is Outcome.APPROVED or granted < requested)
    if ok:
        check_decision(Kind.REFUND, Decimal(requested), d, date(2026, 3, 2))
        return
    with pytest.raises(ValidationFailed) as err:
        check_decision(Kind.REFUND, Decimal(requested), d, date(2026, 3, 2))
    assert err.value.field == "amount"


def test_a_decision_states_its_reasons() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_decision(Kind.REFUND, Decimal(10), Decision(Outcome.REFUSED, "  "), date(2026, 3, 2))
    assert err.value.field == "reasons"
