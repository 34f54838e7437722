"""Federation on one database (SQLite and PostgreSQL): exactly-once ingest, federated events dispatched to
in-process consumers once and never relayed up, the summary, reference data, agreements and the page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, func, select, text

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database, new_id
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event, default_subject
from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.domain import UnitTree
from haiquan.sharing import domain, repository, service
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.node import SharingNode
from haiquan.sharing.relay import PORTABLE_COLUMNS, _outgoing_portable
from haiquan.sharing.service import Received
from haiquan.sharing.tables import AgencyDelivery, FederatedNode, ReferenceVersion
from tests.support import UNITS, World

LAYOUT = NodeLayout.build(UnitTree.build(UNITS), "01", parent=None, children=["01AB", "01TE"])


def child_event(unit: str = "01B1", type_: str = "declaration.registered", **payload: Any) -> Event:
    return Event(
        id=new_id(),
        seq=0,
        type=type_,
        version=1,
        unit=unit,
        subject=default_subject(type_, unit),
        occurred_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        actor="officer:x",
        payload=payload or {"status": "registered", "channel": "green", "total_duties": 2500},
        origin="01AB",
    )


def seed(db: Database) -> None:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        uow.commit()
    org.TREES.invalidate()


def ingest(db: Database, batch: list[Received]) -> tuple[int, list[Received]]:
    with db.unit_of_work() as uow:
        out = service.ingest(uow.session, batch=batch, layout=LAYOUT)
        uow.commit()
    return out


def test_redelivered_events_are_applied_once_and_foreign_units_refused(db: Database) -> None:
    seed(db)
    events = [child_event() for _ in range(3)]
    batch = [Received(e, "01AB", i + 1) for i, e in enumerate(events)]
    assert ingest(db, batch) == (3, [])
    assert ingest(db, batch) == (0, [])  # redelivery after a crash before the ack
    forged = Received(child_event(unit="01TE"), "01AB", 9)  # 01AB speaking for 01TE
    applied, refused = ingest(db, [forged])
    assert applied == 0
    assert refused == [forged]
    with db.unit_of_work() as uow:
        copies = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.origin == "01AB")
        assert uow.session.scalar(copies) == 3
        [total] = [
            t
            for t in repository.totals(uow.session, scope=org.officer_scope(LAYOUT_TREE, "01"))
            if t.dim == ""
        ]
        assert (total.unit, total.count, total.amount) == ("01B1", 3, Decimal(7500))


def test_each_child_node_row_counts_what_arrived_and_a_redelivery_takes_no_sequence_number(
    db: Database,
) -> None:
    """The status of a child node is one row, updated per batch: how many events arrived, the last one's
    stream sequence and lag, the newest occurred_at. A redelivered batch changes nothing, and takes no
    outbox sequence number (a hole would hold the dispatcher's marks back)."""
    seed(db)
    early, late = datetime(2026, 3, 1, 1, 0, tzinfo=UTC), datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    events = [replace(child_event(), occurred_at=at) for at in (late, early)]  # the newest is not the last
    batch = [Received(e, "01AB", 40 + i) for i, e in enumerate(events)]
    assert ingest(db, batch) == (2, [])
    assert ingest(db, batch) == (0, [])
    assert ingest(db, [Received(child_event(unit="01TE"), "01TE", 7)]) == (1, [])
    with db.unit_of_work() as uow:
        q = select(OutboxEvent.seq).where(OutboxEvent.origin.is_not(None)).order_by(OutboxEvent.seq)
        seqs = list(uow.session.scalars(q))
        status = repository.child_status(uow.session, nodes=["01AB", "01TE", "01X"], scope=Scope(units=None))
    assert seqs == list(range(seqs[0], seqs[0] + 3))  # no number taken by the redelivery
    ab, te, none = status
    assert (ab.node, ab.received, ab.last_occurred_at) == ("01AB", 2, late)
    assert ab.last_lag_s is not None
    assert ab.last_received_at is not None
    assert abs(ab.last_lag_s - (ab.last_received_at - early).total_seconds()) < 1  # the last one's lag
    assert (te.received, none.received, none.last_received_at, none.last_lag_s) == (1, 0, None, None)
    with db.unit_of_work() as uow:
        last = uow.session.get(FederatedNode, "01AB")
        assert last is not None
        assert last.last_stream_seq == 41


LAYOUT_TREE = UnitTree.build(UNITS)


def summary_and_copies(db: Database) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    with db.unit_of_work() as uow:
        totals = [
            (t.unit, t.type, t.dim, t.count, t.amount)
            for t in repository.totals(uow.session, scope=org.officer_scope(LAYOUT_TREE, "01"))
        ]
        q = select(OutboxEvent.payload).where(OutboxEvent.origin.is_not(None)).order_by(OutboxEvent.seq)
        copies = [dict(p) for p in uow.session.scalars(q)]
    return sorted(totals), copies


def test_events_prepared_ahead_are_written_as_the_others(db: Database) -> None:
    """The federation consumer prepares a batch (the envelopes as received, the summary summed) while the
    one before is written: the outbox copies and the summary come out the same."""
    seed(db)
    payloads: list[dict[str, Any]] = [
        {"status": "registered", "channel": "green", "total_duties": 2500, "goods": 'Cà phê "rang"'},
        {"status": "cleared", "channel": "red", "total_duties": "120.50", "items": [1, 2.5, None, True]},
    ]
    events = [child_event(**p) for p in payloads]
    assert ingest(db, [Received(e, "01AB", i + 1) for i, e in enumerate(events)]) == (2, [])
    plain = summary_and_copies(db)
    with db.unit_of_work() as uow:
        for table in ("outbox", "federated_nodes", "unit_event_totals"):
            uow.session.execute(text(f"DELETE FROM {table}"))
        uow.commit()
    ahead = [Received(e, "01AB", i + 1, domain.encode(e).decode()) for i, e in enumerate(events)]
    sums: service.Totals = {}
    for e in events:
        service.sum_into(sums, e)
    with db.unit_of_work() as uow:
        assert service.ingest(uow.session, batch=ahead, layout=LAYOUT, sums=sums) == (2, [])
        uow.commit()
    assert summary_and_copies(db) == plain
    assert plain[1] == payloads


def test_federated_events_reach_in_process_consumers_once_and_are_never_relayed(db: Database) -> None:
    seed(db)
    seen: list[tuple[str, bool]] = []
    d = Dispatcher(db)
    d.register(
        Consumer(
            "t.reports",
            frozenset(),
            lambda uow, e: seen.append((e.id, e.federated)),
            prefixes=("declaration.",),
        )
    )
    d.register(
        Consumer(
            "t.webhooks",
            frozenset(),
            lambda uow, e: seen.append(("hook", e.federated)),
            prefixes=("declaration.",),
            local_only=True,
        )
    )
    e = child_event()
    ingest(db, [Received(e, "01AB", 1)])
    with db.unit_of_work() as uow:
        local = outbox.record(uow.session, type="declaration.registered", unit="01", actor="t", payload={})
        uow.commit()
    d.run_once()
    d.run_once()
    assert sorted(seen) == sorted([(e.id, True), (local, False), ("hook", False)])
    node = SharingNode(db, "nats://unused", LAYOUT)
    out = node.relay().unpublished()
    assert [mid for _, _, mid in out.items] == [local]  # the federated copy is not relayed upward


def test_the_idle_poll_sees_what_the_relay_would_send_and_nothing_else(db: Database) -> None:
    seed(db)
    relay = SharingNode(db, "nats://unused", LAYOUT).relay()
    try:
        assert not relay.anything_to_send()
        ingest(db, [Received(child_event(), "01AB", 1)])  # a federated copy: never relayed up
        assert not relay.anything_to_send()
        with db.unit_of_work() as uow:
            outbox.record(uow.session, type="declaration.registered", unit="01", actor="t", payload={})
            uow.commit()
        assert relay.anything_to_send()
        relay.mark(relay.unpublished().seqs)
        assert not relay.anything_to_send()
        with db.unit_of_work() as uow:
            delivery = {"agreement_id": "a", "agency": "BDBP", "event_id": new_id(), "subject": "s"}
            uow.session.add(AgencyDelivery(**delivery, body={}, created_at=clock.now()))
            uow.commit()
        assert relay.anything_to_send()  # an agency feed waiting
    finally:
        relay.close()


def test_local_events_feed_the_summary_and_agency_deliveries(db: Database) -> None:
    seed(db)
    with db.unit_of_work() as uow:
        service.create_agreement(
            uow.session,
            agency="bdbp",
            title="",
            types=["enforcement.*"],
            units=["01AB"],
            fields=[],
            actor="a",
        )
        outbox.record(
            uow.session,
            type="enforcement.seizure_recorded",
            unit="01B3",
            actor="t",
            payload={"grams": 5, "persons": [{"name": "N"}]},
        )
        outbox.record(
            uow.session, type="enforcement.seizure_recorded", unit="03CC", actor="t", payload={"grams": 1}
        )
        uow.commit()
    d = Dispatcher(db)
    from haiquan.sharing import handlers

    handlers.register(d)
    d.run_once()
    with db.unit_of_work() as uow:
        [delivery] = uow.session.scalars(select(AgencyDelivery)).all()
        assert delivery.agency == "BDBP"
        assert delivery.body["payload"] == {"grams": 5}
        assert delivery.subject == "hq.agency.BDBP.01B3.enforcement.seizure_recorded"
        units = {t.unit for t in repository.totals(uow.session, scope=org.officer_scope(LAYOUT_TREE, "00"))}
        assert units == {"01B3", "03CC"}
        assert (
            uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "agreement.create")) is not None
        )
        assert audit.verify(uow.session)[1] is None


