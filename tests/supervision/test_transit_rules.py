"""The trader's transit rules without a database: time allowed, route, statuses, seals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.kit.domain_errors import Conflict, ValidationFailed
from haiquan.supervision.transit_rules import (
    MAX_HOURS,
    MIN_HOURS,
    MOVES,
    TransitAct,
    TransitStatus,
    check_seals,
    hours_allowed,
    hours_by_rule,
    route_of,
    transition,
)


def test_hours_by_the_rule_and_bounded_when_given() -> None:
    assert hours_by_rule(110, 0) == MIN_HOURS
    assert hours_by_rule(1700, 2) == 57 + 4
    assert hours_allowed(given=None, distance_km=1700, stops=2) == 61
    assert hours_allowed(given=90, distance_km=1700, stops=2) == 90  # within half as much again
    with pytest.raises(ValidationFailed) as e:
        hours_allowed(given=93, distance_km=1700, stops=2)
    assert e.value.field == "hours_allowed"
    assert hours_allowed(given=200, distance_km=None, stops=0) == 200
    with pytest.raises(ValidationFailed) as e:
        hours_allowed(given=None, distance_km=None, stops=0)
    assert e.value.field == "distance_km"


@given(st.integers(1, 5000), st.integers(0, 20), st.one_of(st.none(), st.integers(1, 1000)))
def test_hours_are_never_outside_the_bounds(km: int, stops: int, asked: int | None) -> None:
    try:
        h = hours_allowed(given=asked, distance_km=km, stops=stops)
    except ValidationFailed:
        return
    assert 1 <= h <= MAX_HOURS


def test_route_refuses_loops() -> None:
    assert route_of("03CC", "01TE", ["03TG"]) == ["03CC", "03TG", "01TE"]
    for dep, dst, via, field in (
        ("03CC", "03CC", [], "destination_office"),
        ("03CC", "01TE", ["01TE"], "route"),
    ):
        with pytest.raises(ValidationFailed) as e:
            route_of(dep, dst, via)
        assert e.value.field == field


@pytest.mark.parametrize("status", list(TransitStatus))
@pytest.mark.parametrize("act", list(TransitAct))
def test_every_status_and_act(status: TransitStatus, act: TransitAct) -> None:
    if (act, status) in MOVES:
        assert transition(status, act) == MOVES[(act, status)]
    else:
        with pytest.raises(Conflict):
            transition(status, act)


def test_seals() -> None:
    assert check_seals(["A", "B"], ["B", "A"], reported_discrepancy=False).outcome == "intact"
    assert check_seals(["A"], ["A"], reported_discrepancy=True).outcome == "discrepancy"
    c = check_seals(["A", "B"], ["B", "C"], reported_discrepancy=False)
    assert (c.outcome, c.missing, c.unexpected) == ("discrepancy", ["A"], ["C"])
