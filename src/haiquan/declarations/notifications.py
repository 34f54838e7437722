"""Notifications: each declaration status change becomes a notification the declarant pulls with a cursor
and receives by webhook (signed, retried with back-off, never blocking the request)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import httpx
import structlog
from sqlalchemy import select

from haiquan.declarations.schemas import NotificationOut
from haiquan.declarations.tables import NotificationRow, WebhookDeliveryRow
from haiquan.kit import clock, webhooks
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.tables import EnterpriseRow

log = structlog.get_logger(__name__)


def on_declaration_event(uow: UnitOfWork, event: Event) -> None:
    p = event.payload
    enterprise_id = p.get("declarant_id")
    if not enterprise_id:
        return
    s = uow.session
    note = NotificationRow(
        event_id=event.id,
        enterprise_id=enterprise_id,
        declaration_number=p["number"],
        status=p["status"],
        at=event.occurred_at,
        payload={
            k: p.get(k)
            for k in (
                "number",
                "status",
                "previous_status",
                "action",
                "channel",
                "total_duties",
                "duties_settled",
                "office",
            )
        },
    )
    s.add(note)
    s.flush()
    ent = s.get(EnterpriseRow, enterprise_id)
    if ent is not None and ent.webhook_url:
        s.add(
            WebhookDeliveryRow(
                notification_seq=note.seq,
                enterprise_id=enterprise_id,
                url=ent.webhook_url,
                next_attempt_at=clock.now(),
                state="pending",
            )
        )


def consumer() -> Consumer:
    return Consumer("notifications", frozenset(), on_declaration_event, prefixes=("declaration.",))


def pull(session: object, *, enterprise_id: str, after: int, limit: int) -> list[NotificationOut]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    rows = session.scalars(
        select(NotificationRow)
        .where(NotificationRow.enterprise_id == enterprise_id, NotificationRow.seq > after)
        .order_by(NotificationRow.seq)
        .limit(limit)
    ).all()
    return [
        NotificationOut(
            seq=r.seq,
            declaration_number=r.declaration_number,
            status=r.status,
            at=r.at,
            payload=dict(r.payload),
        )
        for r in rows
    ]


@dataclass
class WebhookSender:
    """Delivers pending webhooks in a background thread; failures back off and retry, up to max_attempts."""

    db: Database
    max_attempts: int = 8
    timeout: float = 5.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def deliver_due(self, limit: int = 100) -> int:
        return webhooks.deliver_due(
            self.db, WebhookDeliveryRow, self._attempt, timeout=self.timeout, limit=limit
        )

    def _attempt(self, uow: UnitOfWork, http: httpx.Client, d: WebhookDeliveryRow) -> int:
        note = uow.session.get(NotificationRow, d.notification_seq)
        ent = uow.session.get(EnterpriseRow, d.enterprise_id)
        if note is None or ent is None:
            d.state = "dropped"
            return 0
        body = json.dumps(
            {
                "seq": note.seq,
                "declaration_number": note.declaration_number,
                "status": note.status,
                "at": note.at.isoformat(),
                "payload": note.payload,
            },
            default=str,
        ).encode()
        return webhooks.attempt(
            http,
            d,
            url=d.url,
            secret=ent.webhook_secret or "",
            body=body,
            delivery_id=str(d.id),
            max_attempts=self.max_attempts,
        )

    def start(self, interval: float = 1.0, leadership: Leadership | None = None) -> None:
        """With `leadership`, deliver only while this process holds it (one sender per database)."""
        if self._thread is None:
            self._thread = run_duty("webhooks", interval, self.deliver_due, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
