"""Issue #25 finding 3: what the fuzz campaign found answering 5xx on PostgreSQL, each refused with a 422
naming the field at the depth of the shared validation (bounds from the columns, a JSON depth limit), on
both databases; and a structural check that every request field is bounded in the OpenAPI description."""

from __future__ import annotations

from typing import Any

import pytest

from haiquan.kit.bounds import INT32_MAX, PAGE_MAX
from haiquan.kit.inbound import MAX_DEPTH
from tests.support import World, import_declaration


def _problem(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field, r.json()


@pytest.fixture
def operator(world: World) -> str:
    body = {"tax_code": "0200519875", "name": "Cảng Hải Phòng", "unit": "03CC"}
    r = world.client.post("/api/v1/terminal-operators", headers=world.off("admin"), json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_integers_beyond_the_column_are_refused_naming_the_field(world: World, operator: str) -> None:
    admin = world.off("admin")
    survey = {"transactions_per_day": 2**40, "it_readiness": 3}
    r = world.client.post(f"/api/v1/terminal-operators/{operator}/survey", headers=admin, json=survey)
    _problem(r, "transactions_per_day")
    survey["transactions_per_day"] = INT32_MAX  # the largest the column holds is taken
    r = world.client.post(f"/api/v1/terminal-operators/{operator}/survey", headers=admin, json=survey)
    assert r.status_code == 200, r.text
    loc = {"code": "HPVIP", "name": "Bãi", "kind": "yard", "unit": "03CC", "capacity_teu": 2**33}
    r = world.client.post(f"/api/v1/terminal-operators/{operator}/locations", headers=admin, json=loc)
    _problem(r, "capacity_teu")
    r = world.lodge(import_declaration(package_count=2**31))
    _problem(r, "package_count")


def test_an_integer_no_column_can_hold_is_refused_before_any_route(world: World) -> None:
    body = import_declaration()
    body["lines"][0]["quantity"] = 10**30  # a JSON number: beyond int64
    r = world.lodge(body)
    _problem(r, "lines[0].quantity")
    r = world.client.get("/api/v1/declarations?limit=" + "9" * 25, headers=world.ent("0100109106"))
    _problem(r, "limit")
    r = world.client.get(f"/api/v1/declarations?limit={PAGE_MAX + 1}", headers=world.ent("0100109106"))
    _problem(r, "limit")


def test_json_nested_too_deep_is_refused_naming_the_body(world: World) -> None:
    for depth in (MAX_DEPTH + 1, 5000):
        text = "[" * depth + "]" * depth
        r = world.client.post(
            "/api/v1/declarations", content=text,
            headers={**world.ent("0100109106"), "content-type": "application/json"},
        )  # fmt: skip
        _problem(r, "body")
        assert "nested deeper than" in r.json()["detail"]
    # brackets inside strings do not count
    r = world.lodge(import_declaration(transport_document="[" * 40))
    assert r.status_code != 422 or r.json()["field"] != "body", r.text


def test_criteria_nested_300_deep_is_a_422_not_a_recursion_error(world: World) -> None:
    criteria = "(" * 300 + "origin in (CN)" + ")" * 300 + " -> yellow"
    body = {"id": "P-DEEP", "name": "deep", "criteria": criteria[:4000], "why": "fuzz finding"}
    r = world.client.post("/api/v1/risk/profiles", headers=world.off("analyst"), json=body)
    _problem(r, "criteria")
    assert "nested deeper than" in r.json()["detail"]


def test_overlong_texts_are_refused_at_their_column_length(world: World) -> None:
    body = import_declaration()
    body["lines"][0]["preference"] = {"scheme": "A" * 1000, "certificate": "D-1"}
    r = world.lodge(body)
    _problem(r, "lines[0].preference.scheme")
    r = world.client.post(
        "/api/v1/risk/overrides", headers=world.off("analyst"),
        json={"subject": "declarant", "value": "0100109106", "channel": "red", "reason": "fuzz",
              "office": "X" * 500, "expires_at": "2099-01-01T00:00:00+07:00"},
    )  # fmt: skip
    _problem(r, "office")


def test_a_signed_xml_document_with_a_dtd_is_refused_whole_and_clearly() -> None:
    from haiquan.kit.errors import ValidationFailed
    from haiquan.payments import xmlmsg
    from haiquan.supervision import xmlmessages

    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
    terminal = (
        dtd + b'<TerminalMessages xmlns="urn:haiquan:terminal:1"><Message>&e;</Message></TerminalMessages>'
    )
    with pytest.raises(ValidationFailed, match="DTD") as refused:
        xmlmessages.parse_batch(terminal, {})
    assert refused.value.field == "body"
    with pytest.raises(ValidationFailed, match="DTD"):
        xmlmsg.bank_of(dtd + b"<Payment><Bank>&e;</Bank></Payment>")


# ---- structure: every request field bounded in the OpenAPI description ---------------------------------


def _walk(s: dict[str, Any], path: str, comps: dict[str, Any], seen: set[str], out: list[str]) -> None:
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _walk(comps[name], name, comps, seen, out)
        return
    alternatives = s.get("anyOf", []) + s.get("oneOf", []) + s.get("allOf", [])
    numeric = any(a.get("type") == "number" for a in alternatives)  # a decimal, as number or text
    for alt in alternatives:
        if not (numeric and alt.get("type") == "string"):
            _walk(alt, path, comps, seen, out)
    kind = s.get("type")
    if kind == "integer" and ("maximum" not in s or "minimum" not in s) and "enum" not in s:
        out.append(f"{path}: integer without minimum and maximum")
    if kind == "string" and not {"maxLength", "enum", "pattern", "format", "const"} & set(s):
        out.append(f"{path}: text without maxLength, enum, pattern or format")
    if kind == "array":
        if "maxItems" not in s:
            out.append(f"{path}: array without maxItems")
        _walk(s.get("items", {}), path + "[]", comps, seen, out)
    for name, sub in s.get("properties", {}).items():
        _walk(sub, f"{path}.{name}", comps, seen, out)


def test_every_request_body_field_is_bounded(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    comps, out, seen = doc["components"]["schemas"], [], set()  # type: ignore[var-annotated]
    for url, ops in doc["paths"].items():
        for method, op in ops.items():
            for ctype, content in op.get("requestBody", {}).get("content", {}).items():
                if "json" in ctype:
                    _walk(content["schema"], f"{method.upper()} {url}", comps, seen, out)
    assert out == [], "\n".join(out)
