"""Helpers for page tests: log in through the form, read the CSRF token, lodge checks in a lane."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.declarations.test_flow import force_lane
from tests.support import PASSWORD, World, import_declaration

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    client.cookies.clear()
    page = client.get("/login")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text), "next": "/queue"},
        follow_redirects=False,
    )


def registered(world: World, app: Any, lane: str, office: str = "01AB", count: int = 1) -> list[str]:
    """Lodge and register declarations that the channel engine sends to `lane`."""
    force_lane(app, lane)
    numbers = []
    for _ in range(count):
        r = world.lodge(import_declaration(office=office))
        assert r.status_code == 201, r.text
        n = r.json()["number"]
        reg = world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
        assert reg.status_code == 200, reg.text
        assert reg.json()["channel"] == lane, reg.text
        numbers.append(n)
    return numbers


def status_of(world: World, number: str) -> str:
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106"))
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def assignees(world: World) -> dict[str, str]:
    """Who the round-robin gave each check in the Nội Bài queue (as the API tells a leader)."""
    r = world.client.get("/api/v1/officer/queue", headers=world.off("nb_leader"))
    assert r.status_code == 200, r.text
    return {i["number"]: i["assigned_officer"] for i in r.json()["items"]}
