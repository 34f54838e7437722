"""Finalisation through HTTP on SQLite and PostgreSQL: an export-processing enterprise imports a material and
exports products; its report (JSON, CSV, Excel) is reconciled against the ledger; a shortfall becomes an
officer's task with the duty at stake, resolved by the managing office; the risk fact follows; bad rows
are 422s naming the row and column; other enterprises and offices see nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.regimes.tables import LedgerLegRow
from haiquan.risk.tables import EnterpriseFactRow
from tests.regimes.helpers import TRADER, cleared, phone_line, regime_export, regime_import
from tests.support import World

URL = "/api/v1/finalisations"
ORE, PHONE = "26011100", "85171300"


def ore_line(quantity: str = "1000", value: str = "20000") -> dict[str, Any]:
    return {"hs_code": ORE, "description": "Iron ore for components", "origin_country": "AU",
            "quantity": quantity, "quantity_unit": "KGM", "net_mass_kg": quantity, "value": value}  # fmt: skip


def epe_year(world: World, app: Any) -> None:
    """1,000 kg of material in (E11), 100 phones out (E42)."""
    cleared(world, app, regime_import("E11", [ore_line()]))
    cleared(world, app, regime_export("E42", [phone_line("100")]))


def report(norm: str = "8", waste: str = "25", held: str = "0", **over: Any) -> dict[str, Any]:
    today = clock.today_vn()
    body = {
        "regime": "epe",
        "period_start": (today - dt.timedelta(days=30)).isoformat(),
        "period_end": (today + dt.timedelta(days=1)).isoformat(),
        "norms": [{"product_code": PHONE, "product_unit": "PCE", "material_code": ORE, "material_unit": "KGM",
                   "norm": norm, "waste_pct": waste}],
        "stock": [{"material_code": ORE, "material_unit": "KGM", "closing_stock": held}],
    }  # fmt: skip
    return body | over


def test_a_report_that_matches_and_one_that_does_not(world: World, app: Any) -> None:
    epe_year(world, app)
    r = world.post(URL, world.ent(TRADER), report(norm="5", waste="0", held="300"), key="fin-1")
    assert r.status_code == 201, r.text
    f = r.json()
    (line,) = f["lines"]
    assert (line["inflow"], line["used"], line["declared"], line["difference"]) == (
        "1000",
        "500",
        "300",
        "200",
    )
    assert line["discrepancy"] is True
    assert line["task"] == "open"
    assert Decimal(line["duty_at_stake"]) == (200 * Decimal(line["duty_per_unit"])).quantize(Decimal(1))
    assert f["discrepancies"] == 1
    assert f["unit"] == "01AB"
    # the officer of the managing office sees the task and resolves it; the risk fact follows
    tasks = world.client.get(f"{URL}/tasks", headers=world.off("nb_officer1")).json()
    assert [t["id"] for t in tasks] == [line["id"]]
    app.state.dispatcher.run_once()
    assert _fact(app) == Decimal(line["duty_at_stake"])
    with app.state.db.unit_of_work() as uow:  # what production used is booked: stock -> consumed, once
        q = select(LedgerLegRow.account, LedgerLegRow.quantity).where(LedgerLegRow.kind == "consumed")
        assert sorted((a, int(n)) for a, n in uow.session.execute(q).all()) == [
            ("consumed", 500),
            ("stock", -500),
        ]
    fig = world.client.get("/api/v1/reports/finalisation", headers=world.off("nb_leader")).json()[
        "finalisation"
    ]
    assert (fig["open_discrepancies"], fig["duty_at_stake"]) == (1, line["duty_at_stake"])
    assert (
        world.client.get("/api/v1/reports/finalisation", headers=world.off("hp_leader")).json()[
            "finalisation"
        ]["by_unit"]
        == []
    )
    resolve = f"{URL}/{f['id']}/lines/{line['id']}/resolve"
    body = {"outcome": "duty_due", "note": "Bán nội địa không khai báo"}
    assert world.post(resolve, world.off("hp_officer"), body).status_code == 404
    r = world.post(resolve, world.off("nb_officer1"), body)
    assert r.status_code == 200, r.text
    assert r.json()["task"] == "resolved"
    assert world.post(resolve, world.off("nb_officer1"), body).status_code == 409
    app.state.dispatcher.run_once()
    assert _fact(app) == 0
    # the same period again is refused; a report that matches has no task
    assert world.post(URL, world.ent(TRADER), report()).status_code == 409
    ok = world.post(URL, world.ent(TRADER), report(period_end=clock.today_vn().isoformat()))
    assert ok.status_code == 201, ok.text
    assert ok.json()["lines"][0]["difference"] == "0"
    assert ok.json()["discrepancies"] == 0


def _fact(app: Any) -> Decimal:
    with app.state.db.unit_of_work() as uow:
        row = uow.session.get(EnterpriseFactRow, (TRADER, "finalisation_discrepancy_duty"))
        return row.value if row is not None else Decimal(-1)


def test_bad_reports_name_the_row_and_column(world: World, app: Any) -> None:
    epe_year(world, app)
    ent = world.ent(TRADER)
    bad = report()
    bad["norms"][0]["material_code"] = "99999999"
    r = world.post(URL, ent, bad)
    assert (r.status_code, r.json()["field"]) == (422, "norms[0].material_code"), r.text
    bad = report(norm="-1")
    r = world.post(URL, ent, bad)
    assert (r.status_code, r.json()["field"]) == (422, "norms[0].norm"), r.text
    period = {k: report()[k] for k in ("regime", "period_start", "period_end")}
    csv = (
        "kind,product_code,product_unit,material_code,material_unit,norm,waste_pct,closing_stock\n"
        f"norm,{PHONE},PCE,{ORE},KGM,8,25,\n"
        f"norm,{PHONE},PCE,{ORE},KGM,-2,0,\n"
        f"stock,,,77777777,KGM,,,5\n"
    )
    r = world.client.post(f"{URL}/upload", params=period, content=csv.encode(),
                          headers=ent | {"Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "rows[3].norm"
    assert "row 3, column norm" in r.json()["detail"]
    over = csv.replace(",-2,0,", ",2,150,")  # waste above 100 %
    r = world.client.post(f"{URL}/upload", params=period, content=over.encode(),
                          headers=ent | {"Content-Type": "text/csv"})  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "rows[3].waste_pct"), r.text
    csv = csv.replace(",-2,", ",8,").replace(f"norm,{PHONE},PCE,{ORE},KGM,8,0,\n", "")
    r = world.client.post(f"{URL}/upload", params=period, content=csv.encode(),
                          headers=ent | {"Content-Type": "text/csv"})  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "rows[3].material_code"), r.text


def test_excel_upload_scopes_and_ledger_export(world: World, app: Any) -> None:
    epe_year(world, app)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["kind", "product_code", "product_unit", "material_code", "material_unit", "norm", "waste_pct",
               "closing_stock"])  # fmt: skip
    ws.append(["norm", PHONE, "PCE", ORE, "KGM", 8, 25, None])
    ws.append(["stock", None, None, ORE, "KGM", None, None, 0])
    data = io.BytesIO()
    wb.save(data)
    period = {k: report()[k] for k in ("regime", "period_start", "period_end")}
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = world.client.post(f"{URL}/upload", params=period, content=data.getvalue(),
                          headers=world.ent(TRADER) | {"Content-Type": xlsx})  # fmt: skip
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert r.json()["source"] == "xlsx"
    assert r.json()["discrepancies"] == 0
    c = world.client
    assert c.get(f"{URL}/{fid}", headers=world.ent("0100109106")).status_code == 404  # the declarant, not it
    assert c.get(f"{URL}/{fid}", headers=world.off("hp_officer")).status_code == 404  # another office
    assert c.get(f"{URL}/{fid}", headers=world.off("hn_leader")).status_code == 200
    assert [x["id"] for x in c.get(URL, headers=world.ent(TRADER)).json()] == [fid]
    assert c.get(URL, headers=world.off("hp_officer")).json() == []
    # the officer's pages and the ledger as Excel
    from tests.web.helpers import login

    assert login(c, "nb_officer1").status_code == 303
    assert "Báo cáo quyết toán" in c.get("/regimes/finalisations").text
    assert ORE in c.get(f"/regimes/finalisations/{fid}").text
    book = c.get(f"/regimes/ledger.xlsx?tax_code={TRADER}")
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content)).worksheets
    held = {(row[1], row[2]): row[6] for row in sheets[0].iter_rows(min_row=2, values_only=True)}
    assert held[("epe", ORE)] == 1000
    assert sheets[1].max_row >= 3
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalars(select(EnterpriseFactRow)).all() == []
