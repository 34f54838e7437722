"""The catalogue, the formats and the navigation registry, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from haiquan.declarations.domain import Channel, DecisionKind, Status
from haiquan.kit.auth import Principal, Role, Scope
from haiquan.web import i18n, nav
from haiquan.web.render import env, format_duration, format_number, format_time, format_vnd, urgency
from haiquan.web.session import check_csrf, csrf_token, safe_next


def _request(query: str = "", cookie: str = "") -> Request:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return Request({"type": "http", "query_string": query.encode(), "headers": headers, "path": "/"})


def test_every_message_and_label_has_both_languages() -> None:
    for key, (vi, en) in i18n.MESSAGES.items():
        assert vi.strip(), key
        assert en.strip(), key
    for group in ("status", "channel", "decision", "role"):
        for vi, en in i18n.LABELS[group].values():
            assert vi.strip(), group
            assert en.strip(), group
            assert vi != en or vi == "—", group
    assert {s.value for s in Status} <= set(i18n.LABELS["status"])
    assert {c.value for c in Channel} <= set(i18n.LABELS["channel"])
    assert {k.value for k in DecisionKind} <= set(i18n.LABELS["decision"])
    assert {r.value for r in Role} <= set(i18n.LABELS["role"])


def test_labels_in_each_language() -> None:
    assert i18n.label("channel", "yellow") == "Luồng vàng"
    assert i18n.label("channel", "red", "en") == "Red"
    assert i18n.label("status", "cleared") == "Đã thông quan"
    assert i18n.label("status", "duty_payment_reference_issued") == "Chờ nộp thuế"
    assert i18n.label("action", "reject", "en") == "Reject"  # decisions double as history actions
    assert i18n.label("status", "something_new") == "something_new"
    assert i18n.t("queue.count", "vi", count=3) == "3 tờ khai"
    assert i18n.t("no.such.key", "en") == "no.such.key"


def test_language_from_query_then_cookie_then_vietnamese() -> None:
    assert i18n.lang_of(_request()) == "vi"
    assert i18n.lang_of(_request(cookie="hq_lang=en")) == "en"
    assert i18n.lang_of(_request("lang=vi", cookie="hq_lang=en")) == "vi"
    assert i18n.lang_of(_request("lang=fr")) == "vi"


def test_other_modules_add_messages_but_cannot_redefine_them() -> None:
    i18n.add_messages({"test.hello": ("Xin chào", "Hello")})
    i18n.add_messages({"test.hello": ("Xin chào", "Hello")})  # same words: fine
    assert i18n.t("test.hello", "en") == "Hello"
    with pytest.raises(ValueError, match="already defined"):
        i18n.add_messages({"nav.queue": ("Khác", "Other")})


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (Decimal("21320000"), "21.320.000 ₫", "21,320,000 VND"),
        (Decimal("21320000.4999"), "21.320.000 ₫", "21,320,000 VND"),
        (Decimal("999"), "999 ₫", "999 VND"),
        (Decimal("-1234567"), "-1.234.567 ₫", "-1,234,567 VND"),
        (0, "0 ₫", "0 VND"),
    ],
)
def test_money_in_vnd(value: Decimal, vi: str, en: str) -> None:
    assert format_vnd(value, "vi") == vi
    assert format_vnd(value, "en") == en


def test_numbers_rates_times_and_durations() -> None:
    assert format_number(Decimal("10000.0000"), "vi", 2) == "10.000,00"
    assert format_number(Decimal("10000.5"), "en") == "10,000.5"
    assert format_number(Decimal("50.0000"), "vi") == "50"
    assert format_number(None, "vi") == "—"
    # 03:30 UTC is 10:30 in Hà Nội
    assert format_time(datetime(2026, 3, 5, 3, 30, tzinfo=UTC)) == "05/03/2026 10:30"
    assert format_duration(4800, "vi") == "còn 1 giờ 20 phút"
    assert format_duration(-900, "vi") == "quá hạn 15 phút"
    assert format_duration(-900, "en") == "15 min overdue"
    assert format_duration(2 * 86400 + 3600, "en") == "2 d 1 h left"
    assert [urgency(s) for s in (None, -1, 60, 7200)] == ["none", "late", "soon", "ok"]


def test_templates_escape_what_they_are_given() -> None:
    html = env.from_string("<p>{{ x }}</p>").render(x="<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert env.from_string("{{ v|vnd }}").render(v=Decimal("1500000"), lang="en") == "1,500,000 VND"
    assert env.from_string("{{ r|localized }}").render(r={"vi": "Ngẫu nhiên", "en": "Random"}, lang="en") == (
        "Random"
    )


def test_csrf_token_is_bound_to_the_session() -> None:
    a = csrf_token("secret", "session-a")
    check_csrf("secret", "session-a", a)
    for basis, given in (("session-b", a), ("session-a", ""), (None, a), ("session-a", None)):
        with pytest.raises(Exception, match="CSRF"):
            check_csrf("secret", basis, given)
    assert csrf_token("other-secret", "session-a") != a


def test_only_local_paths_are_followed_after_login() -> None:
    assert safe_next("/declarations/123") == "/declarations/123"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil", "", None):
        assert safe_next(bad) == "/queue"


def test_nav_shows_registered_links_whose_route_exists() -> None:
    app = FastAPI()

    @app.get("/queue")
    def _q() -> None: ...

    @app.get("/risk")
    def _r() -> None: ...

    officer = Principal("officer", "1", "o", Scope(units=None), unit="00", role="officer")
    analyst = Principal("officer", "2", "a", Scope(units=None), unit="00", role="analyst")
    saved = list(nav.NAV)
    nav.register("nav.risk", "/risk", roles=["analyst"])
    try:
        assert [i.path for i in nav.items_for(app, officer)] == ["/queue"]  # no /declarations route here
        assert [i.path for i in nav.items_for(app, analyst)] == ["/queue", "/risk"]
        assert nav.items_for(app, None) == []
    finally:
        nav.NAV[:] = saved