def test_reference_data_is_applied_in_version_order(db: Database) -> None:
    seed(db)
    for version, applied in ((2, True), (1, False), (2, False), (3, True)):
        with db.unit_of_work() as uow:
            ok = service.apply_reference(
                uow.session, kind="notice", version=version, document={"v": version}, published_by="a"
            )
            uow.commit()
        assert ok is applied
    with db.unit_of_work() as uow:
        row = uow.session.get(ReferenceVersion, "notice")
        assert row is not None
        assert row.version == 3
        assert row.document == {"v": 3}


def test_agreements_are_for_administrators_and_audited(world: World, app: Any) -> None:
    body = {"agency": "BDBP", "types": ["enforcement.*"], "units": ["01AB"], "fields": ["grams"]}
    r = world.post("/api/v1/sharing/agreements", world.off("nb_officer1"), body)
    assert r.status_code == 403
    r = world.post("/api/v1/sharing/agreements", world.ent("0100109106"), body)
    assert r.status_code == 403
    r = world.post("/api/v1/sharing/agreements", world.off("admin"), body)
    assert r.status_code == 201, r.text
    agreement = r.json()
    assert agreement["fields"] == ["grams"]
    assert agreement["active"]
    bad = world.post("/api/v1/sharing/agreements", world.off("admin"), {**body, "units": ["ZZ99"]})
    assert bad.status_code == 422
    assert bad.json()["field"] == "units"
    r = world.client.post(f"/api/v1/sharing/agreements/{agreement['id']}/revoke", headers=world.off("admin"))
    assert r.status_code == 200
    assert r.json()["active"] is False
    with app.state.db.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("agreement.%"))
        ).all()
    assert sorted(actions) == ["agreement.create", "agreement.revoke"]


