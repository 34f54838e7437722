"""Pure rules of low-value goods: thresholds, lanes, the status x command table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.lowvalue.domain import (
    TRANSITIONS,
    Command,
    Direction,
    Lane,
    ParcelFacts,
    Status,
    Thresholds,
    assess,
    check_value,
    status_on_lodging,
    transition,
)

LIMITS = Thresholds(mic_vnd=Decimal(1_000_000), mec_vnd=Decimal(5_000_000))


def facts(**over: object) -> ParcelFacts:
    base: dict[str, object] = {
        "consignee": "NGUYEN VAN A",
        "consignee_id": None,
        "hs_code": "610910",
        "country": "CN",
        "value_vnd": Decimal(300_000),
        "office": "01AB",
    }
    return ParcelFacts(**(base | over))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "direction", "ok"),
    [
        (1_000_000, Direction.IMPORT, True),
        (1_000_001, Direction.IMPORT, False),
        (5_000_000, Direction.EXPORT, True),
        (5_000_001, Direction.EXPORT, False),
    ],
)
def test_the_threshold_of_each_type(value: int, direction: Direction, ok: bool) -> None:
    if ok:
        check_value(Decimal(value), direction, LIMITS, field="items[0].value")
        return
    with pytest.raises(ValidationFailed, match="threshold") as exc:
        check_value(Decimal(value), direction, LIMITS, field="items[3].value")
    assert exc.value.field == "items[3].value"


def test_a_watched_consignee_is_red_by_name_or_id() -> None:
    assert (
        assess(facts(), {"consignee": frozenset({"NGUYEN VAN A"})}, review_vnd=Decimal(500_000)).lane
        is Lane.RED
    )
    by_id = assess(facts(consignee_id="079123"), {"consignee": frozenset({"079123"})}, review_vnd=Decimal(1))
    assert by_id.lane is Lane.RED


def test_watched_goods_or_country_or_an_unclassified_dear_parcel_is_yellow() -> None:
    review = Decimal(500_000)
    assert assess(facts(), {"hs_code": frozenset({"6109"})}, review_vnd=review).reasons == (
        "watched_hs_code",
    )
    assert assess(facts(), {"country": frozenset({"CN"})}, review_vnd=review).lane is Lane.YELLOW
    dear = facts(hs_code=None, value_vnd=Decimal(600_000))
    assert assess(dear, {}, review_vnd=review).reasons == ("no_hs_code_above_review_value",)
    assert assess(facts(hs_code=None), {}, review_vnd=review).lane is Lane.GREEN
    assert assess(facts(), {}, review_vnd=review).lane is Lane.GREEN


def test_green_clears_on_lodging_and_the_rest_is_held() -> None:
    assert status_on_lodging(Lane.GREEN) is Status.CLEARED
    assert status_on_lodging(Lane.YELLOW) is Status.HELD
    assert status_on_lodging(Lane.RED) is Status.HELD


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("command", list(Command))
@pytest.mark.parametrize("lane", list(Lane))
def test_every_status_and_command(status: Status, command: Command, lane: Lane) -> None:
    allowed = (status, command) in TRANSITIONS and not (
        command is Command.TURN_RED and lane is Lane.RED and status is Status.HELD
    )
    if allowed:
        assert transition(status, command, lane=lane) is TRANSITIONS[(status, command)]
    else:
        with pytest.raises(Conflict):
            transition(status, command, lane=lane)
