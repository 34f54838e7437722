"""Who is looking at a portal page: the `hq_portal` cookie (a signed token naming a staff session, never
an officer's), the CSRF token bound to it, and the page dependency `PortalCtx` that owns the request's
unit of work. Without a valid staff session the browser goes to /portal/login. Officers' cookies and API
keys are not accepted here, and a portal cookie is accepted nowhere else (officers' pages, the API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from haiquan.deps import RequestContext, audit_refusal, get_db, get_settings_dep
from haiquan.kit.errors import DomainError
from haiquan.portal import service
from haiquan.web.session import LoginRequired, csrf_token

PORTAL_COOKIE = "hq_portal"
LOGIN = "/portal/login"


def safe_next(value: str | None) -> str:
    """Only a portal path may be a redirect target after sign-in."""
    if not value or not value.startswith("/portal") or value.startswith("//") or "\\" in value:
        return "/portal"
    return value


def portal_context(request: Request) -> Iterator[RequestContext]:
    """Authenticate a staff member for a portal page and open the request's unit of work."""
    request.state.html = True
    db, settings = get_db(request), get_settings_dep(request)
    token = request.cookies.get(PORTAL_COOKIE)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in ("GET", "HEAD"):
        target = "/portal"
    if not token:
        raise LoginRequired(target, login=LOGIN, cookie=PORTAL_COOKIE)
    with db.unit_of_work() as uow:
        try:
            principal = service.principal_from_token(
                uow.session, token=token, secret=settings.effective_secret_key,
                idle_minutes=settings.session_idle_minutes,
            )  # fmt: skip
        except DomainError as exc:
            uow.rollback()
            audit_refusal(db, request, "anonymous", exc.message)
            raise LoginRequired(target, expired=True, login=LOGIN, cookie=PORTAL_COOKIE) from exc
        request.state.principal = principal
        request.state.session_token = token
        request.state.csrf = csrf_token(settings.effective_secret_key, token)
        yield RequestContext(request, uow, principal, settings)


PortalCtx = Annotated[RequestContext, Depends(portal_context)]
