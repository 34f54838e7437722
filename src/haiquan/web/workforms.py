"""What every work screen's form does the same way: check the CSRF token bound to the session, turn a
schema's refusal or a service's `DomainError` into messages per field for the page's error summary (never
raw JSON, never an HTTP code), and answer a successful change with a redirect carrying a flash message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.requests import Request

from haiquan.deps import RequestContext, audit_refusal, get_db
from haiquan.kit.errors import DomainError, NotFound
from haiquan.web import i18n
from haiquan.web.render import set_flash
from haiquan.web.session import check_csrf

# A record named by the page's address and not in the caller's scope: the not-found page, not a form error.
NOT_FOUND_FIELDS = (
    None,
    "case_id",
    "alert_id",
    "profile_id",
    "tax_code",
    "username",
    "code",
    "version",
    "override_id",
)


@dataclass
class Errors:
    """Messages per field (a field named `form` is about the whole form), in the page's language."""

    lang: str
    by_field: dict[str, str] = field(default_factory=dict)
    status: int = 422  # the page's HTTP status once refused (never shown to the person)

    def add(self, name: str, key: str, **values: Any) -> None:
        self.by_field.setdefault(name, i18n.t(key, self.lang, **values))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, name: str) -> str | None:
        return self.by_field.get(name)

    def items(self) -> list[tuple[str, str]]:
        return list(self.by_field.items())


async def posted(request: Request, ctx: RequestContext) -> dict[str, str]:
    """The form's fields as stripped strings, after its CSRF token was checked (403 page otherwise)."""
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    return {k: str(v).strip() for k, v in form.items() if k != "csrf" and isinstance(v, str)}


def _key(kind: str, value: Any) -> tuple[str, dict[str, Any]]:
    if kind == "missing" or value is None or value == "":
        return "err.required", {}
    return {
        "string_too_long": ("err.too_long", {}),
        "string_too_short": ("err.too_short", {"n": 1}),
        "enum": ("err.choice", {}),
        "literal_error": ("err.choice", {}),
    }.get(kind, ("err.invalid", {}))


def from_validation(errors: Errors, exc: ValidationError, names: Mapping[str, str] | None = None) -> None:
    """A schema's refusal: each wrong field named (`names` maps a schema location to the form's field)."""
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "form"
        name = (names or {}).get(loc, loc.split(".")[0])
        key, values = _key(str(err.get("type", "")), err.get("input"))
        if key == "err.too_long":
            values = {"n": (err.get("ctx") or {}).get("max_length", 0)}
        errors.add(name, key, **values)


def from_domain(
    request: Request,
    ctx: RequestContext,
    errors: Errors,
    exc: DomainError,
    names: Mapping[str, str] | None = None,
) -> None:
    """A service's refusal shown on the form: the transaction rolled back, a refusal of right audited.
    A record out of the caller's scope is not a form error: the not-found page answers."""
    if isinstance(exc, NotFound) and exc.field in NOT_FOUND_FIELDS:
        raise exc
    ctx.uow.rollback()
    errors.status = exc.status
    if exc.status == 403:
        audit_refusal(get_db(request), request, ctx.principal.label, exc.message)
    name = (exc.field or "form").rsplit(".", 1)[-1]  # items[0].unit → unit: the form has one item
    name = (names or {}).get(name, name)
    errors.by_field.setdefault(name, message(exc, errors.lang, name))


def message(exc: DomainError, lang: str, name: str = "") -> str:
    """The refusal in the page's language: a message of the catalogue for its code and the form's field
    `name` (default: the error's field), or for its
    code, else (Vietnamese) one for its kind; in English the service's own precise words."""
    for key in (f"err.{exc.code}.{name or exc.field}", f"err.{exc.code}"):
        if key in i18n.MESSAGES:
            return i18n.t(key, lang)
    if lang == "en":
        return exc.message
    return i18n.t(
        f"err.status.{exc.status}" if f"err.status.{exc.status}" in i18n.MESSAGES else "err.invalid", lang
    )


def done(ctx: RequestContext, url: str, flash: str) -> RedirectResponse:
    """Commit the change and go to `url` (303), the flash message shown there."""
    ctx.uow.commit()
    response = RedirectResponse(url, status_code=303)
    set_flash(response, flash)
    return response
