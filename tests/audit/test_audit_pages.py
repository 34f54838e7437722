"""The audit team's pages (Vietnamese first): the queue with a blue declaration, a case opened from it,
findings recorded and the case closed by the forms; the plans; an officer without the audit field is
refused."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from haiquan.kit import clock
from tests.audit.test_audit_api import T0, blue_cleared
from tests.support import World
from tests.web.helpers import csrf_of, login


def test_the_audit_pages_queue_case_and_plans(world: World, app: Any, client: TestClient) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    assert world.client.put("/api/v1/officers/nb_officer1/expert-fields", json={"fields": ["audit"]},
                            headers=world.off("admin")).status_code == 200  # fmt: skip
    login(client, "nb_officer2")
    assert client.get("/audit").status_code == 403
    login(client, "nb_officer1")
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Kiểm tra sau thông quan" in page.text
    assert number in page.text
    assert "Luồng xanh dương" in page.text
    candidate = page.text.split('name="candidate_id" value="')[1].split('"')[0]
    r = client.post("/audit/cases", data={"csrf": csrf_of(page.text), "candidate_id": candidate, "kind": "desk",
                                          "scope": "trị giá"}, follow_redirects=True)  # fmt: skip
    assert r.status_code == 200
    assert "Đang kiểm tra" in r.text
    case_url = str(r.url)
    r = client.post(f"{case_url}/findings", data={"csrf": csrf_of(r.text), "outcome": "fraud",
                    "additional_duty": "1.000.000", "findings": "Khai giá thấp", "documents": "Hợp đồng"},
                    follow_redirects=True)  # fmt: skip
    assert "Đã có kết luận" in r.text
    r = client.post(f"{case_url}/close", data={"csrf": csrf_of(r.text)}, follow_redirects=True)
    assert "Đã kết thúc" in r.text
    assert "1.000.000" in r.text or "1,000,000" in r.text
    plans = client.get("/audit/plans?lang=en")
    assert plans.status_code == 200
    assert "Audit plans" in plans.text
