"""The enforcement officer edits a case (summary, place, province, coordination: what the API's PATCH
changes) and links records to it, through the API's service: wrong input named on the page, another
unit's case not found, a role the API refuses answered with the error page, the change audited."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.enforcement.tables import CaseLinkRow, CaseRow
from haiquan.kit.tables import AuditEntry
from tests.enforcement.test_api import open_case
from tests.support import World
from tests.web.helpers import csrf_of, login


def _case(app: Any, case_id: str) -> CaseRow:
    with app.state.db.unit_of_work() as uow:
        row = uow.session.get(CaseRow, case_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def _links(app: Any, case_id: str) -> list[tuple[str, str]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalars(select(CaseLinkRow).where(CaseLinkRow.case_id == case_id))
        return [(r.kind, r.value) for r in rows]


def test_officer_edits_a_case_and_links_records(world: World, app: Any, client: TestClient) -> None:
    case = open_case(world)
    login(client, "nb_officer1")
    page = client.get(f"/enforcement/cases/{case['id']}")
    assert "Sửa thông tin vụ việc" in page.text
    assert "Liên kết hồ sơ" in page.text
    csrf = csrf_of(page.text)
    url = f"/enforcement/cases/{case['id']}/edit"
    bad = client.post(url, data={"csrf": csrf, "summary": "Tóm tắt", "place": "XX"})
    assert bad.status_code == 422
    assert "Địa điểm (UN/LOCODE): Mã địa điểm UN/LOCODE không đúng" in bad.text
    assert _case(app, case["id"]).summary == ""
    ok = client.post(url, data={"csrf": csrf, "summary": "Hành lý ký gửi có ma túy", "place": "vnhan",
                                "co_border_guard": "1", "co_police": "1"})  # fmt: skip
    assert "Đã lưu thông tin vụ việc" in ok.text
    assert "Hành lý ký gửi có ma túy" in ok.text
    row = _case(app, case["id"])
    assert (row.summary, row.place, row.coordinated_with) == (
        "Hành lý ký gửi có ma túy", "VNHAN", ["border_guard", "police"]
    )  # fmt: skip
    links = f"/enforcement/cases/{case['id']}/links"
    short = client.post(links, data={"csrf": csrf, "link_kind": "declaration", "link_value": "123"})
    assert short.status_code == 422
    assert "Số hồ sơ không đúng định dạng" in short.text
    assert 'href="#f-link_value"' in short.text
    linked = client.post(links, data={"csrf": csrf, "link_kind": "declaration", "link_value": "104100000001",
                                      "link_note": "Tờ khai của lô hàng"})  # fmt: skip
    assert "Đã liên kết hồ sơ với vụ việc" in linked.text
    assert 'href="/declarations/104100000001"' in linked.text
    again = client.post(links, data={"csrf": csrf, "link_kind": "declaration", "link_value": "104100000001"})
    assert again.status_code == 409
    assert "Hồ sơ này đã được liên kết với vụ việc" in again.text
    assert _links(app, case["id"]) == [("declaration", "104100000001")]
    with app.state.db.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"case:{case['number']}")
        )
        assert {"enforcement.case_update", "enforcement.case_link"} <= set(actions)


def test_scope_and_roles_of_the_edit_and_link_forms(world: World, app: Any, client: TestClient) -> None:
    case = open_case(world)
    login(client, "hp_officer")
    csrf = csrf_of(client.get("/enforcement/cases").text)
    for path, data in (("edit", {"summary": "x"}), ("links", {"link_kind": "container", "link_value": "x"})):
        r = client.post(f"/enforcement/cases/{case['id']}/{path}", data={"csrf": csrf} | data)
        assert r.status_code == 404, path
        assert "Không tìm thấy trong phạm vi của bạn" in r.text
    login(client, "analyst")
    csrf = csrf_of(client.get("/risk/profiles").text)
    r = client.post(f"/enforcement/cases/{case['id']}/edit", data={"csrf": csrf, "summary": "Sửa lén"})
    assert r.status_code == 403
    assert "Bạn không có quyền" in r.text
    assert _case(app, case["id"]).summary == ""
    r = client.post(f"/enforcement/cases/{case['id']}/links",
                    data={"csrf": csrf, "link_kind": "declaration", "link_value": "104100000001"})  # fmt: skip
    assert r.status_code == 403
    assert _links(app, case["id"]) == []
