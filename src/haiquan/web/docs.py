"""`GET /docs`: Swagger UI for the OpenAPI document, its files served from the installed `swagger-ui-py`
package at /static/swagger-ui (never a CDN at run time, never a copy in the repo). The page talks to no
other host: the online validator is off, and its Content-Security-Policy lets it load and connect to this
site only (its one inline script allowed by hash)."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PREFIX = "/static/swagger-ui"
CSP = (
    "default-src 'self'; script-src 'self' '{script}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def swagger_ui_dir() -> Path:
    return Path(str(resources.files("swagger_ui") / "static"))


@lru_cache(maxsize=4)
def docs_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The page and its Content-Security-Policy (the same for the life of the process)."""
    html = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the public validator
    ).body
    inline = re.findall(rb"<script>(.*?)</script>", bytes(html), re.S)
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    return bytes(html), CSP.format(script=f"sha256-{digest}")


def install(app: FastAPI) -> None:
    """Mount Swagger UI's files (before /static, which would otherwise answer for them) and the page."""
    app.mount(PREFIX, StaticFiles(directory=swagger_ui_dir()), name="swagger-ui")
    openapi_url = app.openapi_url or "/openapi.json"

    def docs() -> HTMLResponse:
        html, csp = docs_page(openapi_url, f"{app.title} - API")
        return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
