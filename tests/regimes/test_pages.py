"""The officers' pages through HTTP, Vietnamese first: the regimes of the unit (alerts, deadlines,
enterprises), one enterprise's stocks, ledger, deadlines and flows; another unit's officer sees none of it;
the dashboard shows the open regime stock and its chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from haiquan.kit import clock
from tests.regimes.helpers import TRADER, car_line, cleared, regime_import
from tests.support import World
from tests.web.helpers import login


def test_the_officer_reads_the_enterprise_ledger_in_vietnamese(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 1, 10, 2, 0, tzinfo=UTC))
    number = cleared(world, app, regime_import("G12", [car_line("2")]))
    assert login(world.client, "nb_officer1").status_code == 303
    page = world.client.get("/regimes")
    assert page.status_code == 200
    assert "Loại hình đặc thù" in page.text
    assert TRADER in page.text
    one = world.client.get(f"/regimes/enterprises/{TRADER}")
    assert one.status_code == 200
    for text in ("Tồn kho theo loại hình", "Tạm nhập tái xuất", number, "87032363", "Luồng hàng theo tháng"):
        assert text in one.text
    english = world.client.get(f"/regimes/enterprises/{TRADER}?lang=en")
    assert "Stock under each regime" in english.text


def test_another_unit_sees_nothing_and_the_leader_sees_the_dashboard(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 1, 10, 2, 0, tzinfo=UTC))
    cleared(world, app, regime_import("G12", [car_line("1")]))
    assert login(world.client, "hp_officer").status_code == 303
    assert TRADER not in world.client.get("/regimes").text
    assert "87032363" not in world.client.get(f"/regimes/enterprises/{TRADER}").text
    world.client.cookies.clear()
    assert login(world.client, "nb_leader").status_code == 303
    board = world.client.get("/reports?unit=01AB&date_from=2026-01-01&date_to=2026-01-31")
    assert board.status_code == 200
    assert "Loại hình đặc thù: tồn kho và thời hạn" in board.text
    assert 'id="rg-chart"' in board.text
    r = world.client.get("/api/v1/reports/regimes?unit=01AB&date_from=2026-01-01&date_to=2026-01-31",
                         headers=world.off("nb_leader"))  # fmt: skip
    assert r.status_code == 200, r.text
    rg = r.json()["regimes"]
    assert [(x["unit"], x["regime"], x["held"]) for x in rg["open_stock"]] == [("01AB", "temporary", "1")]
