"""Officers' sessions are held on the server: a logout, a deactivation or an administrator's revocation ends
them at once (a token or cookie copied before is refused right after), and they end by themselves after
`session_idle_minutes` without use or `token_ttl_minutes` after login. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.tables import OfficerSessionRow
from tests.support import PASSWORD, World
from tests.web.helpers import csrf_of, login


def events(app: Any, kind: str) -> list[dict[str, Any]]:
    with app.state.db.unit_of_work() as uow:
        return [
            dict(p)
            for p in uow.session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq)
            )
        ]


def token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_cookie_copied_before_logout_is_refused_right_after(
    world: World, app: Any, client: TestClient
) -> None:
    assert login(client, "nb_officer1").status_code == 303
    copied = client.cookies["hq_session"]
    assert client.get("/queue").status_code == 200
    out = client.post("/logout", data={"csrf": csrf_of(client.get("/queue").text)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    client.cookies.set("hq_session", copied)  # the copy an attacker kept
    page = client.get("/queue", follow_redirects=False)
    assert page.status_code == 303
    assert "expired=1" in page.headers["location"]
    client.cookies.set("hq_session", copied)
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["code"] == "session_revoked"
    assert api.headers["content-type"].startswith("application/problem+json")
    started = events(app, OrganizationEvent.SESSION_STARTED)
    revoked = events(app, OrganizationEvent.SESSION_REVOKED)
    assert [e["username"] for e in started] == ["nb_officer1"]
    assert [(e["session_id"], e["reason"]) for e in revoked] == [(started[0]["session_id"], "logout")]


def test_the_api_logout_ends_the_token_at_once(world: World, client: TestClient) -> None:
    who = token(client, "nb_leader")
    other = token(client, "nb_leader")  # another session of the same officer
    assert client.get("/api/v1/me", headers=who).status_code == 200
    r = client.post("/api/v1/auth/logout", headers=who)
    assert r.status_code == 200
    assert r.json() == {"revoked": 1}
    refused = client.get("/api/v1/me", headers=who)
    assert refused.status_code == 401
    assert refused.json()["code"] == "session_revoked"
    assert client.get("/api/v1/me", headers=other).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=world.ent("0100109106")).status_code == 403


def test_a_session_unused_for_the_idle_timeout_ends(world: World, app: Any, client: TestClient) -> None:
    assert app.state.settings.session_idle_minutes == 30
    start = clock.now()
    clock.freeze(start)
    who = token(client, "hn_leader")
    for minutes in (20, 45, 70):  # each use within 30 minutes of the one before: still open
        clock.freeze(start + timedelta(minutes=minutes))
        assert client.get("/api/v1/me", headers=who).status_code == 200, minutes
    clock.freeze(start + timedelta(minutes=101))  # 31 minutes after the last use
    r = client.get("/api/v1/me", headers=who)
    assert r.status_code == 401
    assert r.json()["code"] == "session_idle"
    app.state.settings.session_idle_minutes = 5  # the setting holds for open sessions too
    clock.freeze(start + timedelta(minutes=110))
    fresh = token(client, "hn_leader")
    clock.freeze(start + timedelta(minutes=116))
    assert client.get("/api/v1/me", headers=fresh).json()["code"] == "session_idle"


def test_a_session_ends_at_the_absolute_timeout_however_busy(
    world: World, app: Any, client: TestClient
) -> None:
    start = clock.now()
    clock.freeze(start)
    who = token(client, "hn_leader")
    minutes = 0
    while minutes + 20 < app.state.settings.token_ttl_minutes:
        minutes += 20
        clock.freeze(start + timedelta(minutes=minutes))
        assert client.get("/api/v1/me", headers=who).status_code == 200
    clock.freeze(start + timedelta(minutes=app.state.settings.token_ttl_minutes))
    r = client.get("/api/v1/me", headers=who)
    assert r.status_code == 401
    assert r.json()["code"] == "token_expired"


def test_last_use_is_recorded_at_most_once_a_minute(world: World, app: Any, client: TestClient) -> None:
    start = clock.now()
    clock.freeze(start)
    who = token(client, "hn_leader")

    def last_seen() -> Any:
        with app.state.db.unit_of_work() as uow:
            return uow.session.scalars(select(OfficerSessionRow.last_seen_at)).one()

    clock.freeze(start + timedelta(seconds=30))
    client.get("/api/v1/me", headers=who)
    assert last_seen() == start
    clock.freeze(start + timedelta(seconds=90))
    client.get("/api/v1/me", headers=who)
    assert last_seen() == start + timedelta(seconds=90)


def test_an_administrator_lists_and_revokes_an_officers_sessions(
    world: World, app: Any, client: TestClient
) -> None:
    first, second = token(client, "nb_officer2"), token(client, "nb_officer2")
    url = "/api/v1/officers/nb_officer2/sessions"
    listed = client.get(url, headers=world.off("admin"))
    assert listed.status_code == 200
    assert len(listed.json()) == 2
    assert client.get(url, headers=world.off("nb_leader")).status_code == 403
    assert client.post(url + "/revoke", headers=world.off("nb_leader")).status_code == 403
    assert client.post(url + "/revoke", headers=world.ent("0100109106")).status_code == 403
    r = client.post(url + "/revoke", headers=world.off("admin"))
    assert r.status_code == 200
    assert r.json() == {"revoked": 2}
    for who in (first, second):
        assert client.get("/api/v1/me", headers=who).json()["code"] == "session_revoked"
    assert client.get(url, headers=world.off("admin")).json() == []
    reasons = {e["reason"] for e in events(app, OrganizationEvent.SESSION_REVOKED)}
    assert reasons == {"revoked"}


def test_deactivation_ends_the_sessions_and_the_command_line_revokes_them(
    world: World, app: Any, client: TestClient, cli_db: Database
) -> None:
    who = token(client, "tn_officer")
    r = CliRunner().invoke(cli.app, ["officer", "revoke-sessions", "tn_officer"])
    assert r.exit_code == 0, r.output
    assert "1 session(s) of tn_officer ended" in r.output, r.output
    assert client.get("/api/v1/me", headers=who).json()["code"] == "session_revoked"
    again = token(client, "tn_officer")
    r = client.patch("/api/v1/officers/tn_officer", json={"active": False}, headers=world.off("admin"))
    assert r.status_code == 200, r.text
    client.patch("/api/v1/officers/tn_officer", json={"active": True}, headers=world.off("admin"))
    assert client.get("/api/v1/me", headers=again).json()["code"] == "session_revoked"
    reasons = [e["reason"] for e in events(app, OrganizationEvent.SESSION_REVOKED)]
    assert reasons == ["revoked", "officer_deactivated"]
