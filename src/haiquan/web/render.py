"""Rendering of the server-side pages: the Jinja2 environment (autoescape on), its filters (VND money,
Vietnam time, labels), the page context every template gets, flash messages and security headers.

Other modules render their pages with `render(request, "their.html", {...})` after
`add_template_dir(path)`; their templates `{% extends "base.html" %}`."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from haiquan.kit.clock import to_vn
from haiquan.web import i18n, nav

TEMPLATES = Path(__file__).parent / "templates"
FLASH_COOKIE = "hq_flash"
# Scripts only from the site, or inline with the page's nonce (`<script nonce="{{ csp_nonce }}">`, for
# dashboards that call Plotly); inline styles are allowed because Plotly injects its own. Requests go to
# this site only (connect-src): no script on a page sends data to a third party.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_loaders: list[FileSystemLoader] = [FileSystemLoader(str(TEMPLATES))]
env = Environment(
    loader=ChoiceLoader(_loaders),  # the list is shared: add_template_dir() extends it
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def add_template_dir(path: Path | str) -> None:
    """Let another module's templates be found (its own directory is searched after ours)."""
    if all(str(path) not in loader.searchpath for loader in _loaders):
        _loaders.append(FileSystemLoader(str(path)))


# ---------------------------------------------------------------- formatting


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def format_number(value: Decimal | int | float | str | None, lang: str, places: int | None = None) -> str:
    """Thousands separators as the language writes them: 1.234,5 (vi), 1,234.5 (en). With `places`
    None, trailing zeros go (50.0000 → 50)."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    thousands, decimal = (".", ",") if lang != "en" else (",", ".")
    return sign + _group(whole, thousands) + (decimal + frac if frac else "")


def format_vnd(value: Decimal | int | str | None, lang: str) -> str:
    """Whole dong: "21.320.000 ₫" in Vietnamese, "21,320,000 VND" in English."""
    if value is None or value == "":
        return "—"
    text = format_number(Decimal(str(value)).quantize(Decimal(1)), lang, 0)
    return f"{text} ₫" if lang != "en" else f"{text} VND"


def format_rate(value: Decimal | int | str | None, lang: str) -> str:
    return "—" if value is None else f"{format_number(value, lang)}%"


def format_time(value: datetime | None, lang: str = "vi") -> str:
    """An instant in Vietnam time: 05/03/2026 14:30."""
    if value is None:
        return "—"
    return to_vn(value).strftime("%d/%m/%Y %H:%M")


def format_duration(seconds: int | None, lang: str) -> str:
    """Time left before a legal limit, or how far past it: "còn 1 giờ 20 phút", "quá hạn 15 phút"."""
    if seconds is None:
        return "—"
    s = abs(seconds)
    d, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    if d:
        text = i18n.t("time.d", lang, d=d, h=h)
    elif h:
        text = i18n.t("time.hm", lang, h=h, m=m)
    else:
        text = i18n.t("time.m", lang, m=m)
    return i18n.t("time.left" if seconds >= 0 else "time.over", lang, time=text)


def urgency(seconds: int | None) -> str:
    """CSS class of the time left: overdue, under 30 minutes, or in time."""
    if seconds is None:
        return "none"
    if seconds < 0:
        return "late"
    return "soon" if seconds < 1800 else "ok"


@pass_context
def _vnd(ctx: Context, value: Any) -> str:
    return format_vnd(value, ctx.get("lang", i18n.DEFAULT_LANG))


@pass_context
def _num(ctx: Context, value: Any, places: int | None = None) -> str:
    return format_number(value, ctx.get("lang", i18n.DEFAULT_LANG), places)


@pass_context
def _rate(ctx: Context, value: Any) -> str:
    return format_rate(value, ctx.get("lang", i18n.DEFAULT_LANG))


@pass_context
def _time(ctx: Context, value: Any) -> str:
    return format_time(value, ctx.get("lang", i18n.DEFAULT_LANG))


@pass_context
def _duration(ctx: Context, value: Any) -> str:
    return format_duration(value, ctx.get("lang", i18n.DEFAULT_LANG))


@pass_context
def _label(ctx: Context, value: Any, group: str) -> str:
    return i18n.label(group, value, ctx.get("lang", i18n.DEFAULT_LANG))


@pass_context
def _localized(ctx: Context, value: Any) -> str:
    """A dict carrying `vi` and `en` texts (e.g. a channel reason) in the page's language."""
    if not isinstance(value, dict):
        return str(value)
    lang = ctx.get("lang", i18n.DEFAULT_LANG)
    return str(value.get(lang) or value.get("vi") or value.get("en") or "")


