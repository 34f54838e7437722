"""The rollups consumer sums a chunk of events in memory and writes each touched row once: the figures must
be exactly those of applying the events one at a time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from haiquan.declarations.catalogue import DeclarationEvent as D
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.kit import clock
from haiquan.kit.db import Base
from haiquan.kit.outbox import Event
from haiquan.reports import handlers
from haiquan.reports.tables import (
    DailyClearanceRow,
    DailyDeclarationRow,
    DailyDwellRow,
    DailySeizureRow,
    DailySupervisionRow,
    OpenAlertRow,
    RunningBalanceRow,
)
from haiquan.supervision.catalogue import SupervisionEvent
from tests.reports.supervision_facts import alert, closed, gate_in, gate_out, movements, raised
from tests.support import World

TABLES: list[type[Base]] = [
    DailyDeclarationRow,
    DailyClearanceRow,
    DailySupervisionRow,
    DailyDwellRow,
    DailySeizureRow,
    RunningBalanceRow,
    OpenAlertRow,
]
OFFICES = ["01AB", "01B1", "01B3", "01TE", "03CC"]


SUPERVISION = [
    SupervisionEvent.MOVEMENTS_APPLIED,
    SupervisionEvent.ALERTS_RAISED,
    SupervisionEvent.ALERT_CLOSED,
]


def _supervision(
    rng: random.Random, kind: str, i: int, office: str, at: datetime, opened: list[tuple[int, str]]
) -> tuple[str, dict[str, Any]]:
    """The event's unit and payload as supervision records them. A closing names an alert raised earlier
    (perhaps in the same chunk, perhaps closed already) or one raised before the reports existed."""
    if kind == SupervisionEvent.ALERTS_RAISED:
        opened.append((i, office))
        return office, raised(alert(i, office, at))[1]
    if kind == SupervisionEvent.ALERT_CLOSED:
        alert_id, unit = rng.choice([*opened, (10**6 + i, office)])
        return unit, closed(alert_id, at)[1]
    ins = [gate_in(rng.choice(OFFICES), at) for _ in range(rng.randint(0, 3))]
    outs = [
        gate_out(rng.choice(OFFICES), at, timedelta(hours=rng.randint(0, 200)))
        for _ in range(rng.randint(0, 3))
    ]
    return office, movements(ins, outs)[1]


def _events(n: int) -> list[Event]:
    rng, out = random.Random(5), []
    opened: list[tuple[int, str]] = []
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(n):
        at = start + timedelta(hours=rng.randint(0, 96))
        office = rng.choice(OFFICES)
        kind = rng.choice([D.LODGED, D.REGISTERED, D.CLEARED, D.CANCELLED,
                           *SUPERVISION, EnforcementEvent.SEIZURE_RECORDED])  # fmt: skip
        payload: dict[str, Any] = {"office": office, "unit": office, "channel": rng.choice(["green", "yellow", "red"]),
                                   "lodged_at": at.isoformat(), "registered_at": at.isoformat(),
                                   "cleared_at": (at + timedelta(minutes=rng.randint(1, 900))).isoformat(),
                                   "province": "Lào Cai", "route": "road",
                                   "substance": "heroin", "quantity": "12.5", "unit_of_measure": "kg",
                                   "seized_at": at.isoformat()}  # fmt: skip
        if kind in SUPERVISION:
            office, payload = _supervision(rng, kind, i, office, at, opened)
        out.append(
            Event(f"e{i}", i + 1, kind, 1, office, f"hq.ev.{office[:2]}.{office}.{kind}", at, "t", payload)
        )
    return out


def _figures(app: Any) -> dict[str, list[Any]]:
    with app.state.db.unit_of_work() as uow:
        return {
            m.__tablename__: sorted(tuple(r) for r in uow.session.execute(select(m.__table__)).all())
            for m in TABLES
        }


def _wipe(app: Any) -> None:
    with app.state.db.unit_of_work() as uow:
        for m in TABLES:
            uow.session.execute(delete(m))
        uow.commit()


def test_a_chunk_summed_in_memory_equals_the_events_one_by_one(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 10, tzinfo=UTC))
    events = _events(300)
    for ev in events:
        with app.state.db.unit_of_work() as uow:
            handlers.apply(uow, ev)
            uow.commit()
    one_by_one = _figures(app)
    _wipe(app)
    for lo in range(0, len(events), 120):  # chunks, as the dispatcher hands them
        with app.state.db.unit_of_work() as uow:
            handlers.apply_many(uow, events[lo : lo + 120])
            uow.commit()
    assert _figures(app) == one_by_one
    assert one_by_one["reports_daily_declarations"]  # the events did move figures
    sup = one_by_one["reports_daily_supervision"]
    assert all(sum(r[k] for r in sup) for k in (2, 3, 4, 5))  # gates in and out, alerts opened and closed
    assert one_by_one["reports_daily_dwell"]
    assert one_by_one["reports_open_alerts"]
