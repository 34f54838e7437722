"""Authentication and scope through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from haiquan.kit import audit
from tests.support import PASSWORD, World


def test_every_api_route_requires_authentication(client: TestClient, world: World) -> None:
    from haiquan.app import create_app  # noqa: F401

    for route in client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", set()) or set()
        if not path.startswith("/api/") or path == "/api/v1/auth/token":
            continue
        for method in methods - {"HEAD", "OPTIONS"}:
            url = path.replace("{", "").replace("}", "")
            r = client.request(method, url)
            assert r.status_code == 401, f"{method} {path} answered {r.status_code} without credentials"
            assert r.headers["content-type"].startswith("application/problem+json")


def test_officer_login_and_scope(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/me", headers=world.off("hn_leader"))
    assert r.status_code == 200
    assert r.json()["unit"] == "01"
    codes = {u["code"] for u in client.get("/api/v1/units", headers=world.off("hn_leader")).json()}
    assert codes == {"01", "01AB", "01B1", "01B3", "01TE"}
    assert client.get("/api/v1/units/03CC", headers=world.off("hn_leader")).status_code == 404
    gd = client.get("/api/v1/units", headers=world.off("gd_leader")).json()
    assert len(gd) == 8


def test_wrong_password_is_401_and_audited(client: TestClient, world: World, app) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/auth/token", data={"username": "hn_leader", "password": "wrong-" + PASSWORD})
    assert r.status_code == 401
    assert r.json()["code"] == "bad_credentials"
    with app.state.db.unit_of_work() as uow:
        count, broken = audit.verify(uow.session)
    assert broken is None and count > 0


def test_api_key_authenticates_enterprise_and_bad_key_is_refused(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/me", headers=world.ent("0100109106"))
    assert r.json() == {
        "kind": "enterprise",
        "name": "0100109106",
        "unit": None,
        "role": None,
        "roles": ["declarant"],
        "tax_code": "0100109106",
        "units_in_scope": None,
    }
    bad = world.keys["0100109106"][:-2] + "xx"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    assert client.get("/api/v1/units", headers=world.ent("0100109106")).status_code == 403
