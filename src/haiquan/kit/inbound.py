"""Checks on what a caller sends, for every route, in front of them, each refused with 422 naming the field:
- a NUL character anywhere (a JSON text, a form field, a query parameter, the path): PostgreSQL cannot
  store one, so it must never reach a statement (a 500 there), and SQLite would keep what PostgreSQL refuses;
- a JSON body nested deeper than MAX_DEPTH (a parser's recursion, and every walk over it, stay bounded);
- a JSON integer beyond a 64-bit column's range (no database column holds it; the models bound each field
  more tightly to its own column)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan.kit.errors import problem_response

ESCAPED = b"\\u0000"  # how JSON writes it
FORM = b"%00"  # how a form or a query string writes it
NUL = "contains a NUL character"
XLSX = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMIT = 32 * 1024 * 1024  # bodies larger than this are left to the routes' own limits
MAX_DEPTH = 32  # arrays and objects inside one another; a declaration needs 4
INT64 = 2**63 - 1
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_LONG_NUMBER = re.compile(rb"\d{19,}")
_BOUNDARY = re.compile(rb'boundary="?([^";\s]+)"?', re.IGNORECASE)
_DISPOSITION = re.compile(rb"content-disposition:[^\r\n]*", re.IGNORECASE)
_NAME = re.compile(rb'\bname="([^"]*)"')


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


def too_deep(body: bytes) -> bool:
    """True when the JSON text nests arrays/objects deeper than MAX_DEPTH (strings skipped; no parsing)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', body)):
        depth += 1 if bracket in b"[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def huge_int_path(value: Any, at: str = "") -> str | None:
    """The field of the first integer beyond ±(2^63 - 1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return at or "body" if abs(value) > INT64 else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        name = f"{at}[{key}]" if isinstance(key, int) else (f"{at}.{key}" if at else str(key))
        found = huge_int_path(item, name)
        if found:
            return found
    return None


def _json_problem(body: bytes, per_item: bool) -> tuple[str, str] | None:
    """(field, message) for a JSON body nested too deep or holding an integer no column can hold (a batch
    whose items are answered one by one refuses such an item on its own)."""
    if too_deep(body):
        return "body", f"nested deeper than {MAX_DEPTH} levels of arrays and objects"
    if per_item:
        return None
    if _LONG_NUMBER.search(body) is None or _LONG_NUMBER.search(_STRINGS.sub(b'""', body)) is None:
        return None
    try:
        field = huge_int_path(json.loads(body))
    except ValueError:
        return None  # not JSON: the route answers what is wrong with it
    return (field, f"an integer beyond ±{INT64} (no field takes one)") if field else None


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
        found: tuple[str, str] | None = None
        if "\x00" in scope.get("path", ""):
            found = ("path", NUL)
        elif FORM in scope.get("query_string", b""):
            field = _form_field(scope["query_string"])
            found = (field, NUL) if field else None
        per_item = scope["path"] in self.per_item
        if found is None and scope["method"] in ("POST", "PUT", "PATCH") and not (per_item and _xml(scope)):
            body, more = await _read(receive)
            if not more:
                found = _json_problem(body, per_item) if body.lstrip()[:1] in (b"{", b"[") else None
                if found is None and not per_item and not _spreadsheet(scope):
                    boundary = _boundary(scope)
                    field = _multipart_field(body, boundary) if boundary else _body_field(body)
                    found = (field, NUL) if field else None
            receive = _replay(body, receive, more)
        if found is not None:
            field, message = found
            response = problem_response(
                422, "validation_failed", f"{field}: {message}" if message != NUL else f"{field} {message}",
                field=field, errors=[{"field": field, "message": message}],
            )  # fmt: skip
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _spreadsheet(scope: Scope) -> bool:
    """An Excel workbook (a zip: NUL bytes are its format); the route checks the text of its cells."""
    return any(k == b"content-type" and v.startswith(XLSX) for k, v in scope.get("headers", ()))


def _boundary(scope: Scope) -> bytes | None:
    """The boundary of a multipart/form-data body (a form with a file), else None."""
    for k, v in scope.get("headers", ()):
        if k == b"content-type" and v.lower().startswith(b"multipart/form-data"):
            found = _BOUNDARY.search(v)
            return found.group(1) if found else None
    return None


def _multipart_field(body: bytes, boundary: bytes) -> str | None:
    """The name of the first text part of a form holding a NUL. A file's bytes are its own (a PDF or a PNG
    holds NULs): the route checks what it stores (applications.documents); its name is text like the rest."""
    for part in body.split(b"--" + boundary):
        head, sep, value = part.partition(b"\r\n\r\n")
        disposition = _DISPOSITION.search(head) if sep else None
        if disposition is None:
            continue
        line = disposition.group(0)
        if b"\x00" in head or (b"filename=" not in line.lower() and b"\x00" in value):
            name = _NAME.search(line)
            text = name.group(1).decode("utf-8", "replace").replace("\x00", "") if name else ""
            return text or "body"
    return None


def _xml(scope: Scope) -> bool:
    return any(k == b"content-type" and b"xml" in v for k, v in scope.get("headers", ()))


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
