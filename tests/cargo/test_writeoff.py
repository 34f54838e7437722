"""Manifest write-off driven by the producers, on SQLite and PostgreSQL: a manifest of three bills; one
declared (JSON API) and gated out through the terminal's messages, one declared twice over by CUSDEC, one
never declared. After the legal period the report names the two wrong bills, an alert is raised to the
supervising unit, the event recorded; the carrier reads its own report, another enterprise none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.cargo import handlers, writeoff
from haiquan.cargo.catalogue import CargoEvent
from haiquan.cargo.tables import ManifestRow
from haiquan.cargo.writeoff_tables import WriteoffDeclarationRow
from haiquan.declarations.catalogue import CHANGES
from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from haiquan.risk.channel import RuleSetEngine
from tests.interchange.conftest import cusdec_text, post_edifact
from tests.supervision.helpers import CARRIER, bill, connect_terminal, container, manifest, msg, send
from tests.supervision.test_flow import declare_and_clear
from tests.support import World, import_declaration
from tests.web.helpers import login

C1, C2, C3 = container(11), container(12), container(13)


def _drain(app: Any) -> None:
    for _ in range(4):
        app.state.dispatcher.run_once()


def _vessel(world: World) -> str:
    connect_terminal(world)
    body = manifest([bill("HPH0500001", [(C1, "S1")], packages=100), bill("HPH0500002", [(C2, "S2")], packages=40),
                     bill("HPH0500003", [(C3, "S3")], packages=10)], reference="MV-WO")  # fmt: skip
    r = world.post("/api/v1/manifests", world.ent(CARRIER), body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _cusdec(world: World, goods_id: str, packages: int, lrn: str) -> None:
    body = import_declaration(office="03CC", transport_mode="sea", transport_document=goods_id,
                              containers=[C2], package_count=packages)  # fmt: skip
    r = post_edifact(world, cusdec_text(body, lrn=lrn))
    assert r.status_code == 201, r.text


def _events(app: Any, types: list[str]) -> list[Any]:
    """The events of `types` as the dispatcher hands them to consumers, in the outbox's order."""
    with app.state.db.unit_of_work() as uow:
        q = select(OutboxEvent).where(OutboxEvent.type.in_(types)).order_by(OutboxEvent.seq)
        return [_as_event(row) for row in uow.session.scalars(q)]


def test_writeoff_reports_undischarged_and_over_discharged_bills(
    world: World, app: Any, client: TestClient
) -> None:
    manifest_id = _vessel(world)
    declare_and_clear(world, app, "HPH0500001", [C1], 100)
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    out = send(world, [msg("GO-1", "gate_out", C1, seal="S1", destination="inland")])
    assert out["applied"] == 1, out
    _cusdec(world, "HPH0500002", 30, "LRN-A")
    _cusdec(world, "HPH0500002", 30, "LRN-B")
    _drain(app)

    officer = world.off("hp_officer")
    live = client.get(f"/api/v1/cargo/writeoff/{manifest_id}", headers=officer).json()
    assert {b["goods_id"]: b["standing"] for b in live["bills"]} == {
        "HPH0500001": "discharged", "HPH0500002": "over_discharged", "HPH0500003": "undischarged"}  # fmt: skip
    assert live["report"] is None
    assert client.post("/api/v1/cargo/writeoff/close", headers=officer).json() == []  # not yet due

    clock.freeze(clock.now() + timedelta(days=app.state.settings.writeoff_days + 2))
    world.tokens.clear()  # the officers' tokens have expired meanwhile
    officer = world.off("hp_officer")
    closed = client.post("/api/v1/cargo/writeoff/close", headers=officer)
    assert closed.status_code == 200, closed.text
    (report,) = closed.json()
    assert (report["voyage"], report["undischarged"], report["over_discharged"], report["bill_count"]) == (
        "0426N",
        1,
        1,
        3,
    )
    first = {b["goods_id"]: b for b in report["bills"]}["HPH0500001"]
    assert (first["declared_packages"], first["gated_out"]) == (100, True)
    assert client.post("/api/v1/cargo/writeoff/close", headers=officer).json() == []  # closed once

    listed = client.get("/api/v1/cargo/writeoff", headers=officer).json()
    assert [b["goods_id"] for b in listed[0]["bills"]] == ["HPH0500002", "HPH0500003"]
    assert len(client.get("/api/v1/cargo/writeoff", headers=world.ent(CARRIER)).json()) == 1
    assert client.get("/api/v1/cargo/writeoff", headers=world.ent("0100109106")).json() == []
    assert client.get("/api/v1/cargo/writeoff", headers=world.off("nb_officer1")).json() == []
    kinds = [a["kind"] for a in client.get("/api/v1/supervision/alerts", headers=officer).json()]
    assert "writeoff_discrepancy" in kinds
    (event,) = _events(app, [CargoEvent.MANIFEST_WRITTEN_OFF])
    assert event.payload["discrepancies"] == ["HPH0500002", "HPH0500003"]

    login(client, "hp_officer")
    page = client.get("/cargo/writeoff")
    assert page.status_code == 200
    assert "Chưa thanh khoản" in page.text
    assert "HPH0500003" in page.text


