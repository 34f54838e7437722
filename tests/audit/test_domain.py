"""Pure rules of the audit: selection by score and watch lists within 5 years, the case's status table,
the fallback penalty."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from haiquan.audit.domain import (
    CASE_MOVES,
    CaseCommand,
    CaseStatus,
    ClearedFacts,
    case_move,
    fallback_penalty,
    in_lookback,
    select,
)
from haiquan.kit.errors import Conflict

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def facts(number: str, days_ago: int, score: float | None, watched: tuple[str, ...] = ()) -> ClearedFacts:
    return ClearedFacts(number, "01AB", "0100109106", NOW - timedelta(days=days_ago), "green", score, watched)


def test_selection_by_score_and_watch_lists_within_five_years() -> None:
    chosen = select(
        [facts("A", 10, 0.9), facts("B", 10, 0.2), facts("C", 10, None, ("enterprise",)),
         facts("D", 5 * 365 + 10, 0.99), facts("E", 30, 0.7, ("route",))],
        now=NOW, min_score=0.6,
    )  # fmt: skip
    assert [(s.number, s.source) for s in chosen] == [("A", "score"), ("C", "watchlist"), ("E", "score"),
                                                      ("E", "watchlist")]  # fmt: skip
    assert in_lookback(NOW - timedelta(days=5 * 365), NOW)
    assert not in_lookback(NOW - timedelta(days=5 * 365 + 2), NOW)


@pytest.mark.parametrize(("status", "command"), list(itertools.product(CaseStatus, CaseCommand)))
def test_the_case_moves_only_as_the_table_says(status: CaseStatus, command: CaseCommand) -> None:
    if (status, command) in CASE_MOVES:
        assert case_move(status, command) is CASE_MOVES[(status, command)]
    else:
        with pytest.raises(Conflict):
            case_move(status, command)


def test_a_closed_case_takes_nothing_and_the_penalty_falls_back_to_a_fifth() -> None:
    assert not [c for (s, c) in CASE_MOVES if s is CaseStatus.CLOSED]
    assert fallback_penalty(Decimal(5_000_000), "fraud")[0] == Decimal(1_000_000)
    assert fallback_penalty(Decimal(0), "no_fraud")[0] == 0
