"""The API's state changes authenticated by the officers' session cookie need a same-site Origin (or Referer)
or the session's X-CSRF-Token: another site's page cannot make an officer's browser change anything. Bearer
tokens and API keys are not concerned."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit.tables import AuditEntry
from tests.support import World
from tests.web.helpers import csrf_of, login

URL = "/api/v1/officers/nb_officer2"


def _on_roster(world: World) -> bool:
    return bool(world.client.get(URL, headers=world.off("admin")).json()["on_roster"])


def test_a_cookie_change_from_another_site_is_refused(world: World, client: TestClient, app: Any) -> None:
    assert _on_roster(world)
    assert login(client, "admin").status_code == 303
    assert "hq_session" in client.cookies
    for headers in (
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "null"},
        {},  # no Origin, no Referer, no token
        {"X-CSRF-Token": "0" * 64},
    ):
        r = client.patch(URL, json={"on_roster": False}, headers=headers)
        assert r.status_code == 403, (headers, r.text)
        problem = r.json()
        assert problem["code"] == "csrf"
        assert problem["field"] == "X-CSRF-Token"
        assert r.headers["content-type"].startswith("application/problem+json")
    client.cookies.clear()
    assert _on_roster(world)  # nothing changed
    app.state.refusals.flush(everything=True)  # a minute's refusals from one address: counted (kit.refusals)
    with app.state.db.unit_of_work() as uow:
        refusals = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "access.refused", AuditEntry.actor == "session-cookie")
            .order_by(AuditEntry.seq)
        ).all()
        assert [e.target for e in refusals] == [f"PATCH {URL}"] * 2  # the first in full, then the others
        assert refusals[1].detail["more"] == 4
        assert refusals[0].detail["reason"]


def test_a_cookie_change_from_this_site_or_with_the_token_goes_through(
    world: World, client: TestClient
) -> None:
    assert login(client, "admin").status_code == 303
    same = client.patch(URL, json={"on_roster": False}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200, same.text
    token = csrf_of(client.get("/queue").text)  # the token the pages' forms carry
    back = client.patch(URL, json={"on_roster": True}, headers={"X-CSRF-Token": token})
    assert back.status_code == 200, back.text
    client.cookies.clear()
    assert _on_roster(world)


def test_bearer_callers_are_not_concerned(world: World) -> None:
    r = world.client.patch(
        URL, json={"on_roster": False}, headers={**world.off("admin"), "Origin": "https://elsewhere.example"}
    )
    assert r.status_code == 200, r.text
