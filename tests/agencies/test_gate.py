"""The terminal's status look-up says why the goods may not leave: the plant-quarantine result is missing;
once the agency approves, the declaration clears and the goods may leave (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from haiquan.agencies import service
from haiquan.organization import service as org
from tests.agencies.helpers import PPD_SYSTEM, agencies_world, permits_of
from tests.supervision.helpers import DECLARANT, TERMINAL, container, msg, send
from tests.supervision.test_flow import declare_and_clear, setup_vessel
from tests.support import World

C1 = container(1)


def test_the_gate_says_which_agency_the_goods_wait_for(world: World, app: Any) -> None:
    aw = agencies_world(world, app)
    with app.state.db.unit_of_work() as uow:
        ent = org.enterprise_by_tax_code(uow.session, PPD_SYSTEM)
        service.set_member(
            uow.session, principal_key=f"enterprise:{ent.id}", agency="PPD", units=["03CC"], actor="t"
        )
        uow.commit()
    setup_vessel(aw)
    assert send(aw, [msg("GI-1", "gate_in", C1, seal="SEAL1")])["applied"] == 1
    number = declare_and_clear(aw, app, "HPH0426001", [C1], 100)  # paid, but the apples wait for PPD
    st = aw.client.get(f"/api/v1/containers/{C1}/status", headers=aw.ent(TERMINAL)).json()
    assert st["may_leave"] is False
    missing = [r for r in st["reasons"] if r["code"] == "permit_missing"]
    assert len(missing) == 1
    assert "PPD" in missing[0]["message"]
    assert "PPD" in missing[0]["message_vi"]
    permit = permits_of(aw, number, aw.ent(DECLARANT))[0]
    r = aw.post(
        f"/api/v1/agencies/permits/{permit['id']}/decision",
        aw.ent(PPD_SYSTEM),
        {"outcome": "approved", "lab_reference": "KDTV-HP-1"},
    )
    assert r.status_code == 200, r.text
    app.state.dispatcher.run_once()
    app.state.dispatcher.run_once()
    st = aw.client.get(f"/api/v1/containers/{C1}/status", headers=aw.ent(TERMINAL)).json()
    assert st["may_leave"] is True, st
