"""Who is looking at a page: the `hq_session` cookie (or a bearer token), the CSRF token bound to it,
and the page dependency `PageCtx` that owns the request's unit of work like the API's `Ctx`.

A page asked for without a valid session raises `LoginRequired`, which the web layer turns into a
redirect to /login (never a JSON 401). Enterprises (API keys) are refused: these pages are for officers."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from haiquan.deps import RequestContext, audit_refusal, authenticate, bearer, get_db, get_settings_dep
from haiquan.kit.auth import Role
from haiquan.kit.errors import DomainError, Forbidden
from haiquan.organization import sessions
from haiquan.organization.tables import UnitRow

SESSION_COOKIE = "hq_session"
PRELOGIN_COOKIE = "hq_login"


class LoginRequired(Exception):
    """No valid officer session: the browser goes to the login page, then back to `next`."""

    def __init__(
        self, next_path: str, *, expired: bool = False, login: str = "/login", cookie: str = SESSION_COOKIE
    ) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired
        self.login, self.cookie = login, cookie  # the trader portal's own (portal.session)


def csrf_token(secret: str, basis: str) -> str:
    """HMAC of the session token (or, before login, of the pre-login cookie) with the app secret."""
    return hmac.new(secret.encode(), b"haiquan-csrf:" + basis.encode(), hashlib.sha256).hexdigest()


def check_csrf(secret: str, basis: str | None, given: object) -> None:
    if not basis or not isinstance(given, str) or not given:
        raise Forbidden("the form carries no valid CSRF token", field="csrf", code="csrf")
    if not hmac.compare_digest(csrf_token(secret, basis), given):
        raise Forbidden("the form carries no valid CSRF token", field="csrf", code="csrf")


def safe_next(value: str | None) -> str:
    """Only a path on this site (no scheme, no //host) may be a redirect target after login."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/queue"
    return value


def _token(request: Request, creds: HTTPAuthorizationCredentials | None) -> str | None:
    if creds is not None:
        return creds.credentials
    return request.cookies.get(SESSION_COOKIE) or None


def _return_to(request: Request) -> str:
    """Where the login page sends the officer back: the page asked for, or for a form posted (a session
    that ended mid-decision) the page the form was on, never the form's address (not a page)."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.headers.get("host"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.url.path


def page_context(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Iterator[RequestContext]:
    """Authenticate a customs officer for an HTML page and open the request's unit of work."""
    yield from _page_context(request, creds)


def agency_page_context(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Iterator[RequestContext]:
    """The same for another agency's officer (agencies' pages): customs officers are refused there."""
    yield from _page_context(request, creds, Role.AGENCY_OFFICER.value)


def _page_context(
    request: Request, creds: HTTPAuthorizationCredentials | None, *roles: str
) -> Iterator[RequestContext]:
    request.state.html = True
    db = get_db(request)
    settings = get_settings_dep(request)
    token = _token(request, creds)
    target = _return_to(request)
    if not token:
        raise LoginRequired(target)
    with db.unit_of_work() as uow:
        try:
            principal = authenticate(request, uow, settings, token)
        except DomainError as exc:
            uow.rollback()
            audit_refusal(db, request, "anonymous", exc.message)
            raise LoginRequired(target, expired=True) from exc
        request.state.principal = principal
        principal.require_officer(*roles)
        unit = uow.session.get(UnitRow, principal.unit) if principal.unit else None
        if unit is not None:
            request.state.unit_names = {
                "vi": f"{unit.code} · {unit.name_vi}",
                "en": f"{unit.code} · {unit.name_en or unit.name_vi}",
            }
        request.state.session_token = token
        request.state.csrf = csrf_token(settings.effective_secret_key, token)
        yield RequestContext(request, uow, principal, settings)


PageCtx = Annotated[RequestContext, Depends(page_context)]
AgencyPageCtx = Annotated[RequestContext, Depends(agency_page_context)]


def end_session(ctx: RequestContext) -> None:
    """Log out: the caller's server-side session ends now, in every process (organization.sessions)."""
    if ctx.principal.session_id:
        sessions.revoke(
            ctx.session, session_id=ctx.principal.session_id, reason="logout", actor=ctx.principal.label
        )
        ctx.uow.commit()
