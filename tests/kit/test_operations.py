"""Health and metrics endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient

from haiquan.kit.settings import Settings


def test_healthz_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/metrics")
    assert r.status_code == 200 and "haiquan_http_requests_total" in r.text


def test_metrics_token_is_enforced(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"metrics_token": "s3cret-token"})
    with TestClient(app) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
