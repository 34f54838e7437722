"""The demo's e-C/O story (haiquan.demo.origin), on the test world: the matching T-shirts pay ATIGA, the
mismatched exporter goes yellow at MFN, the US-origin claim pays MFN."""

from __future__ import annotations

from typing import Any

from haiquan.demo import origin
from haiquan.risk.channel import RuleSetEngine
from tests.origin.conftest import Asw


def test_the_demo_story(asw: Asw, app: Any) -> None:
    story = origin.seed(app.state.db, RuleSetEngine(green=100, yellow=0, red=0))
    assert (story["matching"]["scheme"], story["matching"]["channel"]) == ("ATIGA", "green")
    assert story["mismatched exporter"]["scheme"] == "MFN"
    assert story["mismatched exporter"]["refused"] == "certificate_mismatch"
    assert story["mismatched exporter"]["channel"] == "yellow"
    assert (story["US origin"]["scheme"], story["US origin"]["refused"]) == ("MFN", "origin_not_member")
    assert "pays ATIGA" in "\n".join(origin.describe(story))
