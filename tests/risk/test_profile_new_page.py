"""The analyst adds a risk profile from its page: the criteria tested on past declarations before saving
(nothing saved by the test), wrong input named on the page (criteria, unit, an ID taken), the profile
saved through the API's service (version 1, audited); an officer refused as by the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.support import World
from tests.web.helpers import csrf_of, login

from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry
from haiquan.risk import profiles
from haiquan.risk.tables import ProfileRow

CRITERIA = "hs starts 8703 and origin in (JP, KR) -> red"


def _ids(app: Any) -> list[str]:
    with app.state.db.unit_of_work() as uow:
        return list(uow.session.scalars(select(ProfileRow.id)))


def test_analyst_tests_then_adds_a_profile(world: World, app: Any, client: TestClient) -> None:
    login(client, "analyst")
    listing = client.get("/risk/profiles")
    assert 'href="/risk/profiles/new"' in listing.text
    form = client.get("/risk/profiles/new")
    assert form.status_code == 200
    assert "Thêm hồ sơ rủi ro" in form.text
    csrf = csrf_of(form.text)
    today = clock.today_vn()
    base = {"csrf": csrf, "id": "p-cars-jp", "name": "Ô tô Nhật, Hàn", "criteria": CRITERIA, "units": "01ab",
            "reason_vi": "Ô tô nhập khẩu", "reason_en": "Imported cars", "active": "1", "why": "Chuyên đề ô tô",
            "date_from": str(today - timedelta(days=30)), "date_to": str(today)}  # fmt: skip
    tested = client.post("/risk/profiles/new", data=base | {"do": "test"})
    assert tested.status_code == 200
    assert "tờ khai trúng tiêu chí" in tested.text
    assert 'value="p-cars-jp"' in tested.text  # what was typed stays
    assert "P-CARS-JP" not in _ids(app)
    bad = client.post("/risk/profiles/new", data=base | {"do": "save", "criteria": "hs starts"})
    assert bad.status_code == 422
    assert "Tiêu chí: Tiêu chí sai cú pháp" in bad.text
    unit = client.post("/risk/profiles/new", data=base | {"do": "save", "units": "01AB, 99ZZ"})
    assert unit.status_code == 422
    assert "Đơn vị không tồn tại" in unit.text
    assert 'href="#f-units"' in unit.text
    missing = client.post("/risk/profiles/new", data=base | {"do": "save", "why": ""})
    assert "Lý do thay đổi: Bắt buộc nhập" in missing.text
    assert "P-CARS-JP" not in _ids(app)
    ok = client.post("/risk/profiles/new", data=base | {"do": "save"})
    assert ok.status_code == 200
    assert "Đã thêm hồ sơ rủi ro" in ok.text
    assert "Hồ sơ rủi ro P-CARS-JP" in ok.text
    with app.state.db.unit_of_work() as uow:
        row = profiles.get(uow.session, "P-CARS-JP")
        assert (row.version, row.units, row.reason_en, row.active) == (1, ["01AB"], "Imported cars", True)
        actions = uow.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.target == "risk_profile:P-CARS-JP")
        )
        assert list(actions) == ["officer:analyst"]
    taken = client.post("/risk/profiles/new", data=base | {"do": "save"})
    assert taken.status_code == 409
    assert "Mã hồ sơ đã có" in taken.text


def test_officer_may_not_add_a_profile(world: World, app: Any, client: TestClient) -> None:
    login(client, "nb_officer1")
    page = client.get("/risk/profiles/new")
    assert page.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in page.text
    csrf = csrf_of(client.get("/queue").text)
    data = {"csrf": csrf, "do": "save", "id": "P-SNEAK", "name": "Lén", "criteria": CRITERIA, "why": "thử"}
    refused = client.post("/risk/profiles/new", data=data)
    assert refused.status_code == 403
    assert "P-SNEAK" not in _ids(app)
    login(client, "analyst")
    models = client.get("/risk/models")
    assert "POST /api/v1/risk/models" in models.text
