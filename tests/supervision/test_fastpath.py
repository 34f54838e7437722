"""The status look-ups answered before FastAPI's routing give, for every kind of request, exactly what the
documented routes give: the same status code, content type, body and authentication challenge."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from haiquan.supervision.fastpath import StatusLookups
from tests.supervision.helpers import CARRIER, TERMINAL, container, msg, send
from tests.supervision.test_flow import C1, setup_vessel
from tests.support import World


def _without_fast_path(app: Any) -> Any:
    from haiquan.app import create_app

    plain = create_app(app.state.settings, app.state.db)
    plain.user_middleware = [m for m in plain.user_middleware if m.cls is not StatusLookups]  # type: ignore[comparison-overlap]
    return plain


def test_fast_path_answers_as_the_documented_routes(world: World, app: Any) -> None:
    setup_vessel(world)
    send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1")])
    officer = world.off("hp_officer")
    requests: list[tuple[str, dict[str, str]]] = [
        (f"/api/v1/containers/{C1}/status", world.ent(TERMINAL)),
        (f"/api/v1/containers/{C1.lower()}/status", world.ent(CARRIER)),
        (f"/api/v1/containers/{C1}/status", officer),
        (f"/api/v1/containers/{C1}/status", world.ent("0101248141")),  # another operator: 404
        (f"/api/v1/containers/{C1}/status", {}),  # no credentials: 401
        (f"/api/v1/containers/{C1}/status", {"Authorization": "Bearer hq_nope.nope"}),
        (f"/api/v1/containers/{C1[:-1]}0/status", world.ent(TERMINAL)),  # bad check digit: 422
        (f"/api/v1/containers/{container(77)}/status", world.ent(TERMINAL)),  # on no manifest: 404
        ("/api/v1/containers/ABCDEFGHIJKLMNOP/status", world.ent(TERMINAL)),  # too long: 422
        ("/api/v1/consignments/HPH0426001/status", world.ent(TERMINAL)),
        ("/api/v1/consignments/hph0426002/status", officer),
        ("/api/v1/consignments/NOSUCHBILL/status", world.ent(TERMINAL)),
    ]
    fast = [world.client.get(url, headers=h) for url, h in requests]
    with TestClient(_without_fast_path(app)) as plain:
        slow = [plain.get(url, headers=h) for url, h in requests]
    assert {r.status_code for r in fast} == {200, 401, 404, 422}
    for (url, _), a, b in zip(requests, fast, slow, strict=True):
        assert (a.status_code, a.headers["content-type"]) == (b.status_code, b.headers["content-type"]), url
        assert a.headers.get("www-authenticate") == b.headers.get("www-authenticate"), url
        if a.status_code == 422:  # FastAPI words its own length check; both name the field
            assert a.json()["field"] == b.json()["field"] == "number", (a.json(), b.json())
        else:
            assert a.json() == b.json(), url


def test_fast_path_is_counted_in_the_metrics_under_its_route(world: World) -> None:
    setup_vessel(world)
    world.client.get(f"/api/v1/containers/{C1}/status", headers=world.ent(TERMINAL))
    metrics = world.client.get("/metrics").text
    assert 'route="/api/v1/containers/{number}/status"' in metrics
