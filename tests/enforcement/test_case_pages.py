"""The enforcement officer's screens through HTTP: open a case from the form, record a seizure, move its
status (a leader), read its persons (audited); errors named on the page; another unit's case not found;
a role the API refuses refused by the page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.enforcement.tables import CaseRow, SeizureItemRow
from haiquan.kit.tables import AuditEntry
from tests.enforcement.test_api import open_case
from tests.support import World
from tests.web.helpers import csrf_of, login

CASE_URL = re.compile(r"/enforcement/cases/([A-Za-z0-9_-]+)#?")


def _case(app: Any, number: str) -> CaseRow:
    with app.state.db.unit_of_work() as uow:
        row = uow.session.scalars(select(CaseRow).where(CaseRow.number == number)).one()
        uow.session.expunge(row)
        return row


def test_officer_opens_a_case_and_records_a_seizure(world: World, app: Any, client: TestClient) -> None:
    login(client, "nb_officer1")
    form = client.get("/enforcement/cases/new")
    assert form.status_code == 200
    csrf = csrf_of(form.text)
    bad = client.post(
        "/enforcement/cases/new", data={"csrf": csrf, "unit": "01AB", "detected_on": "2999-01-01"}
    )
    assert bad.status_code == 422
    assert 'class="error-summary"' in bad.text
    assert "Lĩnh vực: Bắt buộc nhập" in bad.text
    data = {"csrf": csrf, "unit": "01AB", "detected_on": "2026-11-20", "field": "drugs", "route": "airport",
            "summary": "Hành lý ký gửi chứa ma túy", "co_police": "1"}  # fmt: skip
    r = client.post("/enforcement/cases/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "Đã khởi tạo vụ việc" in page.text
    number = re.search(r"Vụ việc (01AB-2026-\d{5})", page.text)
    assert number, page.text
    case = _case(app, number.group(1))
    assert case.coordinated_with == ["police"]
    url = f"/enforcement/cases/{case.id}/seizures"
    wrong = client.post(url, data={"csrf": csrf, "category": "mdma", "quantity": "3", "measure": "litre"})
    assert wrong.status_code == 422
    assert "Đơn vị tính: Loại tang vật này không tính theo đơn vị này" in wrong.text
    ok = client.post(url, data={"csrf": csrf, "category": "mdma", "quantity": "1,5", "measure": "kg",
                                "value_vnd": "1.000.000", "description": "Gói nilon"})  # fmt: skip
    assert "Đã ghi tang vật" in ok.text
    with app.state.db.unit_of_work() as uow:
        items = uow.session.scalars(select(SeizureItemRow).where(SeizureItemRow.case_id == case.id)).all()
        assert [(i.category, str(i.quantity.normalize()), i.unit_of_measure) for i in items] == [
            ("mdma", "1.5", "kg")
        ]
    register = client.get("/enforcement/cases?status=detected")
    assert number.group(1) in register.text
    assert number.group(1) not in client.get("/enforcement/cases?status=closed").text
    # an officer may not prosecute: the service's refusal is named on the page, the status unchanged
    refused = client.post(f"/enforcement/cases/{case.id}/status", data={"csrf": csrf, "to": "prosecuted"})
    assert refused.status_code == 403
    assert "là quyết định của lãnh đạo" in refused.text
    assert _case(app, number.group(1)).status == "detected"


def test_leader_closes_a_case_and_persons_are_read_audited(
    world: World, app: Any, client: TestClient
) -> None:
    case = open_case(world)
    login(client, "nb_leader")
    page = client.get(f"/enforcement/cases/{case['id']}")
    csrf = csrf_of(page.text)
    no_outcome = client.post(f"/enforcement/cases/{case['id']}/status", data={"csrf": csrf, "to": "closed"})
    assert no_outcome.status_code == 409
    assert "Kết quả: Kết thúc vụ việc cần chọn kết quả" in no_outcome.text
    client.post(f"/enforcement/cases/{case['id']}/status",
                data={"csrf": csrf, "to": "closed", "outcome": "violation", "note": "Xử phạt"})  # fmt: skip
    assert _case(app, case["number"]).status == "closed"
    persons = client.get(f"/enforcement/cases/{case['id']}/persons")
    assert persons.status_code == 200
    assert "ghi vào nhật ký kiểm toán" in persons.text
    with app.state.db.unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "enforcement.person_read")
        )
        assert list(reads) == ["officer:nb_leader"]


def test_scope_and_roles_are_those_of_the_api(world: World, app: Any, client: TestClient) -> None:
    case = open_case(world)
    login(client, "hp_officer")
    assert case["number"] not in client.get("/enforcement/cases").text
    page = client.get(f"/enforcement/cases/{case['id']}")
    assert page.status_code == 404
    assert "Không tìm thấy trong phạm vi của bạn" in page.text
    csrf = csrf_of(client.get("/enforcement/cases").text)
    r = client.post(f"/enforcement/cases/{case['id']}/seizures", data={"csrf": csrf, "category": "mdma"})
    assert r.status_code == 404
    login(client, "analyst")
    refused = client.get("/enforcement/cases/new")
    assert refused.status_code == 403
    assert "Bạn không có quyền" in refused.text
    assert client.get(f"/enforcement/cases/{case['id']}/persons").status_code == 403
    login(client, "nb_officer1")
    english = client.get(f"/enforcement/cases/{case['id']}?lang=en")
    assert "Record a seizure" in english.text
    assert "Detected" in english.text
