"""The API's scopes and the EPE: an enterprise reads its own stocks and nothing of another's; the period
summary names the opening, the movements by kind and the closing; an officer records an EPE in one of its
units (not another's), after which the EPE's plain import is refused at the boundary naming the field."""

from __future__ import annotations

from typing import Any

from tests.regimes.helpers import DECLARANT, TRADER, car_line, cleared, lodge, regime_import
from tests.support import World, import_declaration


def test_an_enterprise_reads_its_own_stocks_only(world: World, app: Any) -> None:
    cleared(world, app, regime_import("G12", [car_line("2")]))
    mine = world.client.get("/api/v1/regimes/balances", headers=world.ent(TRADER)).json()
    assert [(b["tax_code"], b["held"]) for b in mine] == [(TRADER, "2")]
    other = world.client.get("/api/v1/regimes/ledger", headers=world.ent("0300588569")).json()
    assert other == []
    legs = world.client.get("/api/v1/regimes/ledger", headers=world.ent(TRADER)).json()
    assert [(x["kind"], x["quantity"], x["procedure_code"]) for x in legs] == [("in", "2", "G12")]
    r = world.client.get(
        f"/api/v1/regimes/period?tax_code={TRADER}&start=2020-01-01&end=2099-12-31",
        headers=world.off("nb_officer1"),
    )
    assert r.status_code == 200, r.text
    [line] = r.json()
    assert (line["regime"], line["opening"], line["by_kind"], line["closing"]) == (
        "temporary",
        "0",
        {"in": "2"},
        "2",
    )
    bad = world.client.get(f"/api/v1/regimes/period?tax_code={TRADER}&start=2026-02-01&end=2026-01-01",
                           headers=world.off("nb_officer1"))  # fmt: skip
    assert (bad.status_code, bad.json()["field"]) == (422, "end")
    codes = {r["code"]: r for r in world.client.get("/api/v1/regimes", headers=world.ent(TRADER)).json()}
    assert codes["G11"]["deadline_days"] == 60


def test_an_officer_records_an_epe_and_its_plain_import_is_refused(world: World, app: Any) -> None:
    body = {"status": "active", "unit": "03CC", "zone": "KCN"}
    r = world.client.put(f"/api/v1/regimes/epes/{TRADER}", json=body, headers=world.off("nb_officer1"))
    assert (r.status_code, r.json()["field"]) == (422, "unit")
    body["unit"] = "01AB"
    r = world.client.put(f"/api/v1/regimes/epes/{TRADER}", json=body, headers=world.off("nb_officer1"))
    assert r.status_code == 200, r.text
    assert (
        world.client.put(f"/api/v1/regimes/epes/{TRADER}", json=body, headers=world.ent(TRADER)).status_code
        == 403
    )
    refused = lodge(world, import_declaration())
    assert refused.status_code == 422, refused.text
    assert (refused.json()["field"], refused.json()["code"]) == ("procedure_code", "epe_boundary")
    ok = lodge(world, regime_import("E11", [car_line("1")]))
    assert ok.status_code == 201, ok.text
    assert [
        e["tax_code"] for e in world.client.get("/api/v1/regimes/epes", headers=world.ent(DECLARANT)).json()
    ] == []
    assert [
        e["tax_code"] for e in world.client.get("/api/v1/regimes/epes", headers=world.ent(TRADER)).json()
    ] == [TRADER]
