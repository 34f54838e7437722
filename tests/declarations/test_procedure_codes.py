"""Procedure codes (mã loại hình) on declarations and the list served to integrators, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.declarations.test_flow import _count
from tests.declarations.test_lifecycle_more import export_declaration
from tests.support import World, import_declaration

LIST = "/api/v1/reference/procedure-codes"


def _refused(r: Any, field: str = "procedure_code") -> dict[str, Any]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["field"] == field, body
    return body


def test_an_import_code_on_an_export_is_refused_and_nothing_is_stored(world: World, app: Any) -> None:
    before = _count(app)
    body = _refused(world.lodge(dict(export_declaration(), procedure_code="A11"), who="0101248141"))
    assert "import procedure code" in body["detail"]
    _refused(world.lodge(import_declaration(procedure_code="B11")))
    assert _count(app) == before


def test_an_unknown_code_is_refused(world: World, app: Any) -> None:
    before = _count(app)
    assert (
        "not a VNACCS procedure code"
        in _refused(world.lodge(import_declaration(procedure_code="Z99")))["detail"]
    )
    _refused(world.lodge(import_declaration(procedure_code=11)))
    assert _count(app) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (export_declaration(), "B11"),
        (import_declaration(), "A11"),
        (dict(export_declaration(), procedure_code="E62"), "E62"),
        (import_declaration(procedure_code="e31"), "E31"),
    ],
)
def test_a_code_of_the_kind_is_kept_and_an_omitted_one_defaults_by_kind(
    world: World, body: dict[str, Any], code: str
) -> None:
    r = world.lodge(body, who="0101248141")
    assert r.status_code == 201, r.text
    assert r.json()["procedure_code"] == code


def test_amending_with_a_code_of_the_other_kind_is_refused(world: World, client: TestClient) -> None:
    who = world.ent("0101248141")
    number = world.lodge(export_declaration(), who="0101248141").json()["number"]
    r = client.put(
        f"/api/v1/declarations/{number}", json=dict(export_declaration(), procedure_code="A12"), headers=who
    )
    _refused(r)
    assert client.get(f"/api/v1/declarations/{number}", headers=who).json()["procedure_code"] == "B11"
    r = client.put(
        f"/api/v1/declarations/{number}", json=dict(export_declaration(), procedure_code="G61"), headers=who
    )
    assert r.status_code == 200, r.text
    assert r.json()["procedure_code"] == "G61"


def test_the_list_is_served_to_any_authenticated_caller_by_kind(world: World, client: TestClient) -> None:
    assert client.get(LIST).status_code == 401
    everything = client.get(LIST, headers=world.ent("0100109106"))
    assert everything.status_code == 200, everything.text
    codes = {c["code"]: c for c in everything.json()}
    assert codes["A11"] == {
        "code": "A11",
        "kind": "import",
        "name_vi": "Nhập kinh doanh tiêu dùng",
        "name_en": "Import for trading (domestic consumption)",
        "source": "Quyết định 1357/QĐ-TCHQ ngày 18/5/2021 của Tổng cục Hải quan (Bảng mã loại hình)",
    }
    assert codes["B11"]["kind"] == "export"
    assert codes["B11"]["name_vi"] == "Xuất kinh doanh"
    exports = client.get(LIST, params={"kind": "export"}, headers=world.off("nb_officer1")).json()
    assert exports
    assert {c["kind"] for c in exports} == {"export"}
    imports = client.get(LIST, params={"kind": "import"}, headers=world.off("nb_officer1")).json()
    assert {c["code"] for c in imports} | {c["code"] for c in exports} == set(codes)
    assert "B11" not in {c["code"] for c in imports}
    _refused(client.get(LIST, params={"kind": "transit"}, headers=world.ent("0100109106")), field="kind")
