"""What the web layer adds to the app: static files, the pages' scripts and styles at content-hashed URLs
(web.hashed: gzip, a year's immutable caching), and HTML answers to errors met by a person's browser: a
redirect to /login instead of a 401, the Vietnamese error page instead of problem+json (never an HTTP
code's JSON shown to a person)."""

from __future__ import annotations

import inspect
from datetime import date
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.exceptions import HTTPException as StarletteHTTPException

from haiquan.kit import errors
from haiquan.web import hashed, i18n
from haiquan.web.render import env, render
from haiquan.web.session import SESSION_COOKIE, LoginRequired

STATIC = hashed.STATIC
NOT_PAGES = ("/api/", "/static/", "/assets/", "/healthz", "/metrics", "/openapi.json", "/docs")


def _asset(request: Request, name: str) -> Response:
    asset = hashed.by_url().get(hashed.PREFIX + name)
    if asset is None:
        raise StarletteHTTPException(404, "no such asset")
    headers = {"ETag": asset.etag, "Cache-Control": hashed.IMMUTABLE, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.raw, media_type=asset.media_type, headers=headers)


def install(app: FastAPI) -> None:
    """Mount the static files and route page errors to HTML. Call after the error handlers exist."""
    app.add_api_route(hashed.PREFIX + "{name}", _asset, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    env.globals["asset"] = hashed.url
    env.filters["actor"] = _actor
    env.filters["vndate"] = _vndate
    _html_errors(app)


@pass_context
def _actor(ctx: Context, value: str | None, names: dict[str, str] | None = None) -> str:
    """`{{ h.actor|actor(names) }}`: an event's actor in words (i18n.actor_label)."""
    return i18n.actor_label(value, names, ctx.get("lang", i18n.DEFAULT_LANG))


def _vndate(value: date | str | None) -> str:
    """A day as Vietnam writes it, 07/12/2026 (a date or an ISO string)."""
    if not value:
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")


def wants_page(request: Request) -> bool:
    """A person's browser: a page route said so (PageCtx), or a GET for HTML outside the API."""
    if getattr(request.state, "html", False):
        return True
    path = request.url.path
    if path.startswith(NOT_PAGES) or request.headers.get("authorization"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, status: int, key: str, fallback: str) -> Response:
    lang = i18n.lang_of(request)
    if fallback in i18n.PROBLEMS or key not in i18n.MESSAGES:  # a known detail says more than its code
        message = i18n.problem_text(fallback, lang)
    else:
        message = i18n.t(key, lang)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _html_errors(app: FastAPI) -> None:
    base = app.exception_handlers[errors.DomainError]
    base_http = app.exception_handlers[StarletteHTTPException]
    base_validation = app.exception_handlers[RequestValidationError]

    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.DomainError)
        result = base(request, exc)  # the JSON answer; for a 403 it also writes the audit entry
        answer: Response = await result if inspect.isawaitable(result) else result
        if not wants_page(request):
            return answer
        if exc.status == 401:
            return _to_login(request.url.path, expired=True)
        key = f"error.{exc.code}" if f"error.{exc.code}" in i18n.MESSAGES else f"error.{exc.status}"
        return _error_page(request, exc.status, key, exc.message)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not wants_page(request):
            result = base_http(request, exc)
            return await result if inspect.isawaitable(result) else result
        return _error_page(request, exc.status_code, f"error.{exc.status_code}", str(exc.detail))

    async def validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not wants_page(request):
            result = base_validation(request, exc)
            return await result if inspect.isawaitable(result) else result
        return _error_page(request, 422, "error.422", "")

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return _to_login(exc.next_path, expired=exc.expired, login=exc.login, cookie=exc.cookie)

    app.add_exception_handler(errors.DomainError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(LoginRequired, login_required)


def _to_login(
    next_path: str, *, expired: bool, login: str = "/login", cookie: str = SESSION_COOKIE
) -> RedirectResponse:
    url = login + "?next=" + quote(next_path, safe="/")
    if expired:
        url += "&expired=1"
    response = RedirectResponse(url, status_code=303)
    if expired:
        response.delete_cookie(cookie, path="/")
    return response
