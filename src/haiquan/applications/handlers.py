"""The applicant hears of every step of its application at once: a notification it pulls with its
declarations' others, and its webhook (declarations.notifications), naming the application, its kind, the
status and the deadline; the decision with its reasons."""

from __future__ import annotations

from dataclasses import replace

from haiquan.applications.catalogue import NOTIFIED, ApplicationEvent
from haiquan.declarations.notifications import on_declaration_events
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event

# what the applicant's notification carries of an application event
KEYS = (
    "number", "status", "previous_status", "action", "office", "application_id", "kind", "deadline",
    "deadline_source", "outcome", "reasons", "amount_granted", "decided_hs_code", "valid_from", "valid_to",
    "new_due_date", "info_request", "amount", "paid_back",
)  # fmt: skip


def as_notification(ev: Event) -> Event:
    """The application's status as the notifications name it: `application_<status>`."""
    p = ev.payload
    payload = dict(p) | {
        "status": f"application_{p['status']}",
        "action": ApplicationEvent(ev.type).name.lower(),
    }
    payload["previous_status"] = f"application_{p['previous_status']}" if p.get("previous_status") else None
    return replace(ev, payload=payload)


def on_application_events(uow: UnitOfWork, events: list[Event]) -> None:
    on_declaration_events(uow, [as_notification(ev) for ev in events], keys=KEYS)


def on_application_event(uow: UnitOfWork, event: Event) -> None:
    on_application_events(uow, [event])


def consumers() -> list[Consumer]:
    return [
        Consumer(
            "applications.notifications",
            frozenset(NOTIFIED),
            on_application_event,
            many=on_application_events,
        )
    ]
