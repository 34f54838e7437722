"""The replicated records (decision 0038) on one database (SQLite and PostgreSQL): child nodes' events, as
ingest applies them, keep one row per declaration, manifest, transit or case, exactly once, in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from haiquan.cargo.catalogue import CargoEvent
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database, new_id
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Event, default_subject
from haiquan.organization import service as org
from haiquan.organization.domain import UnitTree
from haiquan.sharing import handlers, records, records_repository, service
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.records_tables import ReplicatedRecord
from haiquan.sharing.service import Received
from haiquan.supervision.catalogue import SupervisionEvent
from tests.support import UNITS

TREE = UnitTree.build(UNITS)
LAYOUT = NodeLayout.build(TREE, "01", parent=None, children=["01AB", "01TE"])
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def ev(type_: str, payload: dict[str, Any], *, unit: str = "01AB", at: datetime = T0) -> Event:
    return Event(new_id(), 0, type_, 1, unit, default_subject(type_, unit), at, "officer:x", payload, "01AB")


def declaration(status: str, **over: Any) -> dict[str, Any]:
    """A declarations.catalogue.DeclarationChanged payload."""
    body: dict[str, Any] = {
        "number": "100000000017", "kind": "import", "category": "A11", "office": "01AB",
        "declarant_id": "e1", "declarant_tax_code": "0100109106", "importer_tax_code": "0101248141",
        "exporter_tax_code": None, "status": status, "previous_status": None, "channel": None,
        "transport_mode": "air", "transport_document": "738-12345675", "containers": [], "package_count": 10,
        "gross_mass_kg": "120.5", "customs_value_vnd": "260000000", "total_duties": "26000000",
        "duties_settled": False, "amendment_no": 0, "lodged_at": T0.isoformat(), "registered_at": None,
        "cleared_at": None, "action": "lodge",
    }  # fmt: skip
    return body | over


def seed(db: Database) -> None:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        uow.commit()
    org.TREES.invalidate()


def ingest(db: Database, events: list[Event], node: str = "01AB") -> int:
    """The events applied as the federation consumer does, then the outbox consumers run (the records are
    projected by `sharing.records` from the outbox copies)."""
    with db.unit_of_work() as uow:
        applied, _ = service.ingest(
            uow.session, batch=[Received(e, node, i + 1) for i, e in enumerate(events)], layout=LAYOUT
        )
        uow.commit()
    dispatcher = Dispatcher(db)
    handlers.register(dispatcher)
    dispatcher.run_once()
    return applied


def one(db: Database, kind: str, record_id: str, units: str = "01") -> records_repository.Record:
    with db.unit_of_work() as uow:
        scope = org.officer_scope(TREE, units)
        return records_repository.get_record(uow.session, kind=kind, record_id=record_id, scope=scope)


def test_a_declaration_is_one_row_its_last_event_tells_its_status_and_redelivery_is_a_no_op(
    db: Database,
) -> None:
    seed(db)
    lodged = ev(DeclarationEvent.LODGED, declaration("lodged"))
    registered = ev(
        DeclarationEvent.REGISTERED,
        declaration("registered", channel="yellow", registered_at=(T0 + timedelta(minutes=5)).isoformat()),
        at=T0 + timedelta(minutes=5),
    )
    assert ingest(db, [lodged]) == 1
    assert ingest(db, [registered, lodged]) == 1  # the lodgement again: skipped by the inbox
    assert ingest(db, [registered]) == 0
    r = one(db, "declaration", "100000000017")
    assert (r.kind, r.reference, r.unit, r.origin, r.status, r.events) == (
        "declaration", "100000000017", "01AB", "01AB", "registered", 2,
    )  # fmt: skip
    assert r.updated_at == T0 + timedelta(minutes=5)
    assert r.received_at >= r.updated_at
    assert r.summary["lane"] == "yellow"
    assert r.summary["trader_tax_code"] == "0101248141"
    assert r.summary["total_duties"] == "26000000"
    assert r.summary["last_event"] == DeclarationEvent.REGISTERED
    assert [h["type"] for h in r.history] == [DeclarationEvent.LODGED, DeclarationEvent.REGISTERED]
    assert "declarant_id" not in r.summary
    assert "containers" not in r.summary


def test_a_late_older_event_never_overwrites_a_newer_status(db: Database) -> None:
    seed(db)
    cleared = ev(
        DeclarationEvent.CLEARED, declaration("cleared", channel="green"), at=T0 + timedelta(hours=1)
    )
    lodged = ev(DeclarationEvent.LODGED, declaration("lodged"), at=T0)
    ingest(db, [cleared])
    ingest(db, [lodged])
    r = one(db, "declaration", "100000000017")
    assert (r.status, r.updated_at, r.events) == ("cleared", T0 + timedelta(hours=1), 2)
    assert [h["type"] for h in r.history] == [DeclarationEvent.LODGED, DeclarationEvent.CLEARED]


def test_the_history_is_bounded(db: Database) -> None:
    seed(db)
    n = records.HISTORY_MAX + 7
    evs = [
        ev(DeclarationEvent.AMENDED, declaration("lodged", amendment_no=i), at=T0 + timedelta(seconds=i))
        for i in range(n)
    ]
    ingest(db, evs[:10])
    ingest(db, evs[10:])
    r = one(db, "declaration", "100000000017")
    assert r.events == n
    assert len(r.history) == records.HISTORY_MAX
    assert r.history[-1]["at"] == (T0 + timedelta(seconds=n - 1)).isoformat(timespec="microseconds")
    assert r.summary["amendment_no"] == n - 1


def test_cases_manifests_and_transits_are_kept_and_other_events_are_not(db: Database) -> None:
    seed(db)
    facts = {"case_id": "c1", "number": "01AB-2026-00001", "unit": "01B1", "field": "drugs", "route": "air",
             "province": "01", "region": "north"}  # fmt: skip
    opened = ev(EnforcementEvent.CASE_OPENED, facts | {"detected_on": "2026-03-01", "coordinated_with": []},
                unit="01B1")  # fmt: skip
    moved = ev(
        EnforcementEvent.CASE_STATUS_CHANGED,
        facts
        | {"from": "detected", "to": "under_investigation", "decided_on": "2026-03-02", "outcome": None},
        unit="01B1",
        at=T0 + timedelta(days=1),
    )
    manifest = ev(CargoEvent.MANIFEST_RECEIVED, {
        "manifest_id": "m1", "reference": "VN123/0301", "mode": "air", "vessel": "VN123", "voyage": "0301",
        "location_code": "VNHAN", "expected_arrival": T0.isoformat(), "late_by_seconds": 0, "version": 1,
        "consignments": [{"goods_id": "g1", "risk_score": 0.1, "scan_required": False}] * 3,
    })  # fmt: skip
    transit = ev(SupervisionEvent.TRANSIT_ACCEPTED, {
        "transit_id": "t1", "number": "TR0001", "transport": "transit", "declarant_id": "e1",
        "tax_code": "0100109106", "departure_office": "01AB", "destination_office": "03CC",
        "status": "accepted", "deadline": None, "outcome": "", "note": "",
    })  # fmt: skip
    counted_only = ev(SupervisionEvent.MOVEMENTS_APPLIED, {"goods": ["g1"]})
    no_number = ev(DeclarationEvent.LODGED, {"status": "lodged"})  # a payload without the record's id
    foreign = ev(DeclarationEvent.LODGED, declaration("lodged", number="300000000001"), unit="03CC")
    assert ingest(db, [opened, moved, manifest, transit, counted_only, no_number, foreign]) == 6
    case = one(db, "case", "c1")
    assert (case.reference, case.unit, case.status) == ("01AB-2026-00001", "01B1", "under_investigation")
    assert one(db, "case", "01AB-2026-00001").record_id == "c1"  # opened by its number too
    m = one(db, "manifest", "m1")
    assert (m.status, m.summary["bills"], m.summary["vessel"]) == ("received", 3, "VN123")
    t = one(db, "transit", "t1")
    assert (t.reference, t.status, t.summary["destination_office"]) == ("TR0001", "accepted", "03CC")
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ReplicatedRecord)) == 3


def test_lists_are_scoped_to_the_callers_units(db: Database) -> None:
    seed(db)
    ingest(
        db, [ev(DeclarationEvent.LODGED, declaration("lodged", number=f"10000000010{i}")) for i in range(3)]
    )
    ingest(
        db, [ev(DeclarationEvent.LODGED, declaration("lodged", number="100000000200"), unit="01TE")], "01TE"
    )
    with db.unit_of_work() as uow:
        s = uow.session
        every, n = records_repository.list_records(s, scope=org.officer_scope(TREE, "01"))
        assert n == 4
        assert len(every) == 4
        te, n = records_repository.list_records(s, scope=org.officer_scope(TREE, "01TE"))
        assert n == 1
        assert te[0].record_id == "100000000200"
        page, n = records_repository.list_records(s, scope=Scope(units=None), q="1000000001", limit=2)
        assert n == 3
        assert len(page) == 2
        none, n = records_repository.list_records(s, scope=org.officer_scope(TREE, "03"))
        assert (none, n) == ([], 0)


def test_a_batch_of_2000_events_is_a_few_statements(db: Database) -> None:
    seed(db)
    evs = [ev(DeclarationEvent.LODGED, declaration("lodged", number=f"{i:012d}")) for i in range(2000)]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "replicated" in statement:
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert ingest(db, evs) == 2000
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    # per chunk the dispatcher applies (up to 1,000 events): the read, and on SQLite the one executemany
    # upsert (COPY on PostgreSQL); never one per event
    assert len(statements) <= 2 * 3, [s[:60] for s in statements]
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ReplicatedRecord)) == 2000
