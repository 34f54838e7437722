"""The OpenAPI description as integrators and client generators read it (docs/openapi.json).

FastAPI writes the operations from the routes; this module settles what holds for all of them, whatever a
route declares: readable operation ids (`<tag>_<function>`), one set of tags, every error answered as
`application/problem+json` with the statuses kit.errors lists (409 on changes only), `Idempotency-Key` as
a header of the changes only, component names a generator can turn into classes, the payloads haiquan
pushes to its callers in `webhooks`, and OpenAPI `links` from an answer to the calls that follow it (LINKS:
a lodged declaration's `number` to reading, amending, registering and deciding it...), which integrators
and the stateful fuzz (tests/api/test_fuzz_stateful.py) follow."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Header
from fastapi.routing import APIRoute
from pydantic import BaseModel

from haiquan.kit import errors, webhooks

SAFE = frozenset({"get", "head", "options"})
PROBLEM_REF = "#/components/schemas/Problem"
IDEMPOTENCY_KEY = "Idempotency-Key"
RETRY_AFTER = {
    "description": "Seconds to wait before sending the same request again",
    "schema": {"type": "integer"},
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": RETRY_AFTER},
    503: {"Retry-After": RETRY_AFTER},
}


NUMBER = {"number": "$response.body#/number"}
DECLARATION = {
    "GetDeclaration": ("declarations_get", NUMBER),
    "DeclarationHistory": ("declarations_history", NUMBER),
    "PaymentReferences": ("payments_references", {"declaration_number": "$response.body#/number"}),
}
# (operationId, status) -> {link name: (target operationId, {target parameter: runtime expression})}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("declarations_lodge", "201"): DECLARATION
    | {
        "AmendDeclaration": ("declarations_amend", NUMBER),
        "RegisterDeclaration": ("declarations_register", NUMBER),
        "CancelDeclaration": ("declarations_cancel", NUMBER),
    },
    ("declarations_amend", "200"): DECLARATION | {"RegisterDeclaration": ("declarations_register", NUMBER)},
    ("declarations_register", "200"): DECLARATION
    | {
        "DecideDeclaration": ("declarations_decision", NUMBER),
        "AmendRegisteredDeclaration": ("declarations_amend_registered", NUMBER),
        "AddDocuments": ("declarations_documents", NUMBER),
    },
    ("declarations_decision", "200"): DECLARATION,
    ("supervision_terminal_messages", "200"): {
        "ContainerStatus": (
            "supervision_container_status",
            {"number": "$request.body#/messages/0/container"},
        ),
    },
    ("payments_references", "200"): {"PayReference": ("payments_confirm", {})},
    ("credentials_issue_own_key", "201"): {
        "RevokeOwnKey": ("credentials_revoke_own_key", {"key_id": "$response.body#/key_id"}),
    },
}
# the request bodies links give: a bank confirms payment of a declaration's first reference
LINK_BODIES: dict[str, dict[str, Any]] = {"PayReference": {"references": ["$response.body#/0/reference"]}}


def domain(route: APIRoute) -> str:
    """The route's first tag, else the package it is written in (`haiquan.<domain>.api`)."""
    if route.tags:
        return str(route.tags[0])
    parts = route.endpoint.__module__.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def operation_id(route: APIRoute) -> str:
    """`<tag>_<function name>`, e.g. `declarations_lodge` (FastAPI's own adds the path and the method)."""
    return re.sub(r"\W+", "_", f"{domain(route)}_{route.name}").lower()


def error_responses() -> dict[int | str, dict[str, Any]]:
    """For FastAPI(responses=...): every error status kit.errors declares, with the Problem body."""
    return {
        status: {"model": errors.Problem, "description": text} for status, text in errors.DECLARED.items()
    }


