"""The leaders' figure of applications handled online: decided in the period, how many on time, open and
overdue now, per kind, for the units of the view (a department counts its sub-departments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from haiquan.kit import clock
from tests.applications.helpers import decide, filed
from tests.support import World

VALUE = {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá", "goods_code": "G", "goods_description": "g",
         "details": "Phương pháp trị giá giao dịch"}  # fmt: skip


def test_decided_online_and_on_time_are_counted(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    early, late, still = filed(world, VALUE), filed(world, VALUE), filed(world, VALUE)
    assert (
        decide(world, early["id"], {"outcome": "approved", "reasons": "Đúng phương pháp"}).status_code == 200
    )
    clock.freeze(datetime(2026, 4, 10, 2, 0, tzinfo=UTC))  # past the 30 days
    r = decide(world, late["id"], {"outcome": "refused", "reasons": "Thiếu chứng từ"}, officer="nb_officer1")
    assert r.status_code == 200, r.text
    _ = still
    r = world.client.get("/api/v1/reports/applications?unit=01&date_from=2026-01-01&date_to=2026-12-31",
                         headers=world.off("hn_leader"))  # fmt: skip
    assert r.status_code == 200, r.text
    fig = r.json()["applications"]
    assert (fig["decided_online"], fig["decided_on_time"], fig["pct_on_time"]) == (2, 1, 50.0)
    assert (fig["open_now"], fig["overdue_now"]) == (1, 1)
    other = world.client.get("/api/v1/reports/applications?unit=03", headers=world.off("hp_leader")).json()
    assert other["applications"]["decided_online"] == 0
    page = world.client.get(
        "/reports?unit=01&date_from=2026-01-01&date_to=2026-12-31", headers=world.off("hn_leader")
    )
    assert page.status_code == 200
    assert "Hồ sơ trực tuyến giải quyết trong kỳ" in page.text
