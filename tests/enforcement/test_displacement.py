"""Displacement: a planted shift between provinces shows in the numbers, by hand and in the demo year."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo import enforcement as demo
from haiquan.enforcement import reports
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from tests.support import World

BASE = "/api/v1/enforcement"


def test_planted_shift_by_hand(client: TestClient, world: World) -> None:
    plan = [("Lạng Sơn", "2020-02-10")] * 3 + [("Lào Cai", "2020-03-01"), ("Lạng Sơn", "2020-08-01")]
    plan += [("Lào Cai", "2020-07-15")] * 3
    for province, day in plan:
        body = {
            "unit": "01AB",
            "detected_on": day,
            "field": "prohibited_goods",
            "route": "road_border_gate",
            "province": province,
        }
        assert world.post(f"{BASE}/cases", world.off("nb_officer1"), body).status_code == 201
    params = {"unit": "01", "from": "2020-01-01", "to": "2020-12-31", "period": "half"}
    r = client.get(f"{BASE}/reports/displacement", params=params, headers=world.off("hn_leader"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["periods"] == ["2020-H1", "2020-H2"]
    rows = {row["key"]: row["values"] for row in d["province"]}
    assert rows == {"VN-09": ["3", "1"], "VN-02": ["1", "3"]}
    shift = {s["key"]: (s["share_first"], s["share_last"], s["change_pp"]) for s in d["shift"]["province"]}
    assert shift == {"VN-02": ("25.0", "75.0", "50.0"), "VN-09": ("75.0", "25.0", "-50.0")}
    assert d["route"][0]["values"] == ["4", "4"]
    bad = client.get(
        f"{BASE}/reports/displacement", params=params | {"period": "week"}, headers=world.off("hn_leader")
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "period"


def _seed_demo(app: Any) -> None:
    with app.state.db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="test")
        uow.commit()
    with app.state.db.unit_of_work() as uow:
        counts = demo.seed_cases(uow.session, year=2020, rng=random.Random(2020))
        uow.commit()
    assert set(counts) == {"01", "15", "20", "13", "02", "03"}
    assert counts["01"] == 41


def test_demo_year_plants_the_shift_to_lao_cai_and_reproduces_ha_noi(app: Any, client: TestClient) -> None:
    _seed_demo(app)
    with app.state.db.unit_of_work() as uow:
        w = reports.window(
            uow.session, principal=demo.DEMO, unit="00", start=date(2020, 1, 1), end=date(2020, 12, 31)
        )
        d = reports.displacement(
            uow.session, principal=demo.DEMO, w=w, period="half", metric="cases", case_field=None
        )
        shift = {s["key"]: s["change_pp"] for s in d["shift"]["province"]}
        assert shift["VN-02"] > Decimal(20)  # Lào Cai gains
        assert shift["VN-09"] < Decimal(-5)
        assert shift["VN-13"] < Decimal(-5)
        assert max(shift, key=lambda k: shift[k]) == "VN-02"
        hn = reports.window(
            uow.session, principal=demo.DEMO, unit="01", start=date(2020, 1, 1), end=date(2020, 12, 22)
        )
        s = reports.summary_report(uow.session, principal=demo.DEMO, w=hn)
    assert (
        "đã phát hiện, bắt giữ 27 vụ buôn lậu; quyết định khởi tố 5 vụ; chuyển cơ quan khác đề nghị khởi tố 9 vụ;"
        in s["text_vi"]
    )
    assert (
        "29.552,15 gam ma túy tổng hợp (MDMA) (khoảng 50 nghìn viên); 4.836,27 gam ma túy loại Heroin; 392,41 gam Ketamine; 22 gam ma túy dạng mới; trong đó có 12 vụ phối hợp bắt và tạm giữ 17 đối tượng."
        in s["text_vi"]
    )
