"""Pre-arrival screening reads the risk watch lists that confirmed enforcement cases fill."""

from __future__ import annotations

from haiquan.cargo.screening import ConsignmentFacts, RuleScorer, ScreeningConfig, WatchListScorer


def facts(
    consignee: str = "0101248141", hs: tuple[str, ...] = ("85171300",), port: str = "CNSHA"
) -> ConsignmentFacts:
    return ConsignmentFacts("HPH123", consignee, port, "VNHPH", "mobile phones", hs)


def test_watched_consignee_or_hs_flags_for_scanning() -> None:
    base = RuleScorer(ScreeningConfig())
    scorer = WatchListScorer(base, {"consignee": frozenset({"0101248141"}), "hs_code": frozenset({"2402"})})
    hit = scorer.score(facts())
    assert hit.scan and "consignee 0101248141 on the risk watch list" in hit.reasons
    assert scorer.score(facts(consignee="0100109106", hs=("24022090",))).scan
    clean = scorer.score(facts(consignee="0100109106"))
    assert not clean.scan and clean.value == 0


def test_watched_country_of_loading() -> None:
    scorer = WatchListScorer(RuleScorer(ScreeningConfig()), {"country": frozenset({"CN"})})
    assert scorer.score(facts(consignee=None)).scan
    assert not scorer.score(facts(consignee=None, port="KRPUS")).scan
