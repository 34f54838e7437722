"""API keys carry scopes (read, write, manage) and an optional end; an enterprise rotates its key without
downtime (a new key while the old one works, then the old one revoked); each change is an event that names
the key by its id, never the key. SQLite and PostgreSQL."""

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
from tests.support import World, import_declaration

DECLARANT = "0100109106"
KEYS = "/api/v1/enterprise/api-keys"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def issue(client: TestClient, who: dict[str, str], **body: Any) -> Any:
    return client.post(KEYS, json=body, headers=who)


def test_a_read_only_key_reads_and_is_refused_a_change_naming_the_scope(
    world: World, client: TestClient
) -> None:
    r = issue(client, world.ent(DECLARANT), label="dashboard", scopes=["read"])
    assert r.status_code == 201, r.text
    read = bearer(r.json()["key"])
    assert r.json()["scopes"] == ["read"]
    assert r.json()["active"] is True
    assert client.get("/api/v1/me", headers=read).status_code == 200
    refused = client.post("/api/v1/declarations", json=import_declaration(), headers=read)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_required"
    assert refused.json()["detail"] == "this API key lacks the scope 'write' (it has: read)"
    assert refused.json()["field"] == "Authorization"
    assert refused.headers["content-type"].startswith("application/problem+json")
    listing = client.get(KEYS, headers=read)
    assert listing.status_code == 403
    assert "'manage'" in listing.json()["detail"]


def test_a_lodging_key_without_manage_cannot_touch_keys_or_the_webhook(
    world: World, client: TestClient
) -> None:
    lodge = bearer(issue(client, world.ent(DECLARANT), scopes=["read", "write"]).json()["key"])
    assert client.post("/api/v1/declarations", json=import_declaration(), headers=lodge).status_code == 201
    for method, url in (
        ("POST", KEYS),
        ("PUT", "/api/v1/enterprise/webhook"),
        ("POST", "/api/v1/enterprise/webhook/secret"),
    ):
        r = client.request(method, url, json={}, headers=lodge)
        assert r.status_code == 403, (url, r.text)
        assert r.json()["code"] == "scope_required", (url, r.text)


def test_rotation_without_downtime(world: World, app: Any, client: TestClient) -> None:
    old = world.ent(DECLARANT)
    r = issue(client, old, label="lodging system 2027")
    new_key, new_id = r.json()["key"], r.json()["key_id"]
    new = bearer(new_key)
    assert client.get("/api/v1/me", headers=old).status_code == 200  # both work while the new one is deployed
    assert client.get("/api/v1/me", headers=new).status_code == 200
    listed = {k["key_id"]: k for k in client.get(KEYS, headers=new).json()}
    old_id = next(k for k in listed if k != new_id)
    assert "key" not in listed[new_id]
    assert all(k["active"] for k in listed.values())
    revoked = client.post(f"{KEYS}/{old_id}/revoke", headers=new)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert client.get("/api/v1/me", headers=old).json()["code"] == "invalid_api_key"
    assert client.get("/api/v1/me", headers=new).status_code == 200
    assert client.post(f"{KEYS}/{'f' * 12}/revoke", headers=new).status_code == 404
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(OutboxEvent.type, OutboxEvent.payload).order_by(OutboxEvent.seq)
        ).all()
    mine = [
        (t, p["key_id"])
        for t, p in rows
        if t.startswith("organization.api_key") and p["tax_code"] == DECLARANT
    ]
    assert mine[-2:] == [
        (OrganizationEvent.API_KEY_ISSUED, new_id),
        (OrganizationEvent.API_KEY_REVOKED, old_id),
    ]
    assert not any(new_key in str(p) for _, p in rows)


