"""Who pays: a declarant names another enterprise as importer (exporter) only under a representation that
enterprise granted it, in force; the party then reads those declarations and gets their notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.domain import representation_in_force
from tests.declarations.test_lifecycle_more import export_declaration
from tests.support import World, import_declaration

AGENT = "0100109106"  # the world's declarant, represents MINH_ANH already
MINH_ANH = "0101248141"
IMPORTER = "0302098785"  # registered here, has granted nothing yet
THIRD = "0300588569"  # a carrier: no party to anything
URL = "/api/v1/representations"


def add_importer(world: World, app: Any, tax_code: str = IMPORTER) -> None:
    with app.state.db.unit_of_work() as uow:
        _, key = org.add_enterprise(
            uow.session, tax_code=tax_code, name="Sài Gòn Xanh", roles=["declarant"], actor="test"
        )
        uow.commit()
    world.keys[tax_code] = key


def stored(app: Any, *where: Any) -> int:
    with app.state.db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(DeclarationRow).where(*where)) or 0)


def events(app: Any, type: str) -> list[dict[str, Any]]:
    with app.state.db.unit_of_work() as uow:
        return [
            dict(p) for p in uow.session.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == type))
        ]


def test_naming_another_importer_without_representation_is_403_and_stores_nothing(
    world: World, app: Any
) -> None:
    add_importer(world, app)
    r = world.lodge(import_declaration(importer={"tax_code": IMPORTER}), key="no-rep")
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "importer.tax_code"
    assert r.json()["code"] == "no_representation"
    # the other way round: MINH_ANH granted AGENT, not AGENT MINH_ANH
    back = world.lodge(import_declaration(importer={"tax_code": AGENT}), who=MINH_ANH)
    assert back.status_code == 403
    assert back.json()["field"] == "importer.tax_code"
    unregistered = world.lodge(import_declaration(importer={"tax_code": "0100686209", "name": "X"}))
    assert unregistered.status_code == 403
    assert unregistered.json()["field"] == "importer.tax_code"
    assert stored(app) == 0
    assert events(app, DeclarationEvent.LODGED) == []
    own = world.lodge(import_declaration(importer={"tax_code": AGENT}))
    assert own.status_code == 201, own.text  # one's own goods need nobody's leave


def test_export_names_exporter_tax_code(world: World, app: Any) -> None:
    add_importer(world, app)
    body = export_declaration() | {"exporter": {"tax_code": IMPORTER}}
    r = world.lodge(body)
    assert r.status_code == 403
    assert r.json()["field"] == "exporter.tax_code"
    assert stored(app) == 0
    assert world.lodge(export_declaration()).status_code == 201  # MINH_ANH granted AGENT in the world


def test_granted_representation_lets_the_agent_lodge_and_the_importer_follow(
    world: World, app: Any, client: TestClient
) -> None:
    add_importer(world, app)
    g = world.post(URL, world.ent(IMPORTER), {"representative_tax_code": AGENT, "kind": "indirect"}, key="g1")
    assert g.status_code == 201, g.text
    assert g.json()["principal_tax_code"] == IMPORTER
    assert g.json()["in_force"] is True
    assert [e["representative_tax_code"] for e in events(app, "organization.representation_granted")][
        -1
    ] == AGENT
    agent_sees = client.get(URL, headers=world.ent(AGENT)).json()
    assert g.json()["id"] in {x["id"] for x in agent_sees}
    r = world.lodge(import_declaration(importer={"tax_code": IMPORTER}))
    assert r.status_code == 201, r.text
    n = r.json()["number"]
    mine = world.ent(IMPORTER)
    assert [d["number"] for d in client.get("/api/v1/declarations", headers=mine).json()["items"]] == [n]
    assert client.get(f"/api/v1/declarations/{n}", headers=mine).json()["importer"]["tax_code"] == IMPORTER
    assert client.get(f"/api/v1/declarations/{n}/history", headers=mine).status_code == 200
    # reading is not acting: the importer cannot register or cancel what the agent lodged
    assert world.post(f"/api/v1/declarations/{n}/register", mine, None).status_code == 404
    assert (
        world.post(f"/api/v1/declarations/{n}/cancel", mine, {"reason": "not mine to cancel"}).status_code
        == 404
    )
    assert world.post(f"/api/v1/declarations/{n}/register", world.ent(AGENT), None).status_code == 200
    app.state.dispatcher.run_once()
    feed = client.get("/api/v1/notifications", headers=mine).json()["items"]
    assert {x["declaration_number"] for x in feed} == {n}
    assert feed[0]["status"] == "accepted"
    agent_feed = client.get("/api/v1/notifications", headers=world.ent(AGENT)).json()["items"]
    assert [x["status"] for x in agent_feed] == [x["status"] for x in feed]


def test_a_third_enterprise_sees_nothing(world: World, app: Any, client: TestClient) -> None:
    n = world.lodge(import_declaration()).json()["number"]  # AGENT for MINH_ANH
    app.state.dispatcher.run_once()
    third = world.ent(THIRD)
    assert client.get(f"/api/v1/declarations/{n}", headers=third).status_code == 404
    assert client.get("/api/v1/declarations", headers=third).json()["items"] == []
    assert client.get("/api/v1/notifications", headers=third).json()["items"] == []
    assert client.get(URL, headers=third).json() == []
    party = world.ent(MINH_ANH)
    assert client.get(f"/api/v1/declarations/{n}", headers=party).status_code == 200
    assert [
        x["declaration_number"] for x in client.get("/api/v1/notifications", headers=party).json()["items"]
    ] == [n]


def test_expired_or_revoked_representation_is_403(world: World, app: Any, client: TestClient) -> None:
    add_importer(world, app)
    body = import_declaration(importer={"tax_code": IMPORTER})
    past = {"representative_tax_code": AGENT, "kind": "direct",
            "valid_from": "2025-01-01T00:00:00+07:00", "valid_until": "2025-12-31T00:00:00+07:00"}  # fmt: skip
    assert world.post(URL, world.ent(IMPORTER), past).json()["in_force"] is False
    assert world.lodge(body).json()["field"] == "importer.tax_code"
    soon = (clock.now() + timedelta(days=3)).isoformat()
    later = world.post(
        URL, world.ent(IMPORTER), {"representative_tax_code": AGENT, "kind": "direct", "valid_from": soon}
    )
    assert later.status_code == 201
    assert world.lodge(body).status_code == 403
    now = world.post(URL, world.ent(IMPORTER), {"representative_tax_code": AGENT, "kind": "direct"}).json()
    n = world.lodge(body).json()["number"]
    gone = world.post(f"{URL}/{now['id']}/revoke", world.ent(IMPORTER), None)
    assert gone.status_code == 200
    assert gone.json()["revoked_at"]
    assert gone.json()["in_force"] is False
    assert [e["id"] for e in events(app, "organization.representation_revoked")] == [now["id"]]
    refused = world.lodge(body)
    assert refused.status_code == 403
    assert refused.json()["field"] == "importer.tax_code"
    assert stored(app) == 1
    # an amendment acts in the importer's name too
    amended = client.put(
        f"/api/v1/declarations/{n}", json=body | {"package_count": 11}, headers=world.ent(AGENT)
    )
    assert amended.status_code == 403
    assert amended.json()["field"] == "importer.tax_code"
    assert stored(app, DeclarationRow.package_count == 10) == 1
    assert world.post(f"{URL}/{now['id']}/revoke", world.ent(IMPORTER), None).status_code == 409
    assert world.post(f"{URL}/{now['id']}/revoke", world.ent(AGENT), None).status_code == 404  # not its grant


def test_amending_to_an_importer_without_representation_is_403(
    world: World, app: Any, client: TestClient
) -> None:
    add_importer(world, app)
    n = world.lodge(import_declaration()).json()["number"]
    r = client.put(
        f"/api/v1/declarations/{n}",
        json=import_declaration(importer={"tax_code": IMPORTER}),
        headers=world.ent(AGENT),
    )
    assert r.status_code == 403
    assert r.json()["field"] == "importer.tax_code"
    assert stored(app, DeclarationRow.importer_tax_code == MINH_ANH) == 1


def test_grant_is_validated_naming_the_field(world: World, app: Any, client: TestClient) -> None:
    me = world.ent(MINH_ANH)
    cases = [
        ({"representative_tax_code": MINH_ANH, "kind": "direct"}, "representative_tax_code"),
        ({"representative_tax_code": "0100686209", "kind": "direct"}, "representative_tax_code"),
        (
            {"representative_tax_code": "0200519875", "kind": "direct"},
            "representative_tax_code",
        ),  # a terminal
        ({"representative_tax_code": "12", "kind": "direct"}, "representative_tax_code"),
        ({"representative_tax_code": AGENT, "kind": "sideways"}, "kind"),
        (
            {
                "representative_tax_code": AGENT,
                "kind": "direct",
                "valid_from": "2026-02-01T00:00:00+07:00",
                "valid_until": "2026-01-01T00:00:00+07:00",
            },
            "valid_until",
        ),
        (
            {"representative_tax_code": AGENT, "kind": "direct", "valid_from": "9999-01-01T00:00:00-12:00"},
            "valid_from",
        ),
    ]
    for body, field in cases:
        r = world.post(URL, me, body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, (body, r.text)
    assert (
        world.post(URL, world.off("admin"), {"representative_tax_code": AGENT, "kind": "direct"}).status_code
        == 403
    )
    assert len(client.get(URL, headers=me).json()) == 1  # the world's grant only
    assert client.get(URL, headers=world.off("nb_officer1")).status_code == 403
    listed = client.get(URL, params={"tax_code": MINH_ANH}, headers=world.off("admin")).json()
    assert [(x["principal_tax_code"], x["representative_tax_code"]) for x in listed] == [(MINH_ANH, AGENT)]


def test_representation_in_force_bounds() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=30)

    def at(when: datetime, *, until: datetime | None = end, revoked: datetime | None = None) -> bool:
        return representation_in_force(valid_from=start, valid_until=until, revoked_at=revoked, at=when)

    assert not at(start - timedelta(seconds=1))
    assert at(start)
    assert at(end - timedelta(seconds=1))
    assert not at(end)
    assert at(end + timedelta(days=999), until=None)
    assert at(start, revoked=start + timedelta(days=1))
    assert not at(start + timedelta(days=1), revoked=start + timedelta(days=1))
