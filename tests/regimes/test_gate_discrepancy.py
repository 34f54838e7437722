"""Goods out of a bonded warehouse without a declaration, as the warehouse's terminal reports them: the
supervision gate refuses the exit and raises its alert (the real producer, through the API), and the
regimes consumer records a discrepancy of the warehouse keeper's, once, for the officers of its unit.
The same refusal at a seaport is not a bonded warehouse's discrepancy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.supervision.helpers import CARRIER, LOCATION, TERMINAL, bill, container, manifest, msg, send
from tests.support import World

C1 = container(11)


def _connect(world: World, kind: str) -> None:
    lead = world.off("hp_leader")
    r = world.post("/api/v1/terminal-operators", lead, {"tax_code": TERMINAL, "name": "Kho ngoại quan HP",
                                                          "unit": "03CC"})  # fmt: skip
    assert r.status_code == 201, r.text
    op = r.json()["id"]
    loc = {"code": LOCATION, "name": "Kho ngoại quan", "kind": kind, "unit": "03CC", "locode": "VNHPH",
           "capacity_teu": 500}  # fmt: skip
    assert world.post(f"/api/v1/terminal-operators/{op}/locations", lead, loc).status_code == 201
    for body in ({"status": "testing", "enterprise_tax_code": TERMINAL}, {"status": "live"}):
        assert world.post(f"/api/v1/terminal-operators/{op}/connection", lead, body).status_code == 200


@pytest.mark.parametrize(("kind", "expected"), [("bonded_warehouse", 1), ("seaport", 0)])
def test_a_gate_out_without_declaration_is_a_discrepancy_at_a_bonded_warehouse(
    world: World, app: Any, kind: str, expected: int
) -> None:
    _connect(world, kind)
    r = world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPH0426011", [(C1, "S1")])]))
    assert r.status_code == 201, r.text
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    res = send(world, [msg("GO-1", "gate_out", C1, seal="S1", destination="inland")])
    assert res["results"][0]["reasons"], res
    for _ in range(3):
        app.state.dispatcher.run_once()
    officer = world.off("hp_officer")
    found = world.client.get("/api/v1/regimes/discrepancies", headers=officer).json()
    assert len(found) == expected
    if expected:
        assert (found[0]["kind"], found[0]["tax_code"], found[0]["location"]) == (
            "gate_exit_without_declaration", TERMINAL, LOCATION,
        )  # fmt: skip
        kinds = [a["kind"] for a in world.client.get("/api/v1/regimes/alerts", headers=officer).json()]
        assert kinds == ["discrepancy"]
    assert world.client.get("/api/v1/regimes/discrepancies", headers=world.off("nb_officer1")).json() == []
