"""A NUL character anywhere in what a caller sends (a JSON text, a form field, a query parameter, the path)
is refused with 422 naming the field: PostgreSQL cannot store one, so it must never reach a statement (a
500 there), and SQLite would keep what PostgreSQL refuses. One check for every route, in front of them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan.kit.errors import problem_response

ESCAPED = b"\\u0000"  # how JSON writes it
FORM = b"%00"  # how a form or a query string writes it
LIMIT = 32 * 1024 * 1024  # bodies larger than this are left to the routes' own limits


def nul_path(value: Any, at: str = "") -> str | None:
    """The field (as the API names fields: `lines[0].description`) of the first text holding a NUL."""
    if isinstance(value, str):
        return at or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{at}.{key}" if at else str(key)
            if "\x00" in str(key):
                return at or "body"
            found = nul_path(item, name)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = nul_path(item, f"{at}[{i}]")
            if found:
                return found
    return None


def _form_field(raw: bytes) -> str | None:
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "body"
    return None


class RefuseNul:
    """Plain ASGI middleware: looks at the path and query at once, and at the body of a POST/PUT/PATCH,
    handed on unchanged. Batch routes that answer each item on its own (a NUL in one item refuses that item
    only) are listed in `per_item` and check their items themselves."""

    def __init__(self, app: ASGIApp, per_item: tuple[str, ...] = ()) -> None:
        self.app, self.per_item = app, per_item

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = None
        if "\x00" in scope.get("path", ""):
            field = "path"
        elif FORM in scope.get("query_string", b""):
            field = _form_field(scope["query_string"])
        if (
            field is None
            and scope["method"] in ("POST", "PUT", "PATCH")
            and scope["path"] not in self.per_item
        ):
            body, more = await _read(receive)
            field = _body_field(body) if not more else None
            receive = _replay(body, receive, more)
        if field is not None:
            response = problem_response(
                422, "validation_failed", f"{field} contains a NUL character", field=field,
                errors=[{"field": field, "message": "contains a NUL character"}],
            )  # fmt: skip
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _body_field(body: bytes) -> str | None:
    if ESCAPED in body:
        try:
            return nul_path(json.loads(body))
        except ValueError:
            return None  # not JSON: the route answers what is wrong with it
    if FORM in body:
        return _form_field(body)
    if b"\x00" in body:
        return "body"
    return None


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The body, up to LIMIT bytes; True when more is left to read."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > LIMIT:
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive, more: bool) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return again
