"""The trader portal through HTTP, on SQLite and PostgreSQL: staff sign in with their enterprise's scope
and never see another enterprise's records, on any portal route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry
from haiquan.portal import account_pages, application_pages, pages, tax_pages
from tests.portal.helpers import STAFF_PASSWORD, add_staff, csrf_of, sign_in
from tests.support import World
from tests.web.helpers import login, registered

OWN, OTHER = "0100109106", "0200519875"


def portal_routes() -> list[tuple[str, str]]:
    """Every portal route but the sign-in form, from the portal's routers."""
    return sorted(
        (method, route.path)
        for router in (pages.router, account_pages.router, tax_pages.router, application_pages.router)
        for route in router.routes
        if isinstance(route, APIRoute) and route.path != "/portal/login"
        for method in route.methods or ()
    )


def test_every_portal_page_asks_for_a_staff_sign_in(world: World, client: TestClient, app: Any) -> None:
    routes = portal_routes()
    assert len(routes) >= 24
    for method, path in routes:
        url = path.replace("{number}", "100000000016").replace("{key_id}", "0123456789ab")
        url = url.replace("{application_id}", "a" * 32).replace("{document_id}", "b" * 32)
        r = client.request(method, url.replace("{username}", "lan"), follow_redirects=False)
        assert r.status_code == 303, (method, path)
        assert r.headers["location"].startswith("/portal/login?next="), (method, path)
    # an officer's session is no staff session: the portal refuses it, and the officer keeps their own
    login(client, "nb_leader")
    r = client.get("/portal", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/portal/login")


def test_sign_in_is_checked_throttled_and_audited(world: World, client: TestClient, app: Any) -> None:
    add_staff(app, OWN, "lan.admin")
    bad = sign_in(client, "lan.admin", "wrong-password")
    assert bad.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in bad.text
    ok = sign_in(client, "lan.admin")
    assert ok.status_code == 303
    assert ok.headers["location"] == "/portal"
    cookie = ok.headers["set-cookie"]
    assert "hq_portal=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    home = client.get("/portal")
    assert home.status_code == 200
    assert "Công ty Cổ phần Hàng không Việt" in home.text
    assert "/queue" not in home.text  # no officer entry in the navigation
    # the portal cookie opens no officer page and no API route
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/declarations", follow_redirects=False).status_code == 401
    with app.state.db.unit_of_work() as uow:
        refused = uow.session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "auth.login")).all()
    assert list(refused) == ["staff:lan.admin"]
    client.cookies.clear()
    for _ in range(3):
        sign_in(client, "lan.admin", "wrong-password")
    assert sign_in(client, "lan.admin", "wrong-password").status_code == 429


def test_staff_see_their_declarations_and_payments_due_only(
    world: World, client: TestClient, app: Any
) -> None:
    numbers = registered(world, app, "green", count=2)
    add_staff(app, OWN, "own.viewer", role="viewer")
    add_staff(app, OTHER, "other.admin")
    sign_in(client, "own.viewer")
    page = client.get("/portal/declarations")
    assert page.status_code == 200
    assert all(n in page.text for n in numbers)
    one = client.get(f"/portal/declarations/{numbers[0]}")
    assert one.status_code == 200
    assert numbers[0] in one.text
    assert client.get(f"/portal/declarations?q={numbers[1]}").text.count(numbers[1]) >= 1
    due = client.get("/portal/payments")
    assert due.status_code == 200
    assert 'class="v mono payment-ref"' in due.text
    assert client.get("/portal/keys").status_code == 403  # a viewer manages no keys
    assert client.get("/portal/staff").status_code == 403

    sign_in(client, "other.admin")
    for path in ("/portal", "/portal/declarations", "/portal/payments", "/portal/notifications"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert not any(n in r.text for n in numbers), path
    assert client.get(f"/portal/declarations/{numbers[0]}").status_code == 404
    assert f"/portal/declarations/{numbers[0]}" not in client.get(f"/portal/declarations?q={numbers[0]}").text


def test_an_admin_issues_and_revokes_an_api_key(world: World, client: TestClient, app: Any) -> None:
    add_staff(app, OWN, "lan.admin")
    add_staff(app, OTHER, "other.admin")
    sign_in(client, "lan.admin")
    page = client.get("/portal/keys")
    form = {"csrf": csrf_of(page.text), "label": "ERP", "scopes": ["read"]}
    issued = client.post("/portal/keys", data=form)
    assert issued.status_code == 201
    key = issued.text.split('class="issued-key">')[1].split("<")[0]
    assert key.startswith("hq_")
    headers = {"Authorization": f"Bearer {key}"}
    mine = client.get("/api/v1/declarations", headers=headers)
    assert mine.status_code == 200
    assert client.post("/api/v1/declarations", headers=headers, json={}).status_code == 403  # read only
    key_id = key[3:15]
    # another enterprise's admin cannot revoke it
    other = TestClient(app)
    sign_in(other, "other.admin")
    csrf = csrf_of(other.get("/portal/keys").text)
    assert other.post(f"/portal/keys/{key_id}/revoke", data={"csrf": csrf}).status_code == 404
    revoked = client.post(
        f"/portal/keys/{key_id}/revoke", data={"csrf": form["csrf"]}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/declarations", headers=headers).status_code == 401
    with app.state.db.unit_of_work() as uow:
        actors = uow.session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action.in_(["enterprise.api_key_issued", "enterprise.api_key_revoked"])
            )
        ).all()
    assert list(actors).count("staff:lan.admin") == 2  # issued and revoked, in the staff member's name


