"""An officer-permitted transit (chuyển cửa khẩu) seen by its destination office (issue #24 item 3: it
answered 404 there) and its overdue alert raised at both offices; a third office still gets 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.supervision.alerts import scan
from haiquan.supervision.tables import AlertRow
from tests.supervision.helpers import (
    CARRIER,
    LOCATION,
    bill,
    connect_terminal,
    container,
    manifest,
    msg,
    send,
)
from tests.support import World


def test_the_destination_office_sees_the_transit_and_its_alert(
    world: World, client: TestClient, app: Any
) -> None:
    connect_terminal(world)
    gd = world.off("gd_leader")
    icd = world.post(
        "/api/v1/terminal-operators", gd, {"tax_code": "0101248141", "name": "ICD", "unit": "01TE"}
    )
    assert icd.status_code == 201, icd.text
    loc = {"code": "01ICDLB", "name": "ICD Long Biên", "kind": "inland_depot", "unit": "01TE"}
    assert world.post(f"/api/v1/terminal-operators/{icd.json()['id']}/locations", gd, loc).status_code == 201
    c1 = container(21)
    world.post(
        "/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPT9", [(c1, "S9")], purpose="transit")])
    )
    send(world, [msg("GI-9", "gate_in", c1, seal="S9")])
    permit = {"goods_id": "HPT9", "permit": "TR-9", "from_location": LOCATION, "to_location": "01ICDLB",
              "seal": "S9", "hours_allowed": 6}  # fmt: skip
    t = world.post("/api/v1/transits", world.off("hp_officer"), permit)
    assert t.status_code == 201, t.text
    url = f"/api/v1/transits/{t.json()['id']}"
    assert client.get(url, headers=world.off("tn_officer")).status_code == 200
    assert client.get(url, headers=world.off("nb_officer1")).status_code == 404
    assert (
        send(world, [msg("GO-9", "gate_out", c1, seal="S9", destination="controlled_area")])["applied"] == 1
    )
    clock.freeze(dt.datetime.now(dt.UTC) + dt.timedelta(hours=7))
    with app.state.db.unit_of_work() as uow:
        assert scan(uow.session, no_declaration_days=30)["transit_overdue"] == 2
        uow.commit()
        units = sorted(uow.session.scalars(select(AlertRow.unit).where(AlertRow.kind == "transit_overdue")))
    assert units == ["01TE", "03CC"]
