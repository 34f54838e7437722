"""A NUL character anywhere in a request is a 422 naming the field, on every route, before any database."""

from __future__ import annotations

from typing import Any

from haiquan.kit.inbound import nul_path
from tests.support import World, import_declaration


def test_the_field_is_named_as_the_api_names_fields() -> None:
    assert nul_path({"lines": [{"description": "ok"}, {"description": "a\x00b"}]}) == "lines[1].description"
    assert nul_path({"a": {"b": ["x", "y\x00"]}}) == "a.b[1]"
    assert nul_path({"fine": "text", "n": 3, "none": None}) is None
    assert nul_path("\x00") == "body"


def test_nul_in_a_declaration_line_is_refused_before_the_database(world: World) -> None:
    body = import_declaration()
    body["lines"][1]["description"] = "Fuji\x00apples"
    r = world.lodge(body)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "lines[1].description"
    assert world.client.get("/api/v1/declarations", headers=world.ent("0100109106")).json()["items"] == []


def test_nul_in_a_query_a_path_or_a_login_form(world: World, client: Any) -> None:
    r = client.get("/api/v1/declarations?status=a%00b", headers=world.ent("0100109106"))
    assert r.status_code == 422
    assert r.json()["field"] == "status"
    r = client.get("/api/v1/declarations/1%0023", headers=world.ent("0100109106"))
    assert r.status_code == 422
    assert r.json()["field"] == "path"
    r = client.post("/api/v1/auth/token", data={"username": "nb_officer1\x00", "password": "x"})
    assert r.status_code == 422
    assert r.json()["field"] == "username"


def test_out_of_range_instants_are_the_callers_mistake(world: World) -> None:
    r = world.post("/api/v1/risk/overrides", world.off("analyst"),
                   {"subject": "declarant", "value": "0100109106", "channel": "green", "reason": "AEO audit done",
                    "expires_at": "0001-01-01T00:00:00+07:00"})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["field"] == "expires_at"


def test_a_nul_in_one_payment_of_a_batch_refuses_that_payment_only(world: World) -> None:
    item = {"bank": "VCB", "transaction_id": "FT1", "references": ["100000000013001"], "amount": "1000",
            "payer_tax_code": "0101248141", "paid_at": "2026-03-02T02:00:00+07:00"}  # fmt: skip
    r = world.post(
        "/api/v1/payments/batch", world.ent("0100112437"), {"items": [item | {"transaction_id": "F\x00T"}]}
    )
    assert r.status_code == 200, r.text
    problem = r.json()["results"][0]["problem"]
    assert problem["field"] == "transaction_id"
    assert "NUL" in problem["detail"]


def _echo_app() -> Any:
    """RefuseNul in front of a route that answers the size of the file it was sent."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from haiquan.kit.inbound import RefuseNul

    async def upload(request: Request) -> JSONResponse:
        form = await request.form()
        document = form["document"]
        size = len(await document.read()) if not isinstance(document, str) else -1
        return JSONResponse({"size": size, "note": form.get("note")})

    return RefuseNul(Starlette(routes=[Route("/upload", upload, methods=["POST"])]))


def test_a_file_in_a_form_may_hold_nuls_its_text_fields_may_not() -> None:
    from starlette.testclient import TestClient

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + b"\x00" * 64
    with TestClient(_echo_app()) as client:
        ok = client.post(
            "/upload", data={"note": "hoá đơn"}, files={"document": ("scan.png", png, "image/png")}
        )
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"size": len(png), "note": "hoá đơn"}
        bad = client.post(
            "/upload", data={"note": "a\x00b"}, files={"document": ("scan.png", png, "image/png")}
        )
        assert bad.status_code == 422
        assert bad.json()["field"] == "note"
