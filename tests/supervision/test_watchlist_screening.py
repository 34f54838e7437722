"""Pre-arrival screening applies the analyst's risk profiles and the watch lists to manifest consignments."""

from __future__ import annotations

from haiquan.cargo.screening import ConsignmentFacts, RuleScorer, ScreeningConfig
from haiquan.kit.db import Database
from haiquan.risk import criteria, prearrival, profiles
from haiquan.risk.snapshot import CompiledProfile


def facts(
    consignee: str | None = "0101248141", hs: tuple[str, ...] = ("85171300",), port: str = "CNSHA"
) -> ConsignmentFacts:
    return ConsignmentFacts("HPH123", consignee, port, "VNHPH", "mobile phones", hs)


def profile(pid: str, text: str) -> CompiledProfile:
    return CompiledProfile(pid, 1, pid, criteria.parse(text), None, None, None, pid, pid)


BASE = RuleScorer(ScreeningConfig())


def test_profiles_on_hs_and_origin_flag_a_consignment() -> None:
    scorer = prearrival.ProfileScorer(
        BASE, (profile("P-PHONES-CN", "hs starts 8517 and origin = CN -> red"),), {}
    )
    hit = scorer.score(facts())
    assert hit.scan
    assert any("P-PHONES-CN" in r for r in hit.reasons)
    assert not scorer.score(facts(port="KRPUS")).scan
    assert not scorer.score(facts(hs=("08081000",))).scan


def test_watch_lists_flag_consignee_hs_and_country() -> None:
    watched = {
        "consignee": frozenset({"0101248141"}),
        "hs_code": frozenset({"2402"}),
        "country": frozenset({"LA"}),
    }
    scorer = prearrival.ProfileScorer(BASE, prearrival._watch_list_profile(watched), watched)
    assert scorer.score(facts()).scan
    assert scorer.score(facts(consignee="0100109106", hs=("24022090",))).scan
    assert scorer.score(facts(consignee=None, port="LAVTE")).scan
    assert not scorer.score(facts(consignee="0100109106")).scan


def test_profiles_needing_declaration_fields_are_skipped(db: Database) -> None:
    with db.unit_of_work() as uow:
        profiles.install_defaults(uow.session, actor="test")  # compliance class and HS 2402 rules
        uow.commit()
    with db.unit_of_work() as uow:
        scorer = prearrival.with_profiles(BASE, uow.session)
    assert isinstance(scorer, prearrival.ProfileScorer)
    ids = {p.id for p in scorer.profiles}
    assert not any("CLASS" in i for i in ids)  # compliance_class is unknown before a declaration exists
    cigarettes = scorer.score(facts(hs=("24022090",)))  # the HS rule (yellow) applies on arrival
    assert cigarettes.value == 0.3
    assert any("P-HS-2402" in r for r in cigarettes.reasons)
    assert not cigarettes.scan  # a yellow profile asks for documents, not a scan
