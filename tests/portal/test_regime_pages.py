"""The enterprise's special regimes on the portal through HTTP, on SQLite and PostgreSQL, with ledger data
from the real producers (declarations lodged and cleared under regime codes, a finalisation report filed,
the deadline scan, a bonded warehouse's gate): its stocks, its overdue re-export, its finalisation's
reconciliation, its latest entries by item and its ledger as Excel; another enterprise's staff sees none of
it, and an anonymous caller goes to the portal's login."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from haiquan.kit import clock
from haiquan.regimes import deadlines
from tests.portal.helpers import add_staff, sign_in
from tests.regimes.helpers import DECLARANT, TRADER, car_line, cleared, regime_import
from tests.regimes.test_finalisation_http import ORE, PHONE, epe_year, report
from tests.regimes.test_gate_discrepancy import C1, _connect
from tests.supervision.helpers import CARRIER, LOCATION, TERMINAL, bill, manifest, msg, send
from tests.support import World

CAR = "87032363"


def _trader_year(world: World, app: Any) -> None:
    """A car under temporary import past its re-export day, an EPE's material and phones, its finalisation
    with a shortfall left to the officer."""
    clock.freeze(datetime(2026, 1, 10, 2, 0, tzinfo=UTC))
    cleared(world, app, regime_import("G11", [car_line("2")]))
    epe_year(world, app)
    r = world.post("/api/v1/finalisations", world.ent(TRADER), report(norm="5", waste="0", held="300"))
    assert r.status_code == 201, r.text
    clock.freeze(datetime(2026, 3, 12, 2, 0, tzinfo=UTC))
    world.tokens.clear()
    with app.state.db.unit_of_work() as uow:
        assert deadlines.scan(uow.session)["passed"] == 1
        uow.commit()
    app.state.dispatcher.run_once()


def _ledger_section(html: str) -> str:
    return html.split("regime-ledger", 1)[1] if "regime-ledger" in html else ""


def _sheet_tax_codes(content: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(content))
    return {str(row[2]) for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}


def test_the_enterprise_reads_its_own_regimes(world: World, client: TestClient, app: Any) -> None:
    _trader_year(world, app)
    cleared(world, app, regime_import("G11", [car_line("1")], importer={"tax_code": DECLARANT}))
    add_staff(app, TRADER, "minh.ketoan", role="viewer")
    assert sign_in(client, "minh.ketoan").status_code == 303
    page = client.get("/portal/regimes")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Loại hình đặc biệt" in html
    assert 'href="/portal/regimes"' in html
    for code in (CAR, ORE, PHONE):
        assert code in html
    assert 'class="deadline-overdue overdue"' in html
    assert "Quá hạn" in html
    assert "Tái xuất" in html
    assert "Có chênh lệch đang xử lý (1)" in html
    assert "/portal/regimes/ledger.xlsx" in html
    only_ore = _ledger_section(client.get(f"/portal/regimes?item={ORE}&n=5").text)
    assert ORE in only_ore
    assert PHONE not in only_ore
    assert CAR not in only_ore
    assert client.get("/portal/regimes?item=<script>").status_code == 422
    assert "Special regimes" in client.get("/portal/regimes?lang=en").text
    xlsx = client.get("/portal/regimes/ledger.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-disposition"] == f'attachment; filename="ledger_{TRADER}.xlsx"'
    assert _sheet_tax_codes(xlsx.content) == {TRADER}
    # the declarant's own car is its own: its staff sees that one and nothing of the trader's
    add_staff(app, DECLARANT, "lan.admin")
    sign_in(client, "lan.admin")
    other = client.get("/portal/regimes").text
    assert CAR in other
    assert ORE not in other
    assert PHONE not in other
    assert "Có chênh lệch" not in other
    assert _sheet_tax_codes(client.get("/portal/regimes/ledger.xlsx").content) == {DECLARANT}


def test_a_warehouse_keeper_sees_its_discrepancy_and_nobody_else_does(
    world: World, client: TestClient, app: Any
) -> None:
    _connect(world, "bonded_warehouse")
    r = world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPH0426011", [(C1, "S1")])]))
    assert r.status_code == 201, r.text
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    send(world, [msg("GO-1", "gate_out", C1, seal="S1", destination="inland")])
    for _ in range(3):
        app.state.dispatcher.run_once()
    add_staff(app, TERMINAL, "kho.admin")
    add_staff(app, TRADER, "minh.admin")
    sign_in(client, "kho.admin")
    html = client.get("/portal/regimes").text
    assert "Ra cổng không có tờ khai" in html
    assert LOCATION in html
    sign_in(client, "minh.admin")
    html = client.get("/portal/regimes").text
    assert "Ra cổng không có tờ khai" not in html
    assert LOCATION not in html


def test_an_anonymous_caller_goes_to_the_portal_login(client: TestClient) -> None:
    for path in ("/portal/regimes", "/portal/regimes/ledger.xlsx"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303), r.status_code
        assert r.headers["location"].startswith("/portal/login")
