"""What the warm pages remember (issue 23, docs/pages.md "Warm pages"): links built from a remembered
pattern read exactly as the routes build them, and both that and the navigation's route check notice
routes added later."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.routing import NoMatchFound

from haiquan.kit.auth import Principal, Scope
from haiquan.web import nav
from haiquan.web.render import url_path


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/cases/{case_id}", name="case")
    def _case(case_id: str) -> None: ...

    @app.get("/n/{n:int}/x/{tail}", name="typed")
    def _typed(n: int, tail: str) -> None: ...

    return app


@pytest.mark.parametrize(
    ("name", "params"),
    [("case", {"case_id": 12}), ("case", {"case_id": "8000 ầ%?x"}), ("typed", {"n": 3, "tail": "t"})],
)
def test_a_link_reads_as_the_routes_build_it(name: str, params: dict[str, object]) -> None:
    app = _app()
    for _ in range(2):  # the second answer comes from the remembered pattern
        assert url_path(app, name, **params) == str(app.url_path_for(name, **params))


def test_a_refused_link_is_refused_as_before() -> None:
    app = _app()
    url_path(app, "case", case_id=1)
    with pytest.raises(AssertionError):
        url_path(app, "case", case_id="a/b")
    with pytest.raises(NoMatchFound):
        url_path(app, "missing")
    with pytest.raises(NoMatchFound):
        url_path(app, "case", other=1)


def test_routes_added_later_are_seen() -> None:
    app = _app()
    officer = Principal("officer", "1", "o", Scope(units=None), unit="00", role="officer")
    assert "/queue" not in [i.path for i in nav.items_for(app, officer)]
    with pytest.raises(NoMatchFound):
        url_path(app, "queue_page")

    @app.get("/queue", name="queue_page")
    def _q() -> None: ...

    assert "/queue" in [i.path for i in nav.items_for(app, officer)]
    assert url_path(app, "queue_page") == "/queue"
