"""An enterprise's webhook: a URL outside the development setting is https to a public address (checked when
set and again at every delivery); the signing secret is shown once when made and when rotated, never on an
update; after a rotation the old secret still signs a while. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.declarations.tables import WebhookDeliveryRow
from haiquan.kit import clock, outbound
from haiquan.kit.db import Database
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.catalogue import OrganizationEvent
from tests.support import World, import_declaration

DECLARANT = "0100109106"
HOOK = "/api/v1/enterprise/webhook"
PUBLIC = "93.184.216.34"


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """hooks.example.vn resolves to a public address until a test says otherwise."""
    table = {"hooks.example.vn": [PUBLIC]}
    monkeypatch.setattr(outbound, "resolver", lambda host, port: table[host])
    return table


REFUSED = [
    "http://hooks.example.vn/in",  # plain http
    "https://localhost/in",  # a name for 127.0.0.1
    "https://127.0.0.1/in",
    "https://10.20.30.40/in",
    "https://192.168.0.10/in",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/in",
    "https://[fd12:3456::1]/in",
    "https://[::ffff:127.0.0.1]/in",
]


def test_inside_and_plain_http_targets_are_refused(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = outbound.resolver
    monkeypatch.setattr(
        outbound, "resolver", lambda h, p: [PUBLIC] if h == "hooks.example.vn" else real(h, p)
    )
    assert client.app.state.settings.development is False  # type: ignore[attr-defined]
    for url in REFUSED:
        r = client.put(HOOK, json={"url": url}, headers=world.ent(DECLARANT))
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == "url", r.text
        assert r.json()["code"] == "url_refused", r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    ok = client.put(HOOK, json={"url": "https://hooks.example.vn/in"}, headers=world.ent(DECLARANT))
    assert ok.status_code == 200, ok.text


def test_the_development_setting_allows_a_local_receiver(world: World, app: Any, client: TestClient) -> None:
    app.state.settings.development = True
    r = client.put(HOOK, json={"url": "http://127.0.0.1:8124/in"}, headers=world.ent(DECLARANT))
    assert r.status_code == 200
    assert r.json()["url"] == "http://127.0.0.1:8124/in"


def test_the_secret_is_shown_once_and_rotates(
    world: World, app: Any, client: TestClient, public_dns: dict[str, list[str]]
) -> None:
    who = world.ent(DECLARANT)
    first = client.put(HOOK, json={"url": "https://hooks.example.vn/a"}, headers=who)
    assert first.status_code == 200
    assert len(first.json()["secret"]) >= 32
    update = client.put(HOOK, json={"url": "https://hooks.example.vn/b"}, headers=who)
    assert update.json() == {"url": "https://hooks.example.vn/b", "secret": None}
    start = clock.now()
    clock.freeze(start)
    rotated = client.post(HOOK + "/secret", headers=who)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != first.json()["secret"]
    overlap = timedelta(hours=app.state.settings.webhook_secret_overlap_hours)
    assert rotated.json()["previous_valid_until"].startswith((start + overlap).isoformat()[:19])
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(OutboxEvent.type, OutboxEvent.payload).order_by(OutboxEvent.seq)
        ).all()
    kinds = [t for t, _ in rows if t.startswith("organization.webhook")]
    assert kinds == [OrganizationEvent.WEBHOOK_CHANGED] * 2 + [OrganizationEvent.WEBHOOK_SECRET_ROTATED]
    assert {p["host"] for t, p in rows if t == OrganizationEvent.WEBHOOK_CHANGED} == {"hooks.example.vn"}
    assert not any(s in str(p) for _, p in rows for s in (new, first.json()["secret"]))
    replay = client.post(HOOK + "/secret", headers=who | {"Idempotency-Key": "r1"})
    again = client.post(HOOK + "/secret", headers=who | {"Idempotency-Key": "r1"})
    assert replay.json()["secret"]
    assert again.json()["secret"] is None


def test_a_delivery_checks_the_target_again(
    world: World, app: Any, client: TestClient, public_dns: dict[str, list[str]]
) -> None:
    """The name resolved to a public address when set, to 127.0.0.1 when delivered (DNS rebinding)."""
    assert (
        client.put(
            HOOK, json={"url": "https://hooks.example.vn/in"}, headers=world.ent(DECLARANT)
        ).status_code
        == 200
    )
    assert world.lodge(import_declaration()).status_code == 201
    app.state.dispatcher.run_once()
    public_dns["hooks.example.vn"] = ["127.0.0.1"]
    assert app.state.webhooks.deliver_due() == 0
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(WebhookDeliveryRow.attempts, WebhookDeliveryRow.state, WebhookDeliveryRow.last_error)
        ).all()
    assert len(rows) == 1
    assert rows[0][:2] == (1, "pending")
    assert "loopback" in rows[0][2]


def test_the_command_line_rotates_the_secret(world: World, client: TestClient, cli_db: Database) -> None:
    r = CliRunner().invoke(cli.app, ["enterprise", "rotate-webhook-secret", "--tax-code", DECLARANT])
    assert r.exit_code == 0, r.output
    assert len(r.output.strip().splitlines()[-1]) >= 32
