"""A blue declaration (released at once, audited later) joins the audit team's queue when it registers.
Applied once per event (the dispatcher's consumption record; a candidate is also unique per number and
source). Handlers never commit."""

from __future__ import annotations

from haiquan.audit import audit_work, service
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event


def on_registered(uow: UnitOfWork, event: Event) -> None:
    if event.payload.get("channel") == "blue":
        service.queue_blue(uow.session, event.payload, actor="system:audit")


def consumers() -> list[Consumer]:
    return [Consumer("audit.blue_lane", frozenset({DeclarationEvent.REGISTERED}), on_registered)]


audit_work.register()  # the department's audit team and its sub-departments' candidates (decision 0039)
