"""What the web layer adds to the app: static files, Plotly's JavaScript from the installed package,
and HTML answers to errors raised on pages (a redirect to /login instead of a JSON 401)."""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from haiquan.kit import errors
from haiquan.web import i18n
from haiquan.web.render import render
from haiquan.web.session import SESSION_COOKIE, LoginRequired

STATIC = Path(__file__).parent / "static"
PLOTLY_PATH = "/static/vendor/plotly.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> tuple[bytes, str]:
    """Plotly's bundle as the installed `plotly` package ships it (never a CDN, never a copy in the repo)."""
    data = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _plotly(request: Request) -> Response:
    data, etag = plotly_js()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="text/javascript", headers=headers)


def install(app: FastAPI) -> None:
    """Mount the static files and route page errors to HTML. Call after the error handlers exist."""
    app.add_api_route(PLOTLY_PATH, _plotly, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _html_errors(app)


def _html_errors(app: FastAPI) -> None:
    base = app.exception_handlers[errors.DomainError]

    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.DomainError)
        result = base(request, exc)  # the JSON answer; for a 403 it also writes the audit entry
        answer: Response = await result if inspect.isawaitable(result) else result
        if not getattr(request.state, "html", False):
            return answer
        if exc.status == 401:
            return _to_login(request.url.path, expired=True)
        lang = i18n.lang_of(request)
        key = f"error.{exc.code}" if f"error.{exc.code}" in i18n.MESSAGES else f"error.{exc.status}"
        message = i18n.t(key, lang) if key in i18n.MESSAGES else exc.message
        return render(
            request, "error.html", {"status": exc.status, "message": message}, status_code=exc.status
        )

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return _to_login(exc.next_path, expired=exc.expired)

    app.add_exception_handler(errors.DomainError, domain)
    app.add_exception_handler(LoginRequired, login_required)


def _to_login(next_path: str, *, expired: bool) -> RedirectResponse:
    url = "/login?next=" + quote(next_path, safe="/")
    if expired:
        url += "&expired=1"
    response = RedirectResponse(url, status_code=303)
    if expired:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response