def as_text(schema: dict[str, Any]) -> str:
    """The description as committed (docs/openapi.json): indented, in the routes' order, UTF-8."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def install(app: FastAPI) -> None:
    """Serve the refined description at /openapi.json (computed once, on the first request)."""
    generated = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for route in app.routes:
                if isinstance(route, APIRoute) and not route.tags:
                    route.tags = [domain(route)]
            app.openapi_schema = refine(generated())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components["responses"] = {
        _response_name(code): _problem(code, text) for code, text in errors.DECLARED.items()
    }
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            _one_set_of_tags(operation)
            _idempotency_on_changes(method, operation)
            _problem_errors(method, operation)
            _links(operation)
    for hook in schema.get("webhooks", {}).values():
        for operation in hook.values():
            _delivery_answers(operation)
    _class_names(schema)
    _drop_unused(schema, ("HTTPValidationError", "ValidationError"))
    return schema


def _one_set_of_tags(operation: dict[str, Any]) -> None:
    operation["tags"] = list(dict.fromkeys(operation.get("tags", [])))


def _idempotency_on_changes(method: str, operation: dict[str, Any]) -> None:
    """Reads share the request context (and its header) with changes; the header means nothing there."""
    if method not in SAFE:
        return
    params = [p for p in operation.get("parameters", []) if p.get("name") != IDEMPOTENCY_KEY]
    if params:
        operation["parameters"] = params
    else:
        operation.pop("parameters", None)


def _response_name(code: int) -> str:
    return HTTPStatus(code).phrase.title().replace(" ", "").replace("-", "")


def _problem(code: int, description: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {errors.PROBLEM: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if code in HEADERS:
        answer["headers"] = HEADERS[code]
    return answer


def _problem_errors(method: str, operation: dict[str, Any]) -> None:
    """Every error is a Problem; the declared ones refer to components, one a route describes in its own
    words stays where it is."""
    responses = operation.get("responses", {})
    if method in SAFE:
        responses.pop("409", None)
    for code, response in responses.items():
        if code[0] not in "45":
            continue
        status = int(code) if code.isdigit() else 0
        if errors.DECLARED.get(status) == response.get("description"):
            responses[code] = {"$ref": f"#/components/responses/{_response_name(status)}"}
        else:
            responses[code] = {**response, **_problem(status, response.get("description", ""))}


def _links(operation: dict[str, Any]) -> None:
    """The LINKS of an operation's answers: which calls its output (or its request) feeds."""
    for status, response in operation.get("responses", {}).items():
        links = LINKS.get((operation.get("operationId", ""), status))
        if not links:
            continue
        response["links"] = {name: _link(name, target, params) for name, (target, params) in links.items()}


def _link(name: str, target: str, params: dict[str, str]) -> dict[str, Any]:
    link: dict[str, Any] = {"operationId": target}
    if params:
        link["parameters"] = params
    if name in LINK_BODIES:
        link["requestBody"] = LINK_BODIES[name]
    return link


def _delivery_answers(operation: dict[str, Any]) -> None:
    """A webhook's answers are the receiver's: any 2xx is delivered, anything else is tried again."""
    operation["responses"] = {
        "2XX": {"description": "Delivered."},
        "default": {
            "description": "Not delivered: tried again after "
            + ", ".join(f"{s} s" for s in webhooks.BACKOFF_SECONDS)
            + " (then given up)."
        },
    }


def _class_names(schema: dict[str, Any]) -> None:
    """`haiquan__sharing__schemas__StatusOut` -> `SharingStatusOut`, `Invoice-Output` -> `InvoiceOutput`;
    every component's title is its name, so that no two generate the same class."""
    components = schema.get("components", {}).get("schemas", {})
    renamed: dict[str, str] = {}
    for name in components:
        better = _class_name(name)
        if better != name and better not in components and better not in renamed.values():
            renamed[name] = better
    named = {renamed.get(name, name): body for name, body in components.items()}
    for name, body in named.items():
        body["title"] = name
    if components:
        schema["components"]["schemas"] = dict(sorted(named.items()))
    if renamed:
        _replace_refs(
            schema, {f"#/components/schemas/{a}": f"#/components/schemas/{b}" for a, b in renamed.items()}
        )


def _class_name(name: str) -> str:
    parts = name.split("__")
    if len(parts) > 2 and parts[0] == "haiquan":
        name = f"{parts[1]}_{parts[-1]}"
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", name))


def _replace_refs(node: Any, refs: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and value in refs:
                node[key] = refs[value]
            else:
                _replace_refs(value, refs)
    elif isinstance(node, list):
        for item in node:
            _replace_refs(item, refs)


def _drop_unused(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    text = json.dumps({k: v for k, v in schema.items() if k != "components"}) + json.dumps(
        {k: v for k, v in components.items() if k not in names}
    )
    for name in names:
        if f'"#/components/schemas/{name}"' not in text:
            components.pop(name, None)


def webhook(
    app: FastAPI,
    name: str,
    payload: type[BaseModel],
    *,
    summary: str,
    description: str,
    tag: str,
) -> None:
    """Document a payload haiquan POSTs to a caller's webhook URL, with the signature headers
    (kit.webhooks) the receiver checks. Documentation only: nothing is served at `name`."""
    app.webhooks.add_api_route(
        name,
        _receiver(payload),
        methods=["POST"],
        summary=summary,
        description=description,
        tags=[tag],
        operation_id=re.sub(r"\W+", "_", f"{name}_pushed").lower(),
    )


def _receiver(payload: type[BaseModel]) -> Callable[..., None]:
    """A function with the signature FastAPI reads: the payload as the body and the signature headers."""

    def receiver(**_: Any) -> None:
        raise NotImplementedError("a webhook is served by the caller, never by haiquan")  # pragma: no cover

    def header(alias: str, text: str) -> inspect.Parameter:
        return inspect.Parameter(
            alias.lower().replace("-", "_"),
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str,
            default=Header(alias=alias, description=text),
        )

    receiver.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=payload),
            header(webhooks.TIMESTAMP, "When it was sent, in Unix seconds: refuse one older than 5 minutes"),
            header(
                webhooks.SIGNATURE,
                'sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook secret>',
            ),
            header(webhooks.DELIVERY, "The delivery's id: the same on every retry of one delivery"),
        ]
    )
    return receiver
