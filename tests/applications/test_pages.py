"""The officers' pages through HTTP: the queue of the applications addressed to their units, nearest
deadline first, in Vietnamese; the application's page with its documents and the decision form (CSRF, the
field named on a bad decision, nothing changed); officers of other units get 404."""

from __future__ import annotations

from typing import Any

from tests.applications.helpers import PDF, TRADER, filed, upload
from tests.support import World
from tests.web.helpers import csrf_of, login


def test_the_officer_reviews_and_decides_on_the_page(world: World, app: Any) -> None:
    a = filed(world, {"kind": "ruling_classification", "office": "01AB", "subject": "Điện thoại X1",
                      "goods_code": "X1", "goods_description": "Phone X1", "hs_code": "85171300"})  # fmt: skip
    assert upload(world, a["id"], "catalogue.pdf", "application/pdf", PDF).status_code == 201
    assert login(world.client, "nb_officer1").status_code == 303
    queue = world.client.get("/applications")
    assert queue.status_code == 200
    assert "Hồ sơ đề nghị trực tuyến" in queue.text
    assert "Xác định trước mã số" in queue.text
    page = world.client.get(f"/applications/{a['id']}")
    assert page.status_code == 200
    assert "catalogue.pdf" in page.text
    assert "Luật Hải quan" in page.text
    token = csrf_of(page.text)
    r = world.client.post(f"/applications/{a['id']}/act", data={"csrf": token, "action": "review"},
                          follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    bad = world.client.post(f"/applications/{a['id']}/act",
                            data={"csrf": token, "action": "decide", "outcome": "approved", "reasons": "GIR 1 và 6"},
                            follow_redirects=False)  # fmt: skip
    assert bad.status_code == 422
    assert 'data-field="hs_code"' in bad.text
    ok = world.client.post(f"/applications/{a['id']}/act",
                           data={"csrf": token, "action": "decide", "outcome": "approved", "reasons": "GIR 1 và 6",
                                 "hs_code": "85171300"}, follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303, ok.text
    detail = world.client.get(f"/api/v1/applications/{a['id']}", headers=world.ent(TRADER)).json()
    assert (detail["status"], detail["decided_hs_code"]) == ("approved", "85171300")
    doc = detail["documents"][0]
    got = world.client.get(
        f"/api/v1/applications/{a['id']}/documents/{doc['id']}/content"
    )  # the page's session
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith("attachment")


def test_an_officer_of_another_unit_sees_nothing(world: World, app: Any) -> None:
    a = filed(world, {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá", "goods_code": "G",
                      "goods_description": "g", "details": "d"})  # fmt: skip
    assert login(world.client, "hp_officer").status_code == 303
    assert "Trị giá" not in world.client.get("/applications").text
    assert world.client.get(f"/applications/{a['id']}").status_code == 404
