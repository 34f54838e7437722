"""PAXLST and CUSCAR through HTTP: hand-written sample messages received onto the conveyance and cargo
services; a watch-listed passenger flagged for targeting officers only; rejections name segment, element
and component, answer CONTRL on request, and store nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from haiquan.kit import clock
from tests.conveyances.helpers import CARRIER, OTHER_TARGETING, add_airport, conveyance_world, edifact, sample
from tests.support import World

PAX, CUS = "/api/v1/interchange/paxlst", "/api/v1/interchange/cuscar"
PROBLEM = "application/problem+json"


@pytest.fixture
def cw(world: World, app: Any) -> World:
    conveyance_world(world, app)
    add_airport(app)
    return world


def test_a_flight_reports_passengers_then_crew(cw: World) -> None:
    r = edifact(cw, PAX, sample("paxlst_air_passengers.edi"), cw.ent(CARRIER))
    assert r.status_code == 201, r.text
    report = r.json()["conveyance"]
    assert (report["voyage"], report["unit"], report["craft_id"]) == ("VN311", "01AB", "VN-A867")
    assert (report["passenger_count"], report["crew_count"], report["source"]) == (3, 0, "paxlst")
    assert "UCI+VN031101+VNAIRAPI+VNCUSTOMS+7'" in r.json()["contrl"]
    r = edifact(cw, PAX, sample("paxlst_air_crew.edi"), cw.ent(CARRIER))
    assert r.status_code == 201, r.text
    again = r.json()["conveyance"]
    assert (again["id"], again["version"], again["passenger_count"], again["crew_count"]) == (
        report["id"],
        2,
        3,
        2,
    )
    people = cw.client.get(f"/api/v1/conveyances/{report['id']}/persons", headers=cw.ent(CARRIER)).json()
    assert [p["family_name"] for p in people] == ["TRẦN", "LÊ", "KIM", "NGUYỄN", "SMITH"]
    assert people[3]["seat"] == "14C"
    assert people[3]["date_of_birth"] == "1979-04-02"


def test_a_watch_listed_passenger_is_flagged_for_the_targeting_officer_only(cw: World) -> None:
    watch = {"name": "Nguyen Van Duc", "date_of_birth": "1979-04-02", "nationality": "VN",
             "reason": "Heroin courier, case 12/2026", "source": "enforcement case 12/2026"}  # fmt: skip
    r = cw.post("/api/v1/conveyance-watchlist", cw.off(OTHER_TARGETING), watch)
    assert r.status_code == 201, r.text
    assert cw.post("/api/v1/conveyance-watchlist", cw.off("nb_officer1"), watch).status_code == 403
    fuzzy = {
        "name": "Anna Smyth",
        "nationality": "GBR",
        "reason": "Alert from partner",
        "source": "ASEAN alert",
    }
    assert cw.post("/api/v1/conveyance-watchlist", cw.off(OTHER_TARGETING), fuzzy).status_code == 201
    cid = edifact(cw, PAX, sample("paxlst_air_passengers.edi"), cw.ent(CARRIER)).json()["conveyance"]["id"]
    r = cw.client.get("/api/v1/conveyance-screening", headers=cw.off(OTHER_TARGETING))
    assert r.status_code == 200, r.text
    hits = r.json()
    assert [(h["family_name"], h["kind"]) for h in hits] == [("NGUYỄN", "exact"), ("SMITH", "fuzzy")]
    assert hits[0]["score"] == 1.0
    assert "name and date of birth 1979-04-02 match" in hits[0]["reasons"]
    assert 0.88 <= hits[1]["score"] < 1.0
    assert cw.client.get(f"/api/v1/conveyances/{cid}", headers=cw.off(OTHER_TARGETING)).json()["flagged"] == 2
    for who in ("nb_officer1", "nb_leader", "gd_leader"):
        assert cw.client.get("/api/v1/conveyance-screening", headers=cw.off(who)).status_code == 403
        assert cw.client.get(f"/api/v1/conveyances/{cid}", headers=cw.off(who)).json().get("flagged") is None
    assert cw.client.get("/api/v1/conveyance-screening", headers=cw.ent(CARRIER)).status_code == 403


def test_a_count_that_does_not_match_is_rejected_at_its_segment_and_nothing_is_stored(cw: World) -> None:
    bad = sample("paxlst_air_passengers.edi").replace("CNT+42:3'", "CNT+42:4'")
    r = edifact(cw, PAX, bad, cw.ent(CARRIER), accept=PROBLEM)
    assert r.status_code == 422
    assert r.json()["field"] == "message PAX311A: segment 40 (CNT), element 1, component 2"
    assert "passenger_count is 4 but the list holds 3" in r.json()["detail"]
    r = edifact(cw, PAX, bad, cw.ent(CARRIER), accept="")
    assert r.status_code == 200  # the interchange answered: a CONTRL rejection (decision 0036)
    assert r.headers["content-type"].startswith("application/EDIFACT")
    assert "UCI+VN031101+VNAIRAPI+VNCUSTOMS+4'" in r.text
    assert "UCS+40+12'" in r.text
    assert cw.client.get("/api/v1/conveyances", headers=cw.ent(CARRIER)).json() == []


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("NAT+2+GBR'", "NAT+2+XXX'", "message PAX311A: segment 35 (NAT), element 2, component 1"),
        (
            "DTM+329:19880314:102'",
            "DTM+329:19881314:102'",
            "message PAX311A: segment 12 (DTM), element 1, component 2",
        ),
        ("LOC+87+VNHAN'", "LOC+87+VNXXX'", "message PAX311A: segment 8 (LOC), element 2, component 1"),
        ("UNT+41+PAX311A'", "UNT+40+PAX311A'", "message PAX311A: segment 41 (UNT), element 1, component 1"),
    ],
)
def test_errors_name_segment_element_and_component(cw: World, old: str, new: str, field: str) -> None:
    r = edifact(
        cw, PAX, sample("paxlst_air_passengers.edi").replace(old, new), cw.ent(CARRIER), accept=PROBLEM
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_a_cuscar_is_the_same_manifest_as_the_json_api_and_links_to_the_voyage(cw: World) -> None:
    r = edifact(cw, CUS, sample("cuscar_sea.edi"), cw.ent(CARRIER), accept="")
    assert r.status_code == 201, r.text
    assert "UCI+VL0426N01+VINALINES+VNCUSTOMS+7'" in r.text
    r = edifact(cw, PAX, sample("paxlst_sea_crew.edi"), cw.ent(CARRIER))
    assert r.status_code == 201, r.text
    report = r.json()["conveyance"]
    assert report["manifest_id"] is not None
    m = cw.client.get(f"/api/v1/manifests/{report['manifest_id']}", headers=cw.ent(CARRIER)).json()
    assert [c["goods_id"] for c in m["consignments"]] == ["SHAHPH260001", "SHAHPH260002", "SHAHPH260003"]
    second = m["consignments"][1]
    assert (second["master_bill"], second["description"]) == ("SHAHPH260001", "USED CLOTHING+ SHOES IN BALES")
    assert [c["cargo_type"] for c in m["consignments"]] == ["container", "container", "liquid"]
    replaced = sample("cuscar_sea.edi").replace("BGM+85+VL-0426N-HPH+9'", "BGM+85+VL-0426N-HPH+5'")
    r = edifact(cw, CUS, replaced, cw.ent(CARRIER))
    assert r.status_code == 201, r.text
    assert r.json()["manifests"][0]["version"] == 2


def test_a_rejected_cuscar_stores_nothing(cw: World) -> None:
    bad = sample("cuscar_sea.edi").replace("EQD+CN+TGHU7654320+22G1'", "EQD+CN+TGHU7654321+22G1'")
    r = edifact(cw, CUS, bad, cw.ent(CARRIER), accept=PROBLEM)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "message 1: segment 26 (EQD), element 2, component 1"
    taken = sample("cuscar_sea.edi").replace("CNI+3+SHAHPH260003'", "CNI+3+SHAHPH260001'")
    r = edifact(cw, CUS, taken, cw.ent(CARRIER), accept=PROBLEM)
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith("message 1: segment ")
    assert edifact(cw, CUS, sample("cuscar_sea.edi"), cw.ent(CARRIER)).status_code == 201  # nothing was kept


@pytest.mark.parametrize("path", [PAX, CUS])
def test_the_routes_refuse_strangers(cw: World, path: str) -> None:
    assert edifact(cw, path, sample("cuscar_sea.edi"), {}).status_code == 401
    assert edifact(cw, path, sample("cuscar_sea.edi"), cw.ent("0100109106")).status_code == 403
    assert edifact(cw, path, sample("cuscar_sea.edi"), cw.off("hp_officer")).status_code == 403
    wrong = {**cw.ent(CARRIER), "Content-Type": "application/json"}
    assert cw.client.post(path, content=b"UNA", headers=wrong).status_code in (415, 422)


def test_a_person_watched_after_the_list_arrived_is_flagged_before_arrival(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 12, 6, 20, 0, tzinfo=UTC))  # the sample flight lands 2026-12-07 04:45 UTC
    conveyance_world(world, app)
    add_airport(app)
    assert edifact(world, PAX, sample("paxlst_air_passengers.edi"), world.ent(CARRIER)).status_code == 201
    hits = world.client.get("/api/v1/conveyance-screening", headers=world.off(OTHER_TARGETING)).json()
    assert hits == []
    watch = {"name": "Kim Min-jun", "nationality": "KR", "reason": "Wanted", "source": "Interpol notice"}
    assert world.post("/api/v1/conveyance-watchlist", world.off(OTHER_TARGETING), watch).status_code == 201
    hits = world.client.get("/api/v1/conveyance-screening", headers=world.off(OTHER_TARGETING)).json()
    assert [(h["family_name"], h["watch_source"]) for h in hits] == [("KIM", "Interpol notice")]
