"""The special regimes' consumers. The stock ledger is written here only: from the declarations' events
(cleared: the movements booked; amended after registration or cancelled: corrected), and from the
supervision gate messages at bonded warehouses (goods out without a declaration: a discrepancy). The
dispatcher applies each event once per consumer; the ledger's (event_id, leg) key holds it once as well.
The enterprise hears of its deadlines on its declaration's notifications and webhook."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.notifications import on_declaration_events as notify_declarants
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.sql import among
from haiquan.organization.tables import EnterpriseRow
from haiquan.regimes import discrepancies, ledger, repository
from haiquan.regimes.catalogue import NOTIFIED, RegimeEvent
from haiquan.regimes.domain import Entry
from haiquan.regimes.rules import Regime, rules
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.domain import LocationKind
from haiquan.supervision.tables import LocationRow, OperatorRow

BOOKING = frozenset(
    {DeclarationEvent.CLEARED, DeclarationEvent.AMENDED_AFTER_REGISTRATION, DeclarationEvent.CANCELLED}
)
# gate alerts that mean goods left a bonded warehouse outside a declaration
GATE_KINDS = frozenset({"refused_exit", "gate_out_without_gate_in", "mismatch"})


def _enterprise_ids(session: Session, tax_codes: set[str]) -> dict[str, str]:
    if not tax_codes:
        return {}
    q = select(EnterpriseRow.tax_code, EnterpriseRow.id).where(
        among(session, EnterpriseRow.tax_code, tax_codes)
    )
    return dict(session.execute(q).all())


def on_declaration_events(uow: UnitOfWork, events: list[Event]) -> None:
    """A chunk of declaration events: the few under a regime read at once, booked in event order."""
    s = uow.session
    declared = repository.unscoped_declarations(s, {str(ev.payload["number"]) for ev in events}, rules())
    if not declared:
        return
    booked: dict[str, list[Entry]] = repository.unscoped_booked(s, declared)
    parties = {ledger.owner_of(d, {}).tax_code for d in declared.values()}
    ids = _enterprise_ids(s, parties)
    for ev in events:
        d = declared.get(str(ev.payload["number"]))
        if d is not None:
            owner = ledger.owner_of(d, ids)
            booked[d.row.number] = ledger.on_declaration(s, ev, d, owner, booked.get(d.row.number, []))


def on_declaration_event(uow: UnitOfWork, event: Event) -> None:
    on_declaration_events(uow, [event])


def on_alerts(uow: UnitOfWork, event: Event) -> None:
    """Gate alerts at a bonded warehouse: the goods moved outside a declaration, a discrepancy of the
    warehouse keeper's (the operator of the location)."""
    s = uow.session
    raised: list[dict[str, Any]] = [a for a in event.payload.get("alerts", []) if a.get("kind") in GATE_KINDS]
    codes = {str(a["location"]) for a in raised if a.get("location")}
    if not codes:
        return
    q = (
        select(LocationRow.code, LocationRow.unit, OperatorRow.tax_code, OperatorRow.enterprise_id)
        .join(OperatorRow, OperatorRow.id == LocationRow.operator_id)
        .where(among(s, LocationRow.code, codes), LocationRow.kind == LocationKind.BONDED_WAREHOUSE)
    )
    bonded = {code: (unit, tax, ent) for code, unit, tax, ent in s.execute(q).all()}
    for a in raised:
        where = bonded.get(str(a.get("location")))
        if where is None:
            continue
        unit, tax, ent = where
        discrepancies.record(
            s, unit=unit, tax_code=tax, enterprise_id=ent, regime=Regime.BONDED_WAREHOUSE.value,
            kind="gate_exit_without_declaration", source=f"alert:{a['alert_id']}", location=a.get("location"),
            detail={"goods_id": a.get("goods_id"), "alert_kind": a.get("kind"), "alert_id": a.get("alert_id")},
        )  # fmt: skip


# what the declarant's notification carries of a deadline event
KEYS = (
    "number", "status", "action", "office", "deadline_id", "line_no", "deadline_kind", "regime", "due_on",
    "quantity_left", "duty_at_stake", "duty_booked", "late",
)  # fmt: skip


def as_notification(ev: Event) -> Event:
    """A deadline as the declaration's notifications name it: `regime_deadline_near|passed|discharged`."""
    status = "regime_" + RegimeEvent(ev.type).name.lower()
    payload = dict(ev.payload) | {"status": status, "action": status, "office": ev.unit}
    return replace(ev, payload=payload)


def on_deadline_events(uow: UnitOfWork, events: list[Event]) -> None:
    notify_declarants(uow, [as_notification(ev) for ev in events], keys=KEYS)


def on_deadline_event(uow: UnitOfWork, event: Event) -> None:
    on_deadline_events(uow, [event])


def consumers() -> list[Consumer]:
    return [
        Consumer("regimes.ledger", BOOKING, on_declaration_event, many=on_declaration_events),
        Consumer("regimes.gates", frozenset({SupervisionEvent.ALERTS_RAISED}), on_alerts),
        Consumer("regimes.notifications", NOTIFIED, on_deadline_event, many=on_deadline_events),
    ]
