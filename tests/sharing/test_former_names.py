"""A department still takes the events of a sub-department not yet upgraded: an envelope 1, as such a node
publishes it (recorded below: its type `declaration.register`, a command), goes through the federation
consumer's own path (the message as the hub stream delivers it, decoded, ingested) and reaches the
department's consumers under the name the catalogue gives it now, `declaration.registered`: the leaders'
rollups count it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from nats.aio.msg import Msg
from sqlalchemy import func, select

from haiquan.consumers import register_all
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.settings import Settings
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.domain import UnitTree
from haiquan.reports.tables import DailyDeclarationRow
from haiquan.sharing import domain, federation, service
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.tables import UnitEventTotal
from tests.sharing.test_service_api import seed
from tests.support import UNITS

LAYOUT = NodeLayout.build(UnitTree.build(UNITS), "01", parent=None, children=["01AB", "01TE"])

# Published by a node of the release before (envelope 1), as the hub stream holds it
RECORDED_V1 = (
    '{"envelope":1,"id":"5f0e2d9c8b7a41e3a0c1d2e3f4a5b6c7","type":"declaration.register","version":1,'
    '"unit":"01B1","subject":"hq.ev.01.01B1.declaration.register","occurred_at":"2026-03-02T02:00:00+00:00",'
    '"actor":"enterprise:0101248141","payload":{"number":"101234567897","kind":"import","category":"IDA",'
    '"office":"01B1","declarant_id":"d1","declarant_tax_code":"0101248141","importer_tax_code":"0101248141",'
    '"exporter_tax_code":null,"status":"registered","previous_status":"accepted","channel":"yellow",'
    '"transport_mode":"air","transport_document":"AWB1234","containers":[],"package_count":3,'
    '"gross_mass_kg":"120.5","customs_value_vnd":"250000000","total_duties":"25000000","duties_settled":false,'
    '"amendment_no":0,"lodged_at":"2026-03-02T01:00:00+00:00","registered_at":"2026-03-02T02:00:00+00:00",'
    '"cleared_at":null,"action":"register"}}'
)
ACK = "$JS.ACK.EV_01.fed_01.1.7.7.1772416800000000000.0"  # the 7th message of the department's stream


def delivered(data: str) -> Msg:
    return Msg(None, subject="hq.ev.01.01B1.declaration.register", reply=ACK, data=data.encode(),  # type: ignore[arg-type]
               headers={"Nats-Stream-Source": "EV_01AB:u01AB 7"})  # fmt: skip


def test_an_envelope_1_decodes_under_the_current_names() -> None:
    ev = domain.decode(RECORDED_V1, origin="01AB")
    assert (ev.type, ev.subject) == ("declaration.registered", "hq.ev.01.01B1.declaration.registered")
    assert ev.payload["number"] == "101234567897"
    assert ev.origin == "01AB"
    again = domain.decode(domain.encode(ev), origin="01AB")  # this release's envelope: taken as it is
    assert domain.encode(ev).startswith(b'{"envelope":2,')
    assert again == ev
    kept = RECORDED_V1.replace(
        '"envelope":1', '"envelope":2'
    )  # a former name in an envelope 2 is not renamed
    assert domain.decode(kept).type == "declaration.register"
    with pytest.raises(domain.EnvelopeError):  # the subject is checked against the type as it was sent
        domain.decode(RECORDED_V1.replace("01B1.declaration.register", "01B1.declaration.registered"))


def test_a_node_not_yet_upgraded_feeds_the_departments_consumers(db: Database, settings: Settings) -> None:
    seed(db)
    batch, sums = federation.received([delivered(RECORDED_V1)])
    with db.unit_of_work() as uow:
        assert service.ingest(uow.session, batch=batch, layout=LAYOUT, sums=sums) == (1, [])
        uow.commit()
    seen: list[Event] = []
    d = Dispatcher(db)
    register_all(d, settings)
    d.register(
        Consumer("t.registered", frozenset({DeclarationEvent.REGISTERED}), lambda uow, e: seen.append(e))
    )
    d.run_once()
    assert [(e.type, e.subject, e.federated) for e in seen] == [
        ("declaration.registered", "hq.ev.01.01B1.declaration.registered", True)
    ]
    with db.unit_of_work() as uow:
        s = uow.session
        stored = s.execute(select(OutboxEvent.type, OutboxEvent.origin)).all()
        assert [tuple(r) for r in stored if r[1]] == [("declaration.registered", "01AB")]
        summary = s.scalar(
            select(func.sum(UnitEventTotal.count)).where(
                UnitEventTotal.type == "declaration.registered", UnitEventTotal.dim == ""
            )
        )
        assert summary == 1
        row = s.get(DailyDeclarationRow, ("01B1", date(2026, 3, 2)))
        assert row is not None
        assert (row.registered, row.yellow) == (1, 1)
