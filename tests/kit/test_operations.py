"""Health and metrics endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from haiquan.kit.settings import Settings


def test_healthz_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/metrics")
    assert r.status_code == 200
    assert "haiquan_http_requests_total" in r.text


def test_metrics_token_is_enforced(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"metrics_token": "s3cret-token"})
    with TestClient(app) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_dropped_database_connection_answers_503_then_recovers(world, db) -> None:  # type: ignore[no-untyped-def]
    """Pooled connections the server closed (restart, fail-over) are not pinged before use: the request that
    finds one dead answers 503 problem+json with Retry-After, changes nothing, and the next is served."""
    who = world.ent("0100109106")
    assert world.client.get("/api/v1/declarations", headers=who).status_code == 200
    admin = create_engine(db.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    answers = [world.client.get("/api/v1/declarations", headers=who) for _ in range(3)]
    failed = [r for r in answers if r.status_code != 200]
    assert [r.status_code for r in failed] == [503], [r.text for r in failed]
    for r in failed:
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["retry-after"] == "1"
        assert r.json()["code"] == "database_unavailable"
    assert answers[-1].status_code == 200