def test_status_page_and_totals_are_scoped(world: World, app: Any) -> None:
    db = app.state.db
    app.state.settings.child_nodes = "01AB,01TE"
    ingest(db, [Received(replace(child_event(), occurred_at=clock.now()), "01AB", 1)])
    r = world.client.get("/sharing", headers=world.off("hn_leader"))
    assert r.status_code == 200
    assert "Kết nối dữ liệu" in r.text
    assert '<td>01AB</td><td class="num">1</td>' in r.text
    assert '<td>01TE</td><td class="num">0</td>' in r.text
    assert "<td>01B1</td><td>Tờ khai đăng ký</td>" in r.text  # the event type in words, not its code
    assert '<nav class="main"' in r.text  # inside the shared layout: navigation, logout
    assert 'http-equiv="refresh"' not in r.text  # refreshed when the officer asks, never by itself
    anonymous = world.client.get("/sharing", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303  # a browser is sent to log in, never shown a JSON 401
    assert anonymous.headers["location"].startswith("/login?next=/sharing")
    status = world.client.get("/api/v1/sharing/status", headers=world.off("hn_leader")).json()
    assert [c["received"] for c in status["children"]] == [1, 0]
    assert status["federated"] is False
    assert "Data sharing" in world.client.get("/sharing?lang=en", headers=world.off("hn_leader")).text
    refused = world.client.get("/sharing?lang=vi", headers=world.off("nb_officer1"))
    assert refused.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in refused.text  # the error page, not JSON
    assert refused.headers["content-type"].startswith("text/html")
    assert world.client.get("/api/v1/sharing/status", headers=world.ent("0100109106")).status_code == 403
    mine = world.client.get("/api/v1/sharing/totals", headers=world.off("hn_leader")).json()
    assert {t["unit"] for t in mine} == {"01B1"}
    assert world.client.get("/api/v1/sharing/totals", headers=world.off("hp_officer")).json() == []


def test_the_envelopes_the_database_writes_are_the_bytes_python_writes(db: Database) -> None:
    """On PostgreSQL the relay reads each envelope written by the database (relay.PG_ENVELOPE): the same
    bytes as domain.encode_with_payload for strings that need escaping, non-ASCII text and instants with
    and without microseconds; on SQLite the relay encodes them itself. Either decodes to the event."""
    seed(db)
    tricky = ['quote " back \\ slash', "line\nbreak\ttab\x01ctl", "Nguyễn Văn Á \u2028 /", ""]
    instants = [datetime(2026, 3, 1, 2, 0, tzinfo=UTC), datetime(2026, 3, 1, 2, 0, 0, 7, tzinfo=UTC)]
    with db.unit_of_work() as uow:
        for i, actor in enumerate(tricky):
            payload = {"goods": actor, "n": i, "nested": {"ê": [1, 2.5, None, True]}}
            row = {"id": new_id(), "type": "declaration.registered", "version": 1, "unit": "01"}
            row |= {
                "subject": default_subject("declaration.registered", "01"),
                "occurred_at": instants[i % 2],
            }
            uow.session.add(OutboxEvent(**row, actor=actor, payload=payload))
        uow.commit()
    relay = SharingNode(db, "nats://unused", LAYOUT).relay()
    out = relay.unpublished()
    q = select(*PORTABLE_COLUMNS, cast(OutboxEvent.payload, Text)).where(*relay._unpublished())
    with db.reading() as uow:
        python = _outgoing_portable(uow.session.connection().execute(q.order_by(OutboxEvent.seq)).all())
    assert out.items == python.items
    assert out.seqs == python.seqs
    decoded = [domain.decode(body) for _, body, _ in out.items[-len(tricky) :]]
    assert [e.actor for e in decoded] == tricky
    assert [e.occurred_at for e in decoded] == [instants[i % 2] for i in range(len(tricky))]
