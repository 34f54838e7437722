"""CUSDEC and WCO XML lodged through HTTP (SQLite and PostgreSQL): the same service as the JSON API,
CUSRES / WCO response with the number and lane, refusals naming the place, nothing stored from them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from haiquan.declarations.tables import DeclarationRow
from haiquan.interchange import edifact
from tests.interchange.conftest import cusdec_text, post_edifact, post_xml, wco_xml
from tests.support import World, import_declaration


def _count(world: World) -> int:
    db = world.client.app.state.db  # type: ignore[attr-defined]
    with db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def test_cusdec_is_lodged_registered_and_answered_cusres(world: World) -> None:
    r = post_edifact(world, cusdec_text())
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/EDIFACT")
    (msg,) = edifact.parse(r.text).messages
    assert msg.type == "CUSRES"
    bgm, lanes = msg.body[0], [s for s in msg.body if s.tag == "GIS" and s.value(1, 2) == "LAN"]
    assert bgm.value(3) == "29"
    number = bgm.value(2)
    assert lanes[0].value(1, 4) in ("green", "yellow", "red")
    got = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106")).json()
    assert got["status"] != "lodged"
    assert got["channel"] == lanes[0].value(1, 4)
    assert got["transport_document"] == "738-12345675"
    assert [ln["hs_code"] for ln in got["lines"]] == ["85171300", "08081000"]


def test_cusdec_replay_with_the_same_key(world: World) -> None:
    text = cusdec_text()  # once: its UNB carries the minute it was written
    first = post_edifact(world, text, key="k-1")
    again = post_edifact(world, text, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers.get("Idempotent-Replay") == "true"
    assert _count(world) == 1


def test_a_bad_value_is_refused_by_cusres_naming_the_segment(world: World) -> None:
    text = cusdec_text().replace("NAD+IM+0101248141", "NAD+IM+0101248142")
    r = post_edifact(world, text)
    assert r.status_code == 200  # answered: a rejection, nothing stored
    (msg,) = edifact.parse(r.text).messages
    assert msg.type == "CUSRES"
    erp = next(s for s in msg.body if s.tag == "ERP")
    assert (erp.value(2, 1), erp.value(2, 2), erp.value(1, 2)) == ("NAD", "8", "2")
    assert _count(world) == 0


def test_a_service_refusal_names_the_segment(world: World) -> None:
    """An HS code the tariff does not know is refused by the lodging service (its field mapped back)."""
    body = import_declaration()
    body["lines"][1]["hs_code"] = "99999999"
    r = post_edifact(world, cusdec_text(body), Accept="application/problem+json")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"].startswith("message 1: segment 23 (CST), element 2, component 1")
    assert _count(world) == 0


def test_an_envelope_error_is_refused_by_contrl(world: World) -> None:
    r = post_edifact(world, cusdec_text().replace("UNZ+1+CR1", "UNZ+2+CR1"))
    assert r.status_code == 200
    (msg,) = edifact.parse(r.text).messages
    uci = msg.body[0]
    assert msg.type == "CONTRL"
    assert (uci.value(1), uci.value(4), uci.value(5), uci.value(6)) == ("CR1", "4", "29", "UNZ")
    assert _count(world) == 0


def test_problem_json_on_request(world: World) -> None:
    r = post_edifact(world, cusdec_text().replace("UNT+", "UNT+9"), Accept="application/problem+json")
    assert r.status_code == 422
    assert r.json()["code"] == "edifact_invalid"
    assert "(UNT), element 1, component 1" in r.json()["field"]


def test_authentication_and_content_type(world: World) -> None:
    anon = world.client.post("/api/v1/interchange/cusdec", content=cusdec_text().encode(),
                             headers={"Content-Type": "application/EDIFACT"})  # fmt: skip
    assert anon.status_code == 401
    wrong = post_edifact(world, cusdec_text(), **{"Content-Type": "application/json"})
    assert wrong.status_code == 415
    carrier = world.client.post("/api/v1/interchange/cusdec", content=cusdec_text().encode(),
                                headers=world.ent("0300588569") | {"Content-Type": "text/plain"})  # fmt: skip
    assert carrier.status_code == 403


def test_wco_xml_is_lodged_and_answered(world: World) -> None:
    r = post_xml(world, wco_xml())
    assert r.status_code == 201, r.text
    assert b"<FunctionCode>29</FunctionCode>" in r.content
    assert b"<LaneCode>" in r.content
    assert _count(world) == 1


def test_wco_xml_refusal_names_the_xpath(world: World) -> None:
    r = post_xml(world, wco_xml().replace(b"<ID>08081000</ID>", b"<ID>0808</ID>"))
    assert r.status_code == 200
    assert b"<FunctionCode>27</FunctionCode>" in r.content
    assert b"/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity/Classification/ID" in r.content
    p = post_xml(world, wco_xml().replace(b"0101248141", b"0101248142"), Accept="application/problem+json")
    assert p.json()["field"] == "/Declaration/Importer/ID"
    assert _count(world) == 0


def test_a_registration_refused_stores_nothing_of_the_lodging(world: World) -> None:
    """Lodging passes, registration refuses (a debt unpaid over 90 days after its due date, derived from
    the ledger): the savepoint leaves no declaration, no history, no event; the CUSRES rejection names the
    declarant's refusal."""
    from haiquan.kit import clock
    from haiquan.kit.tables import OutboxEvent

    db = world.client.app.state.db  # type: ignore[attr-defined]
    owed = world.lodge(import_declaration()).json()["number"]
    assert (
        world.post(f"/api/v1/declarations/{owed}/register", world.ent("0100109106"), None).status_code == 200
    )
    clock.freeze(clock.now() + timedelta(days=92))
    with db.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
    count = _count(world)
    r = post_edifact(world, cusdec_text())
    assert r.status_code == 200, r.text
    assert post_edifact(world, cusdec_text(), Accept="application/problem+json").status_code == 403
    (msg,) = edifact.parse(r.text).messages
    assert msg.body[0].value(3) == "27"
    ftx = next(s for s in msg.body if s.tag == "FTX")
    assert ftx.value(3) == "declarant_tax_debt"
    assert _count(world) == count
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == before
