"""The domain's one error type and its kinds: a code, a message, an HTTP status and the field that is wrong.
Plain Python, so that a pure domain module (e.g. declarations/domain.py) raises them; kit.errors renders
them as application/problem+json (and is where most modules import them from)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A caller's mistake or a refused action. Carries a code, a message, an HTTP status and the field."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = errors or ([{"field": field, "message": message}] if field else [])


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    status = 409
    code = "conflict"
