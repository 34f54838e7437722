"""The OpenAPI description: committed as docs/openapi.json and current, and what it says holds for every
operation (one authentication scheme, Idempotency-Key a header of the changes, errors as problem+json,
readable operation ids and tags, the pushed payloads in `webhooks`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import errors
from haiquan.kit.openapi import as_text
from haiquan.kit.settings import REPO_ROOT

COMMITTED = REPO_ROOT / "docs" / "openapi.json"
CHANGES = {"post", "put", "patch", "delete"}
Operations = list[tuple[str, str, dict[str, Any]]]


def operations(spec: dict[str, Any]) -> Operations:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items()]


def test_the_committed_description_is_current(spec: dict[str, Any]) -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == as_text(spec), (
        "docs/openapi.json differs from the API: run `make openapi` (or `haiquan docs openapi`) and commit it"
    )


def test_the_command_writes_what_the_test_compares(spec: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    result = CliRunner().invoke(cli.app, ["docs", "openapi", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == as_text(spec)


# Operations deliberately without authentication, each with its reason (every other one needs a key or a
# token: an operation missing from here without `security` fails below).
UNAUTHENTICATED = {
    ("post", "/api/v1/auth/token"): "the log-in: it is where a token comes from (a password, throttled)",
    # public reference data (decision 0034): the same for everyone, nobody's record; cached, rate-limited
    # per client address (reference.public_api)
    ("get", "/api/v1/public/tariff/{hs8}"): "public reference data",
    ("get", "/api/v1/public/tariff"): "public reference data",
    ("get", "/api/v1/public/exchange-rates"): "public reference data",
    ("get", "/api/v1/public/hs"): "public reference data",
    ("get", "/api/v1/public/procedure-codes"): "public reference data",
}


# POSTs that change nothing (a question with a body too large for a query string): no key to name a change
READS_BY_POST = {("post", "/api/v1/risk/profiles/test")}


def test_idempotency_key_is_a_header_of_the_changes_not_a_credential(spec: dict[str, Any]) -> None:
    assert set(spec["components"]["securitySchemes"]) == {"HTTPBearer"}
    ops = operations(spec)
    for method, path, op in ops:
        assert op.get("security", [{"HTTPBearer": []}]) == [{"HTTPBearer": []}], (method, path)
        headers = [p for p in op.get("parameters", []) if p["in"] == "header"]
        idempotent = [p for p in headers if p["name"] == "Idempotency-Key"]
        if method in CHANGES and "security" in op and (method, path) not in READS_BY_POST:
            assert len(idempotent) == 1, (method, path)
            assert not idempotent[0]["required"], (method, path)
        else:
            assert not idempotent, f"{method} {path} takes no Idempotency-Key"
    assert {(m, p) for m, p, op in ops if "security" not in op} == set(UNAUTHENTICATED)


def test_only_the_allowed_routes_answer_without_credentials(client: Any, spec: dict[str, Any]) -> None:
    """Every GET without path parameters answers 401 without credentials, but the allowed ones."""
    for method, path, _ in operations(spec):
        if method != "get" or "{" in path:
            continue
        status = client.get(path).status_code
        if (method, path) in UNAUTHENTICATED:
            assert status != 401, path
        else:
            assert status == 401, (path, status)


def test_every_error_is_a_problem_with_the_declared_statuses(spec: dict[str, Any]) -> None:
    responses = spec["components"]["responses"]
    for method, path, op in operations(spec):
        answers = op["responses"]
        declared = {str(s) for s in errors.DECLARED if s != 409 or method in CHANGES}
        assert declared <= set(answers), (method, path, declared - set(answers))
        assert ("409" in answers) == (method in CHANGES), (method, path)
        for code, answer in answers.items():
            if code[0] in "45":
                answer = responses[answer["$ref"].rsplit("/", 1)[1]] if "$ref" in answer else answer
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, code)
    retried = {name for name, r in responses.items() if "Retry-After" in r.get("headers", {})}
    assert retried == {"TooManyRequests", "ServiceUnavailable"}


def test_operation_ids_are_readable_and_every_operation_has_a_described_tag(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids)) >= 60
    described = {t["name"] for t in spec["tags"] if t.get("description")}
    for method, path, op in ops:
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", op["operationId"]), op["operationId"]
        assert "api_v1" not in op["operationId"], "FastAPI's default (the path and method) is back"
        assert op["tags"], (method, path, op["tags"])
        assert len(op["tags"]) == len(set(op["tags"])), (method, path, op["tags"])
        assert set(op["tags"]) <= described, f"describe the tag of {method} {path} in routes.TAGS"
    lodge = spec["paths"]["/api/v1/declarations"]["post"]
    assert lodge["operationId"] == "declarations_lodge"


def test_component_names_are_class_names(spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name
        assert schema["title"] == name
    text = json.dumps(spec)
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert refs <= set(spec["components"]["schemas"])


def test_the_pushed_payloads_are_in_webhooks(spec: dict[str, Any]) -> None:
    hooks = spec["webhooks"]
    assert set(hooks) == {"declaration-status", "consignment-status"}
    bodies = {
        name: item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for name, item in hooks.items()
    }
    assert bodies == {
        "declaration-status": "#/components/schemas/NotificationOut",
        "consignment-status": "#/components/schemas/ConsignmentStatusPushed",
    }
    for item in hooks.values():
        headers = {p["name"] for p in item["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"X-Haiquan-Timestamp", "X-Haiquan-Signature", "X-Haiquan-Delivery"}
        assert set(item["post"]["responses"]) == {"2XX", "default"}
