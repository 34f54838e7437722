"""Pure rules of the engine: lane rates, rank against the window, random share, value bounds, classes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from haiquan.risk import domain as d
from haiquan.risk.scoring import feature_text


def test_default_rates_are_the_seed_figures_and_impossible_rates_are_refused() -> None:
    r = d.LaneRates()
    assert (r.green, r.yellow, r.red) == (Decimal("49.75"), Decimal("43.2"), Decimal("7.05"))
    with pytest.raises(d.RateError) as info:
        d.LaneRates(Decimal(60), Decimal(43), Decimal(7))
    assert info.value.field == "red"
    assert "sum to 110" in str(info.value)
    with pytest.raises(d.RateError) as info:
        d.LaneRates(Decimal(50), Decimal(43), Decimal(7), random_share=Decimal("0.1"))
    assert info.value.field == "random_share"
    with pytest.raises(d.RateError):
        d.LaneRates(Decimal(-1), Decimal(94), Decimal(7))


def test_rank_in_the_window_matches_the_office_rates() -> None:
    win = d.ScoreWindow(size=1000)
    for i in range(1000):
        win.add(i / 1000)
    rates = d.LaneRates()
    lanes = [d.lane_by_rank(win.share_above(i / 1000), rates) for i in range(1000)]
    assert abs(lanes.count("red") - 70) <= 2
    assert abs(lanes.count("yellow") - 432) <= 2
    assert d.lane_by_rank(win.share_above(0.999), rates) == "red"
    assert d.lane_by_rank(win.share_above(0.0), rates) == "green"


def test_equal_scores_spread_over_the_lanes_instead_of_all_going_red() -> None:
    win = d.ScoreWindow()
    for _ in range(500):
        win.add(0.0)
    rates = d.LaneRates()
    lanes = [d.lane_by_rank(win.share_above(0.0, d.uniform(str(i), "tie")), rates) for i in range(4000)]
    assert 0.05 < lanes.count("red") / 4000 < 0.09
    assert 0.47 < lanes.count("green") / 4000 < 0.53


def test_window_forgets_old_scores() -> None:
    win = d.ScoreWindow(size=3)
    for s in (0.9, 0.8, 0.1, 0.2, 0.3):
        win.add(s)
    assert len(win) == 3
    assert win.share_above(0.25) == pytest.approx(1 / 3)


def test_random_share_is_reproducible_and_at_its_rate() -> None:
    rates = d.LaneRates(random_share=Decimal(5))
    picks = [d.random_pick(f"1{i:011d}", rates) for i in range(20000)]
    share = sum(p is not None for p in picks) / len(picks)
    assert 0.045 < share < 0.055
    red = sum(p == "red" for p in picks) / max(1, sum(p is not None for p in picks))
    assert abs(red - 7.05 / 50.25) < 0.03
    assert d.random_pick("100000000001", rates) == d.random_pick("100000000001", rates)


def test_robust_bounds_ignore_a_few_wild_values() -> None:
    values = [100.0 + i for i in range(40)] + [1.0, 100000.0]
    b = d.robust_bounds(values)
    assert b is not None
    assert b.n == 42
    assert Decimal(50) < b.low < Decimal(100)
    assert Decimal(140) < b.high < Decimal(300)
    found = d.breach(Decimal(1), b.low, b.high)
    assert found is not None
    assert found[0] == "below"
    assert found[1] == pytest.approx(float((b.low - 1) / b.low))
    assert d.breach(Decimal(120), b.low, b.high) is None
    assert d.robust_bounds([1.0, 2.0]) is None


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (d.TraderHistory(300, 5, 0, 0, 0, 1000), "high"),
        (d.TraderHistory(20, 0, 0, 0, 0, 400), "normal"),
        (d.TraderHistory(50, 4, 1, 0, 0, 800), "normal"),
        (d.TraderHistory(50, 4, 2, 0, 0, 800), "low"),
        (d.TraderHistory(500, 40, 1, 0, 0, 800), "high"),  # one finding in 40 inspections
        (d.TraderHistory(30, 2, 1, 0, 0, 200), "low"),  # one in two, new trader
        (d.TraderHistory(5, 0, 0, 120, 0, 100), "low"),
        (d.TraderHistory(500, 0, 0, 0, 0, 2000, suspended=True), "low"),
    ],
)
def test_compliance_classes(history: d.TraderHistory, expected: str) -> None:
    cls, _points, why = d.compliance(history)
    assert cls == expected, why


def test_model_features_read_as_words() -> None:
    assert feature_text("importer_fraud") == (
        "tỷ lệ vi phạm trước đây của nhà nhập khẩu",
        "past fraud rate of the importer",
    )
    assert feature_text("hs6_origin_uv_dev")[1] == "unit-value deviation from the HS code and origin"


def test_lanes_set_otherwise_use_up_the_budget() -> None:
    win = d.ScoreWindow(size=4)
    for s, lane in ((0.1, "red"), (0.2, None), (0.3, "yellow"), (0.4, "red")):
        win.add(s, lane)
    assert win.set_share("red") == 0.5
    assert win.set_share("yellow") == 0.25
    win.add(0.5)  # the oldest (a forced red) leaves the window
    assert win.set_share("red") == 0.25
    rates = d.LaneRates()
    assert d.lane_by_rank(0.05, rates) == "red"
    assert d.lane_by_rank(0.05, rates, taken_red=0.04) == "yellow"
    assert d.lane_by_rank(0.01, rates, taken_red=0.10) == "yellow"


def test_the_blue_lane_takes_its_rate_below_yellow_and_low_compliance_greens() -> None:
    win = d.ScoreWindow(size=1000)
    for i in range(1000):
        win.add(i / 1000)
    rates = d.LaneRates(Decimal(40), Decimal(30), Decimal(10), blue=Decimal(20))
    lanes = [d.lane_by_rank(win.share_above(i / 1000), rates) for i in range(1000)]
    assert abs(lanes.count("blue") - 200) <= 2
    assert abs(lanes.count("green") - 400) <= 2
    assert d.lane_by_rank(win.share_above(0.5), rates) == "blue"  # below red and yellow, above green
    assert d.blue_for_class("green", "low", rates)
    assert not d.blue_for_class("green", "normal", rates)
    assert not d.blue_for_class("green", "low", d.LaneRates())  # no blue lane at the office: stays green
    assert d.SEVERITY["green"] < d.SEVERITY["blue"] < d.SEVERITY["yellow"]
    with pytest.raises(d.RateError) as info:
        d.LaneRates(Decimal(50), Decimal(43), Decimal(7), blue=Decimal(5))
    assert "sum to 105" in str(info.value)
