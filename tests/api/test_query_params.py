"""Query parameters: an unknown one on a documented route, or a filter value outside its list, is a 422
naming the parameter (problem+json); pages stay lenient."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import World, many_sources


def test_every_documented_operation_refuses_an_unknown_query_parameter(world: World, app: Any) -> None:
    officer = world.off("hp_officer")
    operations = [(m.upper(), p) for p, item in app.openapi()["paths"].items() for m in item]
    sources = many_sources(app)
    for method, path in operations:
        concrete = re.sub(r"\{[^}]+\}", "ZZ9", path)
        r = next(sources).request(method, concrete + "?statsu=registered", headers=officer)
        assert r.status_code == 422, (method, path, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == "statsu", (method, path, r.json())


def test_a_misspelt_filter_is_refused_not_ignored(world: World) -> None:
    r = world.client.get("/api/v1/declarations?limit=5&chanel=red", headers=world.ent("0100109106"))
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "chanel"
    assert "channel" in body["detail"]
    assert "limit" in body["detail"]
    assert (
        world.client.get(
            "/api/v1/declarations?limit=5&channel=red", headers=world.ent("0100109106")
        ).status_code
        == 200
    )


def test_the_container_look_up_refuses_a_query_it_does_not_take(world: World) -> None:
    r = world.client.get("/api/v1/containers/MSCU1234565/status?at=now", headers=world.off("hp_officer"))
    assert r.status_code == 422
    assert r.json()["field"] == "at"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/declarations?status=bogus", "status"),
        ("/api/v1/declarations?channel=purple", "channel"),
        ("/api/v1/supervision/alerts?status=bogus", "status"),
        ("/api/v1/supervision/alerts?kind=bogus", "kind"),
    ],
)
def test_a_filter_value_outside_its_list_names_the_parameter(world: World, url: str, field: str) -> None:
    r = world.client.get(url, headers=world.off("hp_officer"))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_known_filter_values_still_answer(world: World) -> None:
    officer = world.off("hp_officer")
    assert (
        world.client.get("/api/v1/declarations?status=registered&channel=red", headers=officer).status_code
        == 200
    )
    assert (
        world.client.get("/api/v1/supervision/alerts?status=open&kind=dwell", headers=officer).status_code
        == 200
    )


def test_pages_take_parameters_of_their_own(world: World) -> None:
    r = world.client.get("/login?lang=en&utm_source=mail")
    assert r.status_code == 200
