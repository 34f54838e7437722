"""The administrator's screens through HTTP: an officer deactivated (their sessions end), an API key
issued (shown once) and revoked, a bank connected and disabled, the audit log filtered by officer and
paged; another role refused, an officer out of scope not found."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.organization import service as org
from haiquan.organization.tables import ApiKeyRow, OfficerRow
from haiquan.payments.tables import BankRow
from tests.support import PASSWORD, World
from tests.web.helpers import csrf_of, login

KEY = re.compile(r'<code class="issued-key">([^<]+)</code>')


def _officer(app: Any, username: str) -> tuple[bool, str]:
    with app.state.db.unit_of_work() as uow:
        row = uow.session.scalars(select(OfficerRow).where(OfficerRow.username == username)).one()
        return row.active, row.role


def test_admin_deactivates_an_officer_and_reads_the_audit_log(
    world: World, app: Any, client: TestClient
) -> None:
    login(client, "admin")
    listing = client.get("/admin/officers?unit=01AB")
    assert 'href="/admin/officers/nb_officer2"' in listing.text
    assert "hp_officer" not in listing.text
    page = client.get("/admin/officers/nb_officer2")
    csrf = csrf_of(page.text)
    r = client.post("/admin/officers/nb_officer2", data={"csrf": csrf, "role": "officer", "unit": "01AB",
                                                          "on_roster": "1"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert _officer(app, "nb_officer2") == (False, "officer")
    assert "Đã lưu thay đổi tài khoản" in client.get(r.headers["location"]).text
    own = client.post(
        "/admin/officers/admin", data={"csrf": csrf, "role": "analyst", "unit": "00", "active": "1"}
    )
    assert own.status_code == 409
    assert "không thể tự khóa hoặc đổi vai trò" in own.text
    assert _officer(app, "admin") == (True, "administrator")
    wrong_unit = client.post(
        "/admin/officers/nb_officer1", data={"csrf": csrf, "role": "officer", "unit": "ZZ", "active": "1"}
    )
    assert wrong_unit.status_code == 422
    assert 'class="error-summary"' in wrong_unit.text
    audit = client.get("/admin/audit?officer=admin")
    assert "officer.deactivated" in audit.text
    assert "officer:nb_officer2" in audit.text
    assert "officer.deactivated" not in client.get("/admin/audit?officer=nb_leader").text
    units = client.get("/admin/units")
    assert "Noi Bai" not in units.text
    assert "Sân bay QT Nội Bài" in units.text


def test_admin_issues_a_key_shown_once_and_revokes_it(world: World, app: Any, client: TestClient) -> None:
    login(client, "admin")
    assert "0101248141" in client.get("/admin/enterprises?q=01012").text
    page = client.get("/admin/enterprises/0101248141/keys")
    csrf = csrf_of(page.text)
    none = client.post("/admin/enterprises/0101248141/keys", data={"csrf": csrf, "label": "x"})
    assert "Chọn ít nhất một quyền" in none.text
    r = client.post(
        "/admin/enterprises/0101248141/keys",
        data={"csrf": csrf, "label": "Hệ thống khai 2027", "scopes": "read"},
    )
    assert r.status_code == 201
    key = KEY.search(r.text)
    assert key, r.text
    assert client.get("/api/v1/me", headers={"X-API-Key": key.group(1)}).status_code == 200
    again = client.get("/admin/enterprises/0101248141/keys")
    assert key.group(1) not in again.text  # shown once
    with app.state.db.unit_of_work() as uow:
        row = uow.session.scalars(select(ApiKeyRow).where(ApiKeyRow.label == "Hệ thống khai 2027")).one()
        key_id, scopes = row.key_id, row.scopes
    assert scopes == "read"
    client.post(f"/admin/enterprises/0101248141/keys/{key_id}/revoke", data={"csrf": csrf})
    with app.state.db.unit_of_work() as uow:
        assert uow.session.get(ApiKeyRow, key_id).revoked_at is not None


def test_admin_connects_and_disables_a_bank(world: World, app: Any, client: TestClient) -> None:
    login(client, "admin")
    csrf = csrf_of(client.get("/admin/banks").text)
    r = client.post("/admin/banks", data={"csrf": csrf, "code": "TCB", "name": "Techcombank", "tax_code": "0100230800",
                                          "round_the_clock": "1"})  # fmt: skip
    assert r.status_code == 201, r.text
    assert KEY.search(r.text)
    short = client.post("/admin/banks/TCB/disable", data={"csrf": csrf, "reason": "x"})
    assert short.status_code == 422
    client.post("/admin/banks/TCB/disable", data={"csrf": csrf, "reason": "Hết hợp đồng"})
    with app.state.db.unit_of_work() as uow:
        assert uow.session.get(BankRow, "TCB").active is False


def test_roles_and_scope(world: World, app: Any, client: TestClient) -> None:
    login(client, "nb_leader")
    for path in (
        "/admin",
        "/admin/officers",
        "/admin/audit",
        "/admin/banks",
        "/admin/enterprises/0101248141/keys",
    ):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Bạn không có quyền truy cập trang này" in page.text
    login(client, "admin")
    assert client.get("/admin/officers/nobody").status_code == 404
    with app.state.db.unit_of_work() as uow:  # an administrator of the Hanoi department only
        org.add_officer(
            uow.session, username="hn_admin", unit="01", role="administrator", password=PASSWORD, actor="t"
        )
        uow.commit()
    login(client, "hn_admin")
    assert "hp_officer" not in client.get("/admin/officers").text
    theirs = client.get("/admin/officers/hp_officer")
    assert theirs.status_code == 404
    assert "Không tìm thấy trong phạm vi của bạn" in theirs.text
    csrf = csrf_of(client.get("/admin/officers").text)
    r = client.post("/admin/officers/hp_officer", data={"csrf": csrf, "role": "officer", "unit": "03CC"})
    assert r.status_code == 404
    assert _officer(app, "hp_officer") == (True, "officer")
    login(client, "admin")
    home = client.get("/admin")
    assert 'href="/admin"' in home.text  # the nav entry, for administrators only
    assert "Audit log" in client.get("/admin/audit?lang=en").text
