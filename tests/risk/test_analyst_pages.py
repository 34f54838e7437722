"""The analyst's screens through HTTP: a profile edited (a new version) and its criteria tested, lane
rates set, an override set and ended, value-control bounds set; wrong input named on the page; roles as
the API's (an officer refused, a leader reads the lane rates but changes nothing)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from tests.support import World
from tests.web.helpers import csrf_of, login

from haiquan.kit import clock
from haiquan.risk import lanes, profiles, valuecontrol


def _install(app: Any) -> str:
    with app.state.db.unit_of_work() as uow:
        added = profiles.install_defaults(uow.session, actor="test")
        uow.commit()
    return added[0]


def _profile(app: Any, pid: str) -> tuple[int, str]:
    with app.state.db.unit_of_work() as uow:
        row = profiles.get(uow.session, pid)
        return row.version, row.name


def test_analyst_edits_and_tests_a_profile(world: World, app: Any, client: TestClient) -> None:
    pid = _install(app)
    login(client, "analyst")
    listing = client.get("/risk/profiles")
    assert listing.status_code == 200
    assert f'href="/risk/profiles/{pid}"' in listing.text
    page = client.get(f"/risk/profiles/{pid}")
    csrf = csrf_of(page.text)
    version, _ = _profile(app, pid)
    bad = client.post(
        f"/risk/profiles/{pid}", data={"csrf": csrf, "name": "Tên mới", "criteria": "hs starts", "why": "thử"}
    )
    assert bad.status_code == 422
    assert "Tiêu chí: Tiêu chí sai cú pháp" in bad.text
    assert _profile(app, pid)[0] == version
    with app.state.db.unit_of_work() as uow:
        criteria = profiles.get(uow.session, pid).criteria
    ok = client.post(f"/risk/profiles/{pid}", data={"csrf": csrf, "name": "Tên mới của hồ sơ", "criteria": criteria,
                                                    "active": "1", "why": "Đổi tên cho rõ"})  # fmt: skip
    assert "Đã lưu phiên bản mới của hồ sơ" in ok.text
    assert _profile(app, pid) == (version + 1, "Tên mới của hồ sơ")
    today = clock.today_vn()
    tested = client.post(f"/risk/profiles/{pid}/test", data={"csrf": csrf, "criteria": criteria,
                         "date_from": str(today - timedelta(days=30)), "date_to": str(today)})  # fmt: skip
    assert tested.status_code == 200
    assert "tờ khai trúng tiêu chí" in tested.text
    backwards = client.post(f"/risk/profiles/{pid}/test", data={"csrf": csrf, "criteria": criteria,
                            "date_from": str(today), "date_to": str(today - timedelta(days=3))})  # fmt: skip
    assert "Ngày kết thúc trước ngày bắt đầu" in backwards.text


def test_analyst_sets_lane_rates_overrides_and_value_bounds(
    world: World, app: Any, client: TestClient
) -> None:
    login(client, "analyst")
    csrf = csrf_of(client.get("/risk/lanes").text)
    bad = client.post(
        "/risk/lanes", data={"csrf": csrf, "office": "01AB", "green": "50", "yellow": "10", "red": "10"}
    )
    assert "Tổng tỷ lệ xanh, xanh dương, vàng, đỏ phải bằng 100" in bad.text
    ok = client.post("/risk/lanes", data={"csrf": csrf, "office": "01AB", "green": "70", "yellow": "20", "red": "10",
                                          "random_share": "2"})  # fmt: skip
    assert "Đã lưu tỷ lệ phân luồng" in ok.text
    with app.state.db.unit_of_work() as uow:
        assert lanes.rates(uow.session, "01AB").configured
    until = str(clock.today_vn() + timedelta(days=10))
    r = client.post("/risk/overrides", data={"csrf": csrf, "subject": "declarant", "value": "0100109106",
                                             "channel": "red", "reason": "Nghi vấn", "expires_at": until})  # fmt: skip
    assert "Đã chỉ định luồng" in r.text
    with app.state.db.unit_of_work() as uow:
        [(oid, channel)] = [(o.id, o.channel) for o in lanes.overrides(uow.session)]
    assert channel == "red"
    client.post(f"/risk/overrides/{oid}/end", data={"csrf": csrf})
    with app.state.db.unit_of_work() as uow:
        assert lanes.overrides(uow.session) == []
    vc = client.post("/risk/value-control", data={"csrf": csrf, "hs_code": "87032390", "origin": "JP",
                                                  "min_unit_value": "9000", "max_unit_value": "40000", "why": "Giá thị trường"})  # fmt: skip
    assert "Đã lưu ngưỡng trị giá" in vc.text
    with app.state.db.unit_of_work() as uow:
        rows = [(r.origin, r.source) for r in valuecontrol.listing(uow.session, hs_prefix="8703")]
    assert rows == [("JP", "manual")]
    models = client.get("/risk/models")
    assert models.status_code == 200


def test_roles_are_those_of_the_api(world: World, app: Any, client: TestClient) -> None:
    pid = _install(app)
    login(client, "nb_officer1")
    for path in (
        "/risk/profiles",
        f"/risk/profiles/{pid}",
        "/risk/lanes",
        "/risk/value-control",
        "/risk/models",
    ):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Bạn không có quyền truy cập trang này" in page.text
    login(client, "nb_leader")
    lanes_page = client.get("/risk/lanes")
    assert lanes_page.status_code == 200
    assert 'action="/risk/overrides"' not in lanes_page.text
    csrf = csrf_of(lanes_page.text)
    refused = client.post(
        "/risk/lanes", data={"csrf": csrf, "office": "01AB", "green": "100", "yellow": "0", "red": "0"}
    )
    assert refused.status_code == 403
    login(client, "analyst")
    missing = client.get("/risk/profiles/P-NOPE")
    assert missing.status_code == 404
    english = client.get(f"/risk/profiles/{pid}?lang=en")
    assert "Test the criteria on past declarations" in english.text
