"""Cross-site request forgery on the API. The API also accepts the officers' `hq_session` cookie (the
pages' scripts read it with fetch), and a browser sends that cookie along with a request another site's
page makes. So a state-changing API request (POST, PUT, PATCH, DELETE under /api/) authenticated by the
cookie must prove it comes from this site: an `Origin` (or, without one, a `Referer`) naming this host, or an
`X-CSRF-Token` header carrying the token bound to the session (the one the pages' forms carry). A request
with an `Authorization: Bearer` header (an API key, an officer's token) is not authenticated by the cookie
and is not concerned, nor is the login (`/api/v1/auth/token`, a password). A refusal is a 403 problem (`csrf`) and is audited."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from haiquan.deps import audit_refusal, bearer_credentials
from haiquan.kit.errors import problem_response
from haiquan.web.session import SESSION_COOKIE, csrf_token

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Authenticated by what they carry (a password), never by the cookie; the token is answered in the body.
NOT_BY_COOKIE = frozenset({"/api/v1/auth/token"})
HEADER = "x-csrf-token"
REFUSED = (
    "a change authenticated by the session cookie needs an Origin naming this site or the session's "
    "X-CSRF-Token header"
)


def session_cookie(request: Request) -> str | None:
    raw = request.headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header: no session cookie to speak of
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def same_site(request: Request) -> bool:
    """The Origin header (or the Referer's origin, when a browser sent no Origin) names this host."""
    host = request.headers.get("host", "").lower()
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or not host or origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def cookie_change_allowed(request: Request, secret: str) -> bool:
    """False only for a state change under /api/ whose caller is the session cookie and that carries
    neither a same-site Origin nor the session's CSRF token."""
    path = request.url.path
    if request.method not in CHANGES or not path.startswith("/api/") or path in NOT_BY_COOKIE:
        return True
    if bearer_credentials(request) is not None:
        return True
    cookie = session_cookie(request)
    if cookie is None:
        return True  # not authenticated by the cookie: the route answers 401 as usual
    given = request.headers.get(HEADER, "")
    if given and hmac.compare_digest(given, csrf_token(secret, cookie)):
        return True
    return same_site(request)


class CookieCsrf:
    """Plain ASGI middleware in front of the routes; `secret` gives the key the CSRF tokens are made with."""

    def __init__(self, app: ASGIApp, secret: Callable[[], str]) -> None:
        self.app, self.secret = app, secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in CHANGES:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if cookie_change_allowed(request, self.secret()):
            await self.app(scope, receive, send)
            return
        await run_in_threadpool(audit_refusal, scope["app"].state.db, request, "session-cookie", REFUSED)
        await problem_response(403, "csrf", REFUSED, field="X-CSRF-Token")(scope, receive, send)