def test_the_admin_manages_staff_and_a_deactivation_ends_sessions(
    world: World, client: TestClient, app: Any
) -> None:
    add_staff(app, OWN, "lan.admin")
    add_staff(app, OTHER, "other.admin")
    sign_in(client, "lan.admin")
    csrf = csrf_of(client.get("/portal/staff").text)
    weak = client.post(
        "/portal/staff", data={"csrf": csrf, "username": "mai", "role": "accountant", "password": "short"}
    )
    assert weak.status_code == 422
    data = {"csrf": csrf, "username": "mai.ketoan", "role": "accountant", "password": "mat-khau-ke-toan",
            "full_name": "Nguyễn Thị Mai"}  # fmt: skip
    assert client.post("/portal/staff", data=data, follow_redirects=False).status_code == 303
    assert "mai.ketoan" in client.get("/portal/staff").text
    mai = TestClient(app)
    assert sign_in(mai, "mai.ketoan", "mat-khau-ke-toan").status_code == 303
    assert mai.get("/portal/payments").status_code == 200
    # another enterprise's admin does not see or change her
    other = TestClient(app)
    sign_in(other, "other.admin")
    assert "mai.ketoan" not in other.get("/portal/staff").text
    other_csrf = csrf_of(other.get("/portal/staff").text)
    assert other.post("/portal/staff/mai.ketoan", data={"csrf": other_csrf, "active": "0"}).status_code == 404
    off = client.post("/portal/staff/mai.ketoan", data={"csrf": csrf, "active": "0"}, follow_redirects=False)
    assert off.status_code == 303
    r = mai.get("/portal/payments", follow_redirects=False)
    assert r.status_code == 303
    assert "expired=1" in r.headers["location"]
    # the admin cannot lock themselves out
    assert client.post("/portal/staff/lan.admin", data={"csrf": csrf, "active": "0"}).status_code == 422


def test_customs_adds_the_first_admin_from_the_command_line(
    world: World, app: Any, client: TestClient, cli_db: Database
) -> None:
    argv = [
        "enterprise",
        "staff-add",
        "--tax-code",
        OWN,
        "--username",
        "Ha.Admin",
        "--full-name",
        "Trần Thu Hà",
    ]
    done = CliRunner().invoke(cli.app, argv, input=STAFF_PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert "portal account Ha.Admin added to 0100109106 as admin" in done.output
    again = CliRunner().invoke(cli.app, argv, input=STAFF_PASSWORD + "\n")
    assert again.exit_code == 2
    assert "username" in again.output
    assert sign_in(client, "ha.admin").status_code == 303  # usernames are kept in lower case
    assert "Trần Thu Hà" in client.get("/portal/staff").text


def test_a_staff_session_ends_when_idle_and_at_sign_out(world: World, client: TestClient, app: Any) -> None:
    start = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    clock.freeze(start)
    add_staff(app, OWN, "lan.admin")
    sign_in(client, "lan.admin")
    clock.freeze(start + timedelta(minutes=20))
    assert client.get("/portal").status_code == 200  # a use: the idle time starts again
    clock.freeze(start + timedelta(minutes=45))
    assert client.get("/portal").status_code == 200
    clock.freeze(start + timedelta(minutes=80))
    idle = client.get("/portal", follow_redirects=False)
    assert idle.status_code == 303
    assert "expired=1" in idle.headers["location"]
    sign_in(client, "lan.admin")
    token = client.cookies["hq_portal"]
    csrf = csrf_of(client.get("/portal").text)
    out = client.post("/portal/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/portal/login"
    client.cookies.set("hq_portal", token)  # a copy of the cookie is refused from now on
    assert client.get("/portal", follow_redirects=False).status_code == 303