env.filters.update(
    vnd=_vnd,
    num=_num,
    rate=_rate,
    vntime=_time,
    duration=_duration,
    label=_label,
    localized=_localized,
    urgency=urgency,
)


# ---------------------------------------------------------------- pages


def lang_url(request: Request, lang: str) -> str:
    """The current page in another language."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}"


def url_path(app: Any, name: str, **params: Any) -> str:
    """`app.url_path_for(name, **params)`, from a remembered pattern: asking the routes cost ~5 ms a call
    (a list page links every row). The pattern is the route's path with marker values; a value that its
    str convertor would refuse ('/', empty), a route whose convertor refuses the marker (int, uuid) or no
    route at all goes to the routes themselves. Forgotten whenever the app's route count changes."""
    known: tuple[int, dict[Any, str | None]] | None = getattr(app.state, "url_patterns", None)
    if known is None or known[0] != len(app.routes):
        known = app.state.url_patterns = (len(app.routes), {})
    key = (name, tuple(sorted(params)))
    if key not in known[1]:
        try:
            known[1][key] = str(app.url_path_for(name, **{k: f"\x00{k}\x00" for k in params}))
        except Exception:  # int/uuid convertors refuse the marker; NoMatchFound is raised below
            known[1][key] = None
    pattern, values = known[1][key], {k: str(v) for k, v in params.items()}
    if pattern is None or any(not v or "/" in v or "\x00" in v for v in values.values()):
        return str(app.url_path_for(name, **params))
    for k, v in values.items():
        pattern = pattern.replace(f"\x00{k}\x00", v)
    return pattern


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    lang = i18n.lang_of(request)
    principal = getattr(request.state, "principal", None)
    flash_key = request.cookies.get(FLASH_COOKIE)
    nonce = secrets.token_urlsafe(16)
    page: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": lambda key, **kw: i18n.t(key, lang, **kw),
        "user": principal,
        "unit_name": getattr(request.state, "unit_names", {}).get(lang, ""),
        "nav": (items := nav.items_for(request.app, principal)),
        "nav_current": nav.current(items, request.url.path),
        "csrf": getattr(request.state, "csrf", ""),
        "flash": i18n.t(flash_key, lang) if flash_key in i18n.MESSAGES else None,
        "lang_urls": {code: lang_url(request, code) for code in i18n.LANGS},
        "path": request.url.path,
        "url": lambda name, **params: url_path(request.app, name, **params),
        "csp_nonce": nonce,
    }
    page.update(context)
    html = env.get_template(template).render(page)
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": CSP.format(nonce=nonce)}
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if flash_key:
        response.delete_cookie(FLASH_COOKIE, path="/")
    asked = i18n.normalize(request.query_params.get("lang"))
    if asked and asked != request.cookies.get(i18n.COOKIE):
        response.set_cookie(i18n.COOKIE, asked, max_age=365 * 86400, path="/", samesite="lax")
    return response


def set_flash(response: Response, key: str) -> None:
    """A one-time message shown on the next page (a catalogue key, never free text)."""
    response.set_cookie(FLASH_COOKIE, key, max_age=60, path="/", httponly=True, samesite="strict")
