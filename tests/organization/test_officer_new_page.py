"""The administrator creates an officer's account from the page and through the API (the same service):
the first password shown once and usable at login, the account in the administrator's scope only (another
unit named on the form, another unit's officer not found), wrong input named, the creation an event and an
audit entry; another role refused; deactivation and reactivation from the officer's page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.tables import OfficerRow
from tests.support import PASSWORD, World
from tests.web.helpers import csrf_of, login

ISSUED = re.compile(r'<code class="issued-password">([^<]+)</code>')


def _officer(app: Any, username: str) -> OfficerRow | None:
    with app.state.db.unit_of_work() as uow:
        row = uow.session.scalars(select(OfficerRow).where(OfficerRow.username == username)).one_or_none()
        if row is not None:
            uow.session.expunge(row)
        return row


def _hn_admin(app: Any) -> None:
    with app.state.db.unit_of_work() as uow:
        org.add_officer(
            uow.session, username="hn_admin", unit="01", role="administrator", password=PASSWORD, actor="t"
        )
        uow.commit()


def test_admin_creates_an_officer_who_logs_in_with_the_password_shown_once(
    world: World, app: Any, client: TestClient
) -> None:
    login(client, "admin")
    assert 'href="/admin/officers/new"' in client.get("/admin/officers").text
    form = client.get("/admin/officers/new")
    assert form.status_code == 200
    csrf = csrf_of(form.text)
    base = {
        "csrf": csrf,
        "username": "NB_Officer3",
        "full_name": "Trần Thị Lan",
        "unit": "01AB",
        "role": "officer",
    }
    bad = client.post("/admin/officers/new", data=base | {"username": "a b", "role": "chief"})
    assert bad.status_code == 422
    assert "Tên đăng nhập: " in bad.text
    taken = client.post("/admin/officers/new", data=base | {"username": "nb_officer1"})
    assert taken.status_code == 409
    assert "Tên đăng nhập: Tên đăng nhập đã có người dùng" in taken.text
    role = client.post("/admin/officers/new", data=base | {"role": "chief"})
    assert "Vai trò: Vai trò không hợp lệ" in role.text
    assert _officer(app, "nb_officer3") is None
    ok = client.post("/admin/officers/new", data=base)
    assert ok.status_code == 201
    assert "Đã tạo tài khoản công chức nb_officer3" in ok.text
    password = ISSUED.search(ok.text)
    assert password
    assert "issued-password" not in client.get("/admin/officers/new").text  # never shown again
    row = _officer(app, "nb_officer3")
    assert row is not None
    assert (row.full_name, row.unit, row.role, row.active) == ("Trần Thị Lan", "01AB", "officer", True)
    with app.state.db.unit_of_work() as uow:
        events = uow.session.scalars(
            select(OutboxEvent.actor).where(OutboxEvent.type == "organization.officer_added",
                                            OutboxEvent.payload["username"].as_string() == "nb_officer3")
        )  # fmt: skip
        assert list(events) == ["officer:admin"]
        audits = uow.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.target == "officer:nb_officer3")
        )
        assert list(audits) == ["officer:admin"]
    csrf = csrf_of(client.get("/admin/officers/nb_officer3").text)
    off = client.post("/admin/officers/nb_officer3", data={"csrf": csrf, "role": "officer", "unit": "01AB"})
    assert "Đã khóa" in off.text
    on = client.post("/admin/officers/nb_officer3", data={"csrf": csrf, "role": "officer", "unit": "01AB",
                                                           "active": "1", "on_roster": "1"})  # fmt: skip
    assert "Đang hoạt động" in on.text
    assert login(client, "nb_officer3", password.group(1)).status_code == 303


def test_scope_roles_and_the_api(world: World, app: Any, client: TestClient) -> None:
    _hn_admin(app)
    login(client, "hn_admin")
    csrf = csrf_of(client.get("/admin/officers/new").text)
    data = {"csrf": csrf, "username": "hp_new", "full_name": "Lê Văn Hải", "unit": "03CC", "role": "officer"}
    out = client.post("/admin/officers/new", data=data)
    assert out.status_code == 422
    assert "Đơn vị: Đơn vị không tồn tại hoặc ngoài phạm vi của bạn" in out.text
    assert _officer(app, "hp_new") is None
    page = client.get("/admin/officers/hp_officer")
    assert page.status_code == 404
    assert "Không tìm thấy trong phạm vi của bạn" in page.text
    login(client, "nb_leader")
    refused = client.get("/admin/officers/new")
    assert refused.status_code == 403
    assert "Bạn không có quyền" in refused.text
    r = client.post("/admin/officers/new", data=data | {"unit": "01AB"})
    assert r.status_code == 403
    assert _officer(app, "hp_new") is None
    body = {"username": "api_officer", "full_name": "Phạm Minh", "unit": "01AB", "role": "team_lead"}
    assert world.post("/api/v1/officers", world.off("nb_leader"), body).status_code == 403
    made = world.post("/api/v1/officers", world.off("admin"), body)
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "team_lead"
    assert len(made.json()["initial_password"]) >= 12
    again = world.post("/api/v1/officers", world.off("admin"), body)
    assert again.status_code == 409
    assert again.json()["field"] == "username"