def test_each_declaration_event_is_applied_once(world: World, app: Any) -> None:
    """The consumer fed the declaration events the producer really emitted, twice and out of order:
    the packages are counted once, and an older event never overwrites a newer one."""
    _vessel(world)
    app.state.channel_engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    _cusdec(world, "HPH0500002", 40, "LRN-C")
    events = _events(app, sorted(CHANGES))
    assert len(events) >= 2
    db = app.state.db
    for ev in [*events, *events, events[0]]:
        with db.unit_of_work() as uow:
            handlers.on_declaration(uow, ev)
            uow.commit()
    with db.unit_of_work() as uow:
        (row,) = uow.session.scalars(select(WriteoffDeclarationRow)).all()
        assert (row.package_count, row.counted, row.status) == (40, True, events[-1].payload["status"])
        m = uow.session.scalar(select(ManifestRow))
        assert m is not None
        bills = {b.goods_id: b for b in writeoff.bills_of(uow.session, m)}
    assert (bills["HPH0500002"].declared_packages, bills["HPH0500002"].standing) == (40, "discharged")


def _as_event(row: OutboxEvent) -> Any:
    from haiquan.kit.outbox import Event

    return Event(id=row.id, seq=row.seq, type=row.type, version=row.version, unit=row.unit, subject=row.subject,
                 occurred_at=row.occurred_at, actor=row.actor, payload=row.payload)  # fmt: skip


def test_standing_is_pure() -> None:
    s = writeoff.standing
    assert [s(10, 0, 0), s(10, 9, 1), s(10, 10, 2), s(10, 11, 1), s(0, 0, 0), s(0, 0, 1)] == [
        "undischarged", "undischarged", "discharged", "over_discharged", "undischarged", "discharged"]  # fmt: skip


def test_the_background_duty_writes_off_each_manifest_once(
    world: World, app: Any, client: TestClient
) -> None:
    """No officer closes anything: the periodic duty (run with the escalations) writes off the manifest
    whose legal period passed, its bills nobody declared on the report with the alert; running the duty
    again (a second round, or a second worker) writes no second report."""
    manifest_id = _vessel(world)
    app.state.escalations.run_once()
    officer = world.off("hp_officer")
    assert client.get("/api/v1/cargo/writeoff", headers=officer).json() == []  # not yet due

    clock.freeze(clock.now() + timedelta(days=app.state.settings.writeoff_days + 2))  # arrival + period
    world.tokens.clear()  # the officers' tokens have expired meanwhile
    app.state.escalations.run_once()
    app.state.escalations.run_once()
    officer = world.off("hp_officer")
    (report,) = client.get("/api/v1/cargo/writeoff", headers=officer).json()
    assert (report["manifest_id"], report["undischarged"], report["bill_count"]) == (manifest_id, 3, 3)
    assert [b["goods_id"] for b in report["bills"]] == ["HPH0500001", "HPH0500002", "HPH0500003"]
    live = client.get(f"/api/v1/cargo/writeoff/{manifest_id}", headers=officer).json()
    assert live["report"]["closed_at"] == report["closed_at"]
    alerts = client.get("/api/v1/supervision/alerts", headers=officer).json()
    assert [a["kind"] for a in alerts].count("writeoff_discrepancy") == 1
    assert len(_events(app, [CargoEvent.MANIFEST_WRITTEN_OFF])) == 1
    assert client.post("/api/v1/cargo/writeoff/close", headers=officer).json() == []  # nothing left to close
