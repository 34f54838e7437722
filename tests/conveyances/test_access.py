"""Every conveyances route refuses a caller without credentials (401) and a caller outside its scope: an
enterprise that is not a carrier (403), and for people's data any officer who is not a targeting officer
(403). The routes are read from the application, so a new one is checked too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conveyances.helpers import CARRIER, arrival, conveyance_world
from tests.support import World

PREFIXES = ("/api/v1/conveyance", "/api/v1/interchange/paxlst", "/api/v1/interchange/cuscar")
PEOPLE = ("/persons", "/conveyance-screening", "/conveyance-watchlist")
BODIES: dict[str, Any] = {"/api/v1/conveyance-watchlist": {"name": "X Y", "reason": "r", "source": "s"}}


def _routes(app: Any) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return [
        (m.upper(), p) for p, item in sorted(paths.items()) if p.startswith(PREFIXES) for m in sorted(item)
    ]


def _call(world: World, method: str, path: str, headers: dict[str, str], cid: str) -> int:
    url = path.replace("{conveyance_id}", cid)
    if "interchange" in path:
        headers = {**headers, "Content-Type": "application/EDIFACT"}
        return int(
            world.client.request(
                method, url, content=b"UNA:+.? 'UNB+UNOC:3+A+B+261206:0900+1'", headers=headers
            ).status_code
        )
    body = BODIES.get(path, arrival(reference="OTHER") if method in ("POST", "PUT") else None)
    return int(world.client.request(method, url, json=body, headers=headers).status_code)


def test_every_route_refuses_strangers_and_callers_out_of_scope(world: World, app: Any) -> None:
    conveyance_world(world, app)
    cid = world.post("/api/v1/conveyances", world.ent(CARRIER), arrival()).json()["id"]
    routes = _routes(app)
    assert len(routes) == 9
    for method, path in routes:
        assert _call(world, method, path, {}, cid) == 401, (method, path)
        assert _call(world, method, path, world.ent("0100109106"), cid) == 403, (method, path)
        assert _call(world, method, path, {"Authorization": "Bearer hq_000000000000_nope"}, cid) == 401, (
            method,
            path,
        )
        if any(p in path for p in PEOPLE):
            for who in ("hp_officer", "hp_leader", "gd_leader", "admin"):
                assert _call(world, method, path, world.off(who), cid) == 403, (method, path, who)


@pytest.mark.parametrize("page", ["/conveyances", "/conveyances/screening"])
def test_pages_send_strangers_to_the_login(world: World, page: str) -> None:
    r = world.client.get(page, follow_redirects=False)
    assert r.status_code in (303, 307)
    assert "login" in r.headers["location"]
