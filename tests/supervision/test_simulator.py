"""The simulator drives the public API like a carrier, a terminal and a declarant."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo.terminals import Simulator
from haiquan.kit import outbox
from haiquan.risk.channel import RuleSetEngine
from tests.supervision.helpers import CARRIER, DECLARANT, LOCATION, TERMINAL, connect_terminal
from tests.support import World


def test_simulated_vessels_gate_in_some_leave_early_attempts_refused(
    world: World, app: Any, client: TestClient
) -> None:
    connect_terminal(world)
    app.state.channel_engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    sim = Simulator(
        url="",
        carrier_key=world.keys[CARRIER],
        terminal_key=world.keys[TERMINAL],
        declarant_key=world.keys[DECLARANT],
        location=LOCATION,
        office="03CC",
        seed=3,
        http=client,
        say=lambda _: None,
    )
    totals = sim.run(vessels=2, containers=12)
    assert totals["containers"] == 24
    assert totals["applied"] == 24
    assert totals["errors"] == 0
    assert totals["refused"] >= 1
    assert totals["declared"] >= 1
    assert totals["left"] == 0
    # the bank confirms every declaration's duties: the terminal's next poll lets those goods go
    declared = client.get("/api/v1/declarations", headers=world.ent(DECLARANT)).json()["items"]
    with app.state.db.unit_of_work() as uow:
        for d in declared:
            outbox.record(
                uow.session,
                type="payment.confirmed",
                unit="03CC",
                actor="bank:test",
                payload={"declaration_number": d["number"], "amount": "999999999", "reference": "P"},
            )
        uow.commit()
    app.state.dispatcher.run_once()
    app.state.dispatcher.run_once()
    assert sim.release() == len(declared) == totals["declared"]
    kinds = {
        a["kind"] for a in client.get("/api/v1/supervision/alerts", headers=world.off("hp_officer")).json()
    }
    assert kinds == {"refused_exit"}
