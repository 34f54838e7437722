"""The lane at registration with e-Form D mismatches, pure (origin.lanes): every lane × with and without a
mismatching line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from haiquan.origin import lanes
from haiquan.risk.channel import ChannelDecision


@dataclass
class Line:
    line_no: int
    certificate_no: str | None
    preference_refused: str | None


class NoClaims:
    """A session whose claims read finds none (the reason then names no field)."""

    def scalars(self, _: Any) -> list[Any]:
        return []


@pytest.mark.parametrize(
    ("lane", "refused", "expected"),
    [
        ("green", None, "green"),
        ("yellow", None, "yellow"),
        ("red", None, "red"),
        ("green", "origin_not_member", "green"),
        ("green", "certificate_mismatch", "yellow"),
        ("yellow", "certificate_mismatch", "yellow"),
        ("red", "certificate_mismatch", "red"),
    ],
)
def test_a_mismatch_raises_the_lane_to_yellow_at_least(lane: str, refused: str | None, expected: str) -> None:
    decision = ChannelDecision(lane, [{"kind": "selection", "vi": "-", "en": "-"}], 0.5)
    out = lanes.with_origin(NoClaims(), decision, "100000000001", [Line(1, "TH1", refused)])  # type: ignore[arg-type]
    assert out.channel == expected
    origin = [r for r in out.reasons if r["kind"] == "origin"]
    assert len(origin) == (refused == "certificate_mismatch")
    assert out.score == 0.5
