"""One error type (kit.domain_errors), rendered as application/problem+json (RFC 9457) naming the field that
is wrong."""

from __future__ import annotations

import math
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from haiquan.kit.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)

__all__ = [
    "DECLARED",
    "PROBLEM",
    "Busy",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "NotFound",
    "Problem",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
    "busy_response",
    "database_problem",
    "domain_problem",
    "errors_from_validation",
    "install_error_handlers",
    "problem_response",
    "retry_after",
]

PROBLEM = "application/problem+json"
log = structlog.get_logger(__name__)


# The errors every operation may answer, as the OpenAPI declares them (kit.openapi; 409 on changes only).
DECLARED: dict[int, str] = {
    400: "Bad request (problem+json)",
    401: "Not authenticated: no, an unknown, a revoked or an expired API key or token (problem+json)",
    403: "Authenticated, but not allowed to do this (problem+json)",
    404: "Not found, or outside the caller's scope (problem+json)",
    408: "The request body came too slowly (no pause over 10 s, 30 s in all): send it again (problem+json)",
    409: "Conflict with the current state: the change is refused, nothing changed (problem+json)",
    422: "Invalid: `field` names what is wrong (problem+json)",
    429: "Too many requests: wait the Retry-After seconds, then send the same request again (problem+json)",
    503: (
        "Unavailable for a moment (the database restarting, the writer too busy): nothing changed; wait "
        "the Retry-After seconds, then send the same request again, with the same Idempotency-Key "
        "(problem+json)"
    ),
}


class TooManyRequests(DomainError):
    """The caller sent more than its share (kit.ratelimit) or too many wrong passwords (kit.logins):
    429 with Retry-After, the whole seconds after which the same request will be considered."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class Busy(DomainError):
    """This worker has no room for the request now (kit.admission, a full connection pool): 503 with
    Retry-After; nothing was done, the same request may be sent again."""

    status = 503
    code = "busy"


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


class FieldError(BaseModel):
    field: str | None = None
    message: str


class Problem(BaseModel):
    """The body of every error answer."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[FieldError] = []


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"https://haiquan.dev/problems/{code}",
        title=code.replace("_", " ").capitalize(),
        status=status,
        detail=detail,
        code=code,
        field=field,
        errors=[FieldError(**e) for e in (errors or [])],
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM, headers=headers)


def domain_problem(exc: DomainError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if exc.status == 503:
        headers = {"Retry-After": "1"}
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": retry_after(exc.retry_after)}
    return problem_response(
        exc.status, exc.code, exc.message, field=exc.field, errors=exc.errors, headers=headers
    )


def database_problem(exc: OperationalError) -> JSONResponse:
    # The database refused or dropped the connection (restart, fail-over): nothing was committed, the
    # pool has been discarded, and the same request sent again will be served by a new connection.
    log.warning("database_unavailable", error=str(exc.orig)[:200])
    return problem_response(
        503,
        "database_unavailable",
        "the database is not answering; nothing was changed, send the request again",
        headers={"Retry-After": "1"},
    )


def busy_response(detail: str, *, code: str = "busy", after: float = 1.0) -> JSONResponse:
    return problem_response(503, code, detail, headers={"Retry-After": retry_after(after)})


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    out = ""
    for p in parts:
        if p.isdigit():
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out or "body"


def errors_from_validation(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid"))
        msg = msg.removeprefix("Value error, ")
        out.append({"field": _loc_to_field(err.get("loc", ())), "message": msg})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = errors_from_validation(exc)
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
        return problem_response(422, "validation_failed", detail, field=first["field"], errors=errors)

    @app.exception_handler(OperationalError)
    async def _database_unavailable(_: Request, exc: OperationalError) -> JSONResponse:
        return database_problem(exc)

    @app.exception_handler(DataError)
    async def _value_out_of_range(_: Request, exc: DataError) -> JSONResponse:
        # The last net: a value the models let through but its column cannot hold (the models bound every
        # field to its column: tests/api/test_input_bounds.py). The transaction was rolled back.
        log.warning("value_out_of_range", error=str(exc.orig)[:300])
        return problem_response(
            422, "value_out_of_range", "a value does not fit the field that stores it; nothing was changed"
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection of this worker is in use for longer than db_pool_timeout_seconds: an overload,
        # not a fault; nothing was done (kit.db.PoolLimits, docs/operations.md#overload-and-abuse).
        log.warning("database_pool_exhausted", error=str(exc)[:200])
        return busy_response("the server is busy; nothing was changed, send the request again")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 408: "request_timeout"}.get(
            exc.status_code, "error"
        )
        return problem_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))