def test_a_key_stops_at_its_expiry(world: World, client: TestClient) -> None:
    start = clock.now()
    until = (start + timedelta(hours=1)).isoformat()
    r = issue(client, world.ent(DECLARANT), scopes=["read"], expires_at=until)
    assert r.status_code == 201, r.text
    short = bearer(r.json()["key"])
    assert client.get("/api/v1/me", headers=short).status_code == 200
    clock.freeze(start + timedelta(hours=1, seconds=1))
    expired = client.get("/api/v1/me", headers=short)
    assert expired.status_code == 401
    assert expired.json()["code"] == "api_key_expired"
    past = issue(client, world.ent(DECLARANT), expires_at=(start - timedelta(days=1)).isoformat())
    assert past.status_code == 422
    assert past.json()["field"] == "expires_at"


def test_a_key_issues_no_more_than_its_own_scopes(world: World, client: TestClient) -> None:
    narrow = bearer(issue(client, world.ent(DECLARANT), scopes=["write", "manage"]).json()["key"])
    r = issue(client, narrow, scopes=["read", "write", "manage"])
    assert r.status_code == 422
    assert r.json()["code"] == "scope_beyond_issuer"
    assert r.json()["field"] == "scopes"
    assert issue(client, narrow).json()["scopes"] == ["manage", "write"]  # default: the issuer's own
    assert issue(client, world.ent(DECLARANT), scopes=["admin"]).status_code == 422


def test_a_replay_never_shows_the_key_again(world: World, client: TestClient) -> None:
    headers = world.ent(DECLARANT) | {"Idempotency-Key": "rotate-2027"}
    first = client.post(KEYS, json={"label": "x"}, headers=headers)
    again = client.post(KEYS, json={"label": "x"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["key"].startswith("hq_")
    assert again.json()["key"] is None
    assert again.json()["key_id"] == first.json()["key_id"]
    assert again.headers["Idempotent-Replay"] == "true"


def test_an_administrator_issues_and_revokes_an_enterprises_keys(world: World, client: TestClient) -> None:
    url = f"/api/v1/enterprises/{DECLARANT}/api-keys"
    assert client.post(url, json={}, headers=world.off("nb_leader")).status_code == 403
    assert client.post(url, json={}, headers=world.ent(DECLARANT)).status_code == 403
    r = client.post(url, json={"scopes": ["read"], "label": "auditor"}, headers=world.off("admin"))
    assert r.status_code == 201
    assert r.json()["scopes"] == ["read"]
    key, key_id = bearer(r.json()["key"]), r.json()["key_id"]
    assert client.get("/api/v1/me", headers=key).json()["tax_code"] == DECLARANT
    assert len(client.get(url, headers=world.off("admin")).json()) == 2
    assert client.post(f"{url}/{key_id}/revoke", headers=world.off("admin")).json()["active"] is False
    assert client.get("/api/v1/me", headers=key).status_code == 401


def test_the_command_line_issues_lists_and_revokes_one_key(
    world: World, client: TestClient, cli_db: Database
) -> None:
    run = CliRunner()
    r = run.invoke(
        cli.app, ["enterprise", "new-key", "--tax-code", DECLARANT, "--scope", "read", "--label", "bi"]
    )
    assert r.exit_code == 0, r.output
    key = r.output.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    assert (
        client.post("/api/v1/declarations", json=import_declaration(), headers=bearer(key)).status_code == 403
    )
    listed = run.invoke(cli.app, ["enterprise", "keys", "--tax-code", DECLARANT])
    assert listed.exit_code == 0
    assert key_id in listed.output
    assert "read" in listed.output
    assert key not in listed.output
    r = run.invoke(cli.app, ["enterprise", "revoke-key", "--tax-code", DECLARANT, "--key-id", key_id])
    assert r.exit_code == 0, r.output
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
    assert client.get("/api/v1/me", headers=world.ent(DECLARANT)).status_code == 200  # the other key works
    bad = run.invoke(cli.app, ["enterprise", "new-key", "--tax-code", DECLARANT, "--expires", "2001-01-01"])
    assert bad.exit_code != 0
    assert "expires_at" in bad.output
