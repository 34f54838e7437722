"""Pre-arrival screening: the rule-based scorer, and flagged consignments shown to officers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from haiquan.cargo.domain import Mode, lateness
from haiquan.cargo.screening import ConsignmentFacts, RuleScorer, ScreeningConfig, default_scorer
from tests.supervision.helpers import CARRIER, bill, connect_terminal, container, manifest
from tests.support import World


def facts(**over: object) -> ConsignmentFacts:
    base: dict[str, object] = {
        "goods_id": "B1",
        "consignee_tax_code": "0101248141",
        "loading_port": "CNSHA",
        "discharge_port": "VNHPH",
        "description": "Used clothing, mixed goods",
        "hs_codes": ("630900",),
    }
    base.update(over)
    return ConsignmentFacts(**base)  # type: ignore[arg-type]


def test_rules_add_up_to_the_threshold() -> None:
    cfg = ScreeningConfig(
        consignees={"0101248141": 0.3},
        hs_prefixes={"6309": 0.3},
        routes={"CNSHA>*": 0.1},
        keywords={"used clothing": 0.2},
        threshold=0.8,
    )
    s = RuleScorer(cfg).score(facts())
    assert s.value == 0.9
    assert s.scan
    assert len(s.reasons) == 4
    clean = RuleScorer(cfg).score(facts(consignee_tax_code=None, hs_codes=("851713",), description="Phones"))
    assert clean.value == 0.1
    assert not clean.scan


def test_legal_deadlines_by_mode() -> None:
    from datetime import UTC, datetime, timedelta

    arrival = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert (
        lateness(
            Mode.SEA, expected_arrival=arrival, short_voyage=False, received_at=arrival - timedelta(hours=25)
        ).is_late
        is False
    )
    assert lateness(
        Mode.SEA, expected_arrival=arrival, short_voyage=False, received_at=arrival - timedelta(hours=23)
    ).is_late
    assert not lateness(
        Mode.SEA, expected_arrival=arrival, short_voyage=True, received_at=arrival - timedelta(hours=13)
    ).is_late
    late_air = lateness(
        Mode.AIR, expected_arrival=arrival, short_voyage=False, received_at=arrival - timedelta(minutes=30)
    )
    assert late_air.late_by == timedelta(minutes=30)


def test_flagged_consignments_are_shown_to_the_supervising_unit(world: World, client: TestClient) -> None:
    assert default_scorer().score(facts(description="Thuốc lá điếu", hs_codes=("240220",))).scan
    connect_terminal(world)
    bills = [
        bill("HPS1", [(container(1), "S1")], description="Cigarettes", hs_codes=["240220"]),
        bill("HPS2", [(container(2), "S2")]),
    ]
    assert world.post("/api/v1/manifests", world.ent(CARRIER), manifest(bills)).status_code == 201
    flagged = client.get("/api/v1/screening", headers=world.off("hp_officer")).json()
    assert [f["goods_id"] for f in flagged] == ["HPS1"]
    assert flagged[0]["risk_reasons"]
    assert client.get("/api/v1/screening", headers=world.off("nb_officer1")).json() == []
    assert client.get("/api/v1/screening", headers=world.ent(CARRIER)).status_code == 403
