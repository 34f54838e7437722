"""A vessel's story through the API, on SQLite and PostgreSQL: manifest, gate-in, a refused early exit
with its alert, clearance, the exit, and declarations told the goods left."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from haiquan.kit import outbox
from haiquan.risk.channel import RuleSetEngine
from tests.supervision.helpers import (
    CARRIER,
    DECLARANT,
    TERMINAL,
    also_terminal_operator,
    bill,
    connect_terminal,
    container,
    manifest,
    msg,
    send,
)
from tests.support import World, import_declaration

C1, C2, C3 = container(1), container(2), container(3)


def declare_and_clear(world: World, app: Any, goods_id: str, containers: list[str], packages: int) -> str:
    app.state.channel_engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    body = import_declaration(
        office="03CC",
        transport_mode="sea",
        transport_document=goods_id,
        containers=containers,
        package_count=packages,
    )
    r = world.lodge(body)
    assert r.status_code == 201, r.text
    number = str(r.json()["number"])
    reg = world.post(f"/api/v1/declarations/{number}/register", world.ent(DECLARANT), None)
    assert reg.status_code == 200, reg.text
    with app.state.db.unit_of_work() as uow:
        outbox.record(
            uow.session,
            type="payment.confirmed",
            unit="03CC",
            actor="bank:test",
            payload={
                "declaration_number": number,
                "amount": reg.json()["duties"]["total"],
                "reference": "P1",
            },
        )
        uow.commit()
    app.state.dispatcher.run_once()
    app.state.dispatcher.run_once()
    return number


def setup_vessel(world: World) -> dict[str, Any]:
    connect_terminal(world)
    body = manifest(
        [bill("HPH0426001", [(C1, "SEAL1")]), bill("HPH0426002", [(C2, "SEAL2"), (C3, "SEAL3")], packages=40)]
    )
    r = world.post("/api/v1/manifests", world.ent(CARRIER), body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_vessel_story_refused_early_then_leaves_after_clearance(
    world: World, app: Any, client: TestClient
) -> None:
    m = setup_vessel(world)
    assert m["late"] is False
    assert len(m["consignments"]) == 2
    assert m["unit"] == "03CC"
    gi = send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1"), msg("GI-2", "gate_in", C2, seal="SEAL2")])
    assert (gi["applied"], gi["errors"]) == (2, 0), gi
    early = send(world, [msg("GO-1", "gate_out", C1, seal="SEAL1", destination="inland")])
    assert early["refused"] == 1
    assert [r["code"] for r in early["results"][0]["reasons"]] == ["no_declaration"]
    alerts = client.get("/api/v1/supervision/alerts", headers=world.off("hp_officer")).json()
    assert [a["kind"] for a in alerts] == ["refused_exit"]
    assert alerts[0]["container"] == C1
    assert "tờ khai" in alerts[0]["message_vi"]

    number = declare_and_clear(world, app, "HPH0426001", [C1], 100)
    st = client.get(f"/api/v1/containers/{C1}/status", headers=world.ent(TERMINAL)).json()
    assert st["may_leave"] is True, st
    assert st["declarations"] == [{"number": number, "status": "cleared", "channel": "green"}]
    out = send(world, [msg("GO-2", "gate_out", C1, seal="SEAL1", destination="inland")])
    assert out["applied"] == 1
    assert out["results"][0]["may_leave"] is True
    app.state.dispatcher.run_once()
    d = client.get(f"/api/v1/declarations/{number}", headers=world.ent(DECLARANT)).json()
    assert d["status"] == "goods_exited"
    again = send(world, [msg("GO-2", "gate_out", C1, seal="SEAL1", destination="inland")])
    assert again["duplicates"] == 1
    assert again["results"][0]["may_leave"] is True
    st = client.get("/api/v1/consignments/HPH0426001/status", headers=world.ent(TERMINAL)).json()
    assert st["items"][0]["state"] == "out"


def test_wrong_seal_and_gate_out_without_gate_in_raise_alerts(
    world: World, app: Any, client: TestClient
) -> None:
    setup_vessel(world)
    declare_and_clear(world, app, "HPH0426002", [C2, C3], 40)
    send(world, [msg("GI-2", "gate_in", C2, seal="SEAL2")])
    res = send(
        world,
        [
            msg("GO-2", "gate_out", C2, seal="WRONG", destination="inland"),
            msg("GO-3", "gate_out", C3, seal="SEAL3", destination="inland"),
        ],
    )
    codes = [[r["code"] for r in x["reasons"]] for x in res["results"]]
    assert codes == [["seal_mismatch"], ["not_gated_in"]]
    kinds = sorted(
        a["kind"] for a in client.get("/api/v1/supervision/alerts", headers=world.off("hp_officer")).json()
    )
    assert kinds == ["gate_out_without_gate_in", "mismatch"]
    # the goods leave once both containers are in and the seals match; declarations hear it once all are out
    send(world, [msg("GI-3", "gate_in", C3, seal="SEAL3")])
    ok = send(
        world,
        [
            msg("GO-4", "gate_out", C2, seal="SEAL2", destination="inland"),
            msg("GO-5", "gate_out", C3, seal="SEAL3", destination="inland"),
        ],
    )
    assert ok["applied"] == 2, ok


def test_bad_messages_are_answered_one_by_one_and_kept(world: World, client: TestClient) -> None:
    setup_vessel(world)
    bad_digit = C1[:-1] + str((int(C1[-1]) + 1) % 10)
    good = [
        msg(f"GI-{i}", "gate_in", C1 if i == 0 else C2, seal="SEAL1" if i == 0 else "SEAL2") for i in range(2)
    ]
    batch = [
        good[0],
        msg("X-1", "gate_in", bad_digit, seal="S"),
        msg("X-2", "gate_in", container(999), seal="S"),
        msg("X-3", "gate_in", C3, seal="SEAL3", location="99ZZ"),
        {"message_id": "X-4", "kind": "teleport"},
        good[1],
    ]
    out = send(world, batch)
    assert (out["applied"], out["errors"]) == (2, 4), out
    errs = {r["message_id"]: r["errors"][0] for r in out["results"] if r["status"] == "error"}
    assert "check digit" in errs["X-1"]["message"]
    assert errs["X-2"]["code"] == "unknown_container"
    assert errs["X-3"]["code"] == "not_your_location"
    kept = client.get("/api/v1/terminal-messages/rejected", headers=world.ent(TERMINAL)).json()
    assert sorted(k["message_id"] for k in kept) == ["X-1", "X-2", "X-3", "X-4"]


def test_late_manifest_is_told_and_amendment_keeps_ids(world: World) -> None:
    connect_terminal(world)
    r = world.post(
        "/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPH1", [(C1, "S1")])], hours_ahead=5)
    )
    assert r.status_code == 201
    m = r.json()
    assert m["late"] is True
    assert m["late_by_minutes"] >= 18 * 60
    body = manifest([bill("HPH1", [(C1, "S1")]), bill("HPH2", [(C2, "S2")])], hours_ahead=5)
    r2 = world.client.put(f"/api/v1/manifests/{m['id']}", json=body, headers=world.ent(CARRIER))
    assert r2.status_code == 200, r2.text
    assert r2.json()["version"] == 2
    assert len(r2.json()["consignments"]) == 2
    assert r2.json()["consignments"][0]["id"] == m["consignments"][0]["id"]
    air = manifest([bill("738-1", [], cargo_type="package")], reference="AIR1", mode="air", hours_ahead=2)
    assert world.post("/api/v1/manifests", world.ent(CARRIER), air).json()["late"] is False


def test_other_parties_cannot_see_or_move_the_goods(world: World, client: TestClient) -> None:
    setup_vessel(world)
    send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1")])
    # a declarant, a bank and an officer of another department see nothing
    for who in (world.ent(DECLARANT), world.ent("0100112437"), world.off("nb_officer1")):
        assert client.get(f"/api/v1/containers/{C1}/status", headers=who).status_code == 404
    assert client.get("/api/v1/supervision/alerts", headers=world.off("nb_officer1")).json() == []
    # only terminal operators send movements; the carrier cannot
    r = world.post("/api/v1/terminal-messages", world.ent(CARRIER), {"messages": [msg("Z", "gate_in", C1)]})
    assert r.status_code == 403
    # the carrier sees its own consignments
    assert client.get(f"/api/v1/containers/{C1}/status", headers=world.ent(CARRIER)).status_code == 200


def test_one_bad_message_among_999_good_ones(world: World, client: TestClient) -> None:
    connect_terminal(world)
    conts = [container(5000 + i, owner="TGHU") for i in range(999)]
    bills = [bill(f"HPB{i:05d}", [(c, f"S{i}")], packages=1) for i, c in enumerate(conts)]
    r = world.post("/api/v1/manifests", world.ent(CARRIER), manifest(bills, reference="BIG"))
    assert r.status_code == 201, r.text
    batch = [msg(f"B-{i}", "gate_in", c, seal=f"S{i}") for i, c in enumerate(conts)]
    batch.insert(500, msg("B-bad", "gate_in", container(99999, owner="TGHU"), seal="S"))
    out = send(world, batch)
    assert (out["received"], out["applied"], out["errors"]) == (1000, 999, 1)
    assert out["results"][500]["message_id"] == "B-bad"
    assert out["results"][500]["errors"][0]["code"] == "unknown_container"
    st = client.get(f"/api/v1/containers/{conts[998]}/status", headers=world.ent(TERMINAL)).json()
    assert st["items"][0]["state"] == "in"
    again = send(world, batch)
    assert (again["duplicates"], again["errors"], again["applied"]) == (999, 1, 0)


def test_goods_held_by_one_operator_cannot_leave_through_another(world: World, client: TestClient) -> None:
    setup_vessel(world)
    send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1")])
    also_terminal_operator(world, "0101248141")
    connect_terminal(world, tax_code="0101248141", location="03CCS02")  # a second operator (a yard)
    other = send(
        world,
        [msg("Y-1", "gate_out", C1, seal="SEAL1", destination="inland", location="03CCS02")],
        who="0101248141",
    )
    assert other["errors"] == 1
    assert other["results"][0]["errors"][0]["code"] == "held_by_another_operator"
    # nor can it read the status of goods it neither holds nor expects
    assert client.get(f"/api/v1/containers/{C1}/status", headers=world.ent("0101248141")).status_code == 404


def test_stock_report_differences_raise_a_mismatch_alert(world: World, client: TestClient) -> None:
    setup_vessel(world)
    send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1"), msg("GI-2", "gate_in", C2, seal="SEAL2")])
    out = send(world, [msg("ST-1", "stock", None, items=[{"container": C1}, {"container": C3}])])
    assert out["applied"] == 1
    assert sorted(r["code"] for r in out["results"][0]["reasons"]) == ["stock_missing", "stock_unexpected"]
    alerts = client.get("/api/v1/supervision/alerts?kind=mismatch", headers=world.off("hp_officer")).json()
    assert len(alerts) == 1
    assert alerts[0]["detail"]["missing"] == [C2]
    assert alerts[0]["detail"]["unexpected"] == [C3]


def test_a_batch_with_an_idempotency_key_replays_the_first_answer(world: World) -> None:
    setup_vessel(world)
    batch = {"messages": [msg("GI-1", "gate_in", C1, seal="SEAL1")]}
    first = world.post("/api/v1/terminal-messages", world.ent(TERMINAL), batch, key="batch-1")
    again = world.post("/api/v1/terminal-messages", world.ent(TERMINAL), batch, key="batch-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["applied"] == 1
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replay") == "true"


def test_a_container_back_on_a_later_voyage_moves_with_its_new_bill(
    world: World, app: Any, client: TestClient
) -> None:
    setup_vessel(world)
    declare_and_clear(world, app, "HPH0426001", [C1], 100)
    send(world, [msg("GI-1", "gate_in", C1, seal="SEAL1")])
    assert send(world, [msg("GO-1", "gate_out", C1, seal="SEAL1", destination="inland")])["applied"] == 1
    later = manifest([bill("HPH0526001", [(C1, "SEAL9")])], reference="MV-002")
    assert world.post("/api/v1/manifests", world.ent(CARRIER), later).status_code == 201
    back = send(world, [msg("GI-2", "gate_in", C1, seal="SEAL9")])
    assert back["applied"] == 1
    assert back["results"][0]["reasons"] == []
    st = client.get(f"/api/v1/containers/{C1}/status", headers=world.ent(TERMINAL)).json()
    assert st["goods_id"] == "HPH0526001"
    assert st["items"][0]["state"] == "in"
    assert st["may_leave"] is False
