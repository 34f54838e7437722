"""Carriers report arrivals with their lists through HTTP; counts and identifiers are checked; an amendment
is a new version; officers read reports of their units; people's data is for targeting officers and the
carrier only, every read audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from haiquan.conveyances.catalogue import ConveyanceEvent
from haiquan.kit.tables import AuditEntry, OutboxEvent
from tests.conveyances.helpers import CARRIER, OTHER_TARGETING, TARGETING, arrival, conveyance_world, person
from tests.support import World


@pytest.fixture
def cw(world: World, app: Any) -> World:
    return conveyance_world(world, app)


def _events(app: Any, prefix: str = "conveyances.") -> list[tuple[str, dict[str, Any]]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        return [(r.type, dict(r.payload)) for r in rows if r.type.startswith(prefix)]


def test_a_carrier_reports_an_arrival_and_amends_it(cw: World, app: Any) -> None:
    first = arrival()
    r = cw.post("/api/v1/conveyances", cw.ent(CARRIER), first, key="k1")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["craft_id"] == "9074729"
    assert body["unit"] == "03CC"
    assert body["version"] == 1
    assert body["flagged"] is None
    assert body["passenger_count"] == 3
    again = cw.post("/api/v1/conveyances", cw.ent(CARRIER), first, key="k1")
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replay") == "true"
    fixed = arrival(passengers=4, actual_at=body["scheduled_at"])
    r = cw.client.put(f"/api/v1/conveyances/{body['id']}", json=fixed, headers=cw.ent(CARRIER))
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert r.json()["passenger_count"] == 4
    types = [t for t, _ in _events(app)]
    assert types == [
        ConveyanceEvent.REPORT_RECEIVED, ConveyanceEvent.PERSONS_SCREENED,
        ConveyanceEvent.REPORT_AMENDED, ConveyanceEvent.PERSONS_SCREENED,
    ]  # fmt: skip
    for _, payload in _events(app):
        assert "Pham" not in str(payload)
        assert "B0000000" not in str(payload)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"passenger_count": 5}, "passenger_count"),
        ({"crew_count": 0}, "crew_count"),
        ({"craft_id": "IMO 9074728"}, "craft_id"),
        ({"arrival_port": "CNSHA"}, "arrival_port"),
        ({"arrival_port": "VNSGN"}, "arrival_port"),
        ({"mode": "air", "voyage": "12345"}, "voyage"),
    ],
)
def test_a_report_that_does_not_add_up_is_refused_naming_the_field(
    cw: World, change: dict[str, Any], field: str
) -> None:
    r = cw.post("/api/v1/conveyances", cw.ent(CARRIER), arrival(**change))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_person_fields_are_validated(cw: World) -> None:
    bad = arrival(passengers=1)
    bad["passengers"][0] = person("X", "Y", "P1", nationality="ZZZ")
    r = cw.post("/api/v1/conveyances", cw.ent(CARRIER), bad)
    assert r.status_code == 422
    assert r.json()["field"] == "passengers[0].nationality"


def test_people_are_for_targeting_officers_and_the_carrier_and_each_read_is_audited(
    cw: World, app: Any
) -> None:
    cid = cw.post("/api/v1/conveyances", cw.ent(CARRIER), arrival()).json()["id"]
    url = f"/api/v1/conveyances/{cid}/persons"
    mine = cw.client.get(url, headers=cw.ent(CARRIER))
    assert mine.status_code == 200
    assert len(mine.json()) == 5
    r = cw.client.get(url, headers=cw.off(TARGETING))
    assert r.status_code == 200
    assert r.json()[2]["family_name"] == "Pham"
    for who in ("hp_officer", "hp_leader", "gd_leader", "analyst", "admin"):
        r = cw.client.get(url, headers=cw.off(who))
        assert r.status_code == 403, (who, r.text)
    assert cw.client.get(url, headers=cw.ent("0100109106")).status_code == 403
    assert cw.client.get(url, headers=cw.off(OTHER_TARGETING)).status_code == 404  # another unit
    assert cw.client.get(f"/api/v1/conveyances/{cid}", headers=cw.off("hp_officer")).status_code == 200
    assert cw.client.get(f"/api/v1/conveyances/{cid}", headers=cw.off("nb_officer1")).status_code == 404
    with app.state.db.unit_of_work() as uow:
        actors = uow.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "conveyances.persons_read")
        ).all()
    assert sorted(actors) == sorted([f"enterprise:{CARRIER}", f"officer:{TARGETING}"])


def test_officers_list_the_reports_of_their_units(cw: World) -> None:
    cw.post("/api/v1/conveyances", cw.ent(CARRIER), arrival())
    mine = cw.client.get("/api/v1/conveyances", headers=cw.off("hp_officer")).json()
    assert [c["reference"] for c in mine] == ["ARR-001"]
    assert cw.client.get("/api/v1/conveyances", headers=cw.off("nb_officer1")).json() == []
    assert cw.client.get("/api/v1/conveyances?direction=departure", headers=cw.off("hp_officer")).json() == []
    assert cw.client.get("/api/v1/conveyances", headers=cw.ent("0100109106")).status_code == 403
