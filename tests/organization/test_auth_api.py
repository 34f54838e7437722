"""Authentication and scope through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from haiquan.kit import audit
from tests.api.test_openapi import UNAUTHENTICATED
from tests.support import PASSWORD, World, many_sources


def _example(param: dict[str, Any]) -> str:
    schema = param.get("schema", {})
    if schema.get("type") == "integer":
        return "1"
    if schema.get("pattern") == r"^\d{12}$":
        return "100000000016"
    if "pattern" in schema and "0-9a-f" in schema["pattern"]:
        return "0" * 32
    return "x"


def test_every_api_route_requires_authentication(client: TestClient, world: World) -> None:
    """Every operation of the OpenAPI description answers 401 problem+json without credentials, but those
    deliberately without authentication (tests/api/test_openapi.py's UNAUTHENTICATED, each with its reason:
    the log-in, the public reference data)."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    sources = many_sources(client.app)
    checked = 0
    for path, operations in paths.items():
        for method, op in operations.items():
            if (method, path) in UNAUTHENTICATED:
                continue
            url = path
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", _example(param))
            r = next(sources).request(method.upper(), url)
            assert r.status_code == 401, (
                f"{method.upper()} {path} answered {r.status_code} without credentials"
            )
            assert r.headers["content-type"].startswith("application/problem+json")
            checked += 1
    assert checked >= 60, f"only {checked} operations checked"


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
    assert broken is None
    assert count > 0


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


PAGES = ["/queue", "/declarations", "/declarations/100000000016", "/reports", "/reports/events", "/enforcement",
         "/risk", "/sharing", "/supervision/alerts", "/supervision/terminals"]  # fmt: skip


def test_every_page_needs_a_login(client: TestClient, world: World) -> None:
    for path in PAGES:
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (303, 401), f"{path} answered {r.status_code} to an anonymous visitor"
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login")
