"""Small hardenings over HTTP: headers on JSON answers, /healthz keeps the database's error text to the log,
/metrics trusts no proxied client address, /docs loads Swagger UI from this site only, and `haiquan serve`
runs uvicorn without proxy headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from haiquan.web import hashed
from tests.support import World


def test_json_answers_are_not_stored_nor_sniffed(world: World) -> None:
    who = world.ent("0100109106")
    answers = [
        world.client.get("/api/v1/declarations", headers=who),  # a list
        world.client.get("/api/v1/declarations/NOPE", headers=who),  # a problem+json 404
        world.client.get("/api/v1/declarations"),  # a 401 problem
        world.client.get("/healthz"),
    ]
    for r in answers:
        assert r.headers["content-type"].startswith(("application/json", "application/problem+json"))
        assert r.headers["cache-control"] == "no-store", r.request.url
        assert r.headers["x-content-type-options"] == "nosniff"
    script = world.client.get(hashed.url("plotly.js"))  # not JSON: its own caching, nosniff too
    assert script.headers["cache-control"].startswith("public")
    assert script.headers["x-content-type-options"] == "nosniff"


def test_healthz_keeps_the_database_error_to_the_log(
    app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError("connection to server at db.internal (10.1.2.3) failed: password for user haiquan")

    monkeypatch.setattr(app.state.health.engine, "connect", refused)  # the probe's own engine (kit.health)
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"status": "unhealthy", "database": "unreachable"}
    assert "db.internal" not in r.text
    assert "password" not in r.text


@pytest.mark.parametrize(
    "header", [{"X-Forwarded-For": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"}, {"X-Real-IP": "::1"}]
)
def test_metrics_refuses_a_request_a_proxy_relayed(client: TestClient, header: dict[str, str]) -> None:
    """A proxy on this machine connects from the loopback: what it relays for a remote caller is not a
    loopback scraper, whatever address the forwarding header claims."""
    assert client.get("/metrics").status_code == 200  # the test client stands for a local scraper
    r = client.get("/metrics", headers=header)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


def test_docs_load_swagger_ui_from_this_site_only(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page.text), "a file from another host"
    assert '"validatorUrl": null' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "script-src 'self' 'sha256-" in csp  # its one inline script by hash, no 'unsafe-inline'
    for src in re.findall(r'(?:src|href)="(/static/swagger-ui/[^"]+)"', page.text):
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert len(asset.content) > 1000, src
    assert client.get("/redoc").status_code == 404  # ReDoc would come from a CDN: not offered


def test_serve_takes_the_client_address_from_the_socket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import uvicorn

    from haiquan import cli
    from haiquan.kit.settings import get_settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(cli, "require_migrated", lambda: None)
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli.app, ["serve", "--port", "8123"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False
    assert seen["host"] == "127.0.0.1"
