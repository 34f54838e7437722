"""The declarant hears of every permit change at once: a notification it pulls with the declaration's
others, and its webhook (declarations.notifications), naming the agency, the line and since when."""

from __future__ import annotations

from dataclasses import replace

from haiquan.agencies import service
from haiquan.agencies.catalogue import NOTIFIED, AgencyEvent
from haiquan.declarations.notifications import on_declaration_events
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.sharing.service import register_applier

# the requirements table flows down with the other reference data (kind "agency_requirements")
register_applier("agency_requirements", service.apply_requirements)

# what the declarant's notification carries of a permit event
KEYS = (
    "number", "status", "previous_status", "action", "office", "permit_id", "line_no", "hs_code", "agency",
    "requirement", "requested_at", "deadline", "outcome", "reason", "conditions", "lab_reference",
)  # fmt: skip


def as_notification(ev: Event) -> Event:
    """The permit's status as the declaration's notifications name it: `permit_<status>`."""
    p = ev.payload
    payload = dict(p) | {"status": f"permit_{p['status']}", "action": AgencyEvent(ev.type).name.lower()}
    payload["previous_status"] = f"permit_{p['previous_status']}" if p.get("previous_status") else None
    return replace(ev, payload=payload)


def on_permit_events(uow: UnitOfWork, events: list[Event]) -> None:
    on_declaration_events(uow, [as_notification(ev) for ev in events], keys=KEYS)


def on_permit_event(uow: UnitOfWork, event: Event) -> None:
    on_permit_events(uow, [event])


def consumers() -> list[Consumer]:
    return [Consumer("agencies.notifications", frozenset(NOTIFIED), on_permit_event, many=on_permit_events)]
