"""Notifications: each declaration status change becomes a notification the declarant pulls with a cursor
and receives by webhook (signed, retried with back-off, never blocking the request)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import structlog
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from haiquan.declarations.catalogue import CHANGES
from haiquan.declarations.schemas import NOTIFIED, NotificationOut
from haiquan.declarations.tables import NotificationRow, WebhookDeliveryRow
from haiquan.kit import clock, webhooks
from haiquan.kit.db import Database, UnitOfWork, among
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.receivers import Receivers
from haiquan.kit.settings import Settings
from haiquan.organization.tables import EnterpriseRow

log = structlog.get_logger(__name__)


def on_declaration_event(uow: UnitOfWork, event: Event) -> None:
    on_declaration_events(uow, [event])


def on_declaration_events(uow: UnitOfWork, events: list[Event], keys: tuple[str, ...] = NOTIFIED) -> None:
    """A chunk of status changes: the notifications in one insert (to the declarant, and to the importer
    or exporter named as party when another registered enterprise), and a webhook delivery for each whose
    enterprise has a webhook (their addresses read in one query)."""
    s = uow.session
    parties = _party_ids(s, events)
    rows = [
        {
            "event_id": ev.id,
            "enterprise_id": who,
            "declaration_number": ev.payload["number"],
            "status": ev.payload["status"],
            "at": ev.occurred_at,
            "payload": {k: ev.payload.get(k) for k in keys},
        }
        for ev in events
        if ev.payload.get("declarant_id")
        for who in _addressees(ev, parties)
    ]
    if not rows:
        return
    q = select(EnterpriseRow.id, EnterpriseRow.webhook_url).where(
        among(s, EnterpriseRow.id, {r["enterprise_id"] for r in rows})
    )
    hooks = {ent: url for ent, url in s.execute(q).all() if url}
    if not hooks:
        s.execute(insert(NOTIFICATIONS), rows)
        return
    seqs = s.execute(
        insert(NOTIFICATIONS).returning(NOTIFICATIONS.c.seq, sort_by_parameter_order=True), rows
    ).scalars()
    now = clock.now()
    deliveries = [
        {"notification_seq": seq, "enterprise_id": r["enterprise_id"], "url": hooks[r["enterprise_id"]],
         "next_attempt_at": now, "state": "pending"}
        for seq, r in zip(seqs, rows, strict=True)
        if r["enterprise_id"] in hooks
    ]  # fmt: skip
    s.execute(insert(DELIVERIES), deliveries)


def party_tax_code(payload: dict[str, Any]) -> str | None:
    """The importer of an import, the exporter of an export: the enterprise in whose name it was lodged."""
    key = "importer_tax_code" if payload.get("kind") == "import" else "exporter_tax_code"
    code = payload.get(key)
    return str(code) if code and code != payload.get("declarant_tax_code") else None


def _party_ids(s: Session, events: list[Event]) -> dict[str, str]:
    """The enterprise ids of the parties named by these events, by tax code (registered ones only)."""
    codes = {c for ev in events if (c := party_tax_code(ev.payload))}
    if not codes:
        return {}
    q = select(EnterpriseRow.tax_code, EnterpriseRow.id).where(among(s, EnterpriseRow.tax_code, codes))
    return dict(s.execute(q).all())


def _addressees(ev: Event, parties: dict[str, str]) -> list[str]:
    declarant = str(ev.payload["declarant_id"])
    party = parties.get(party_tax_code(ev.payload) or "")
    return [declarant] if party is None or party == declarant else [declarant, party]


NOTIFICATIONS = cast(Table, NotificationRow.__table__)
DELIVERIES = cast(Table, WebhookDeliveryRow.__table__)


def consumer() -> Consumer:
    return Consumer("notifications", CHANGES, on_declaration_event, many=on_declaration_events)


def pull(session: object, *, enterprise_id: str, after: int, limit: int) -> list[NotificationOut]:
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
    settings: Settings | None = None  # its `development` flag is read at each round (kit.outbound)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _receivers: Receivers | None = None

    @property
    def receivers(self) -> Receivers:
        """Each enterprise's deliveries on their own (kit.receivers)."""
        if self._receivers is None:
            self._receivers = Receivers(
                self.db, WebhookDeliveryRow, self._attempt, receiver=lambda d: d.enterprise_id,
                client=lambda: webhooks.client(self.timeout, self.development), name="hq-webhooks",
            )  # fmt: skip
        return self._receivers

    @property
    def development(self) -> bool:
        return self.settings is not None and self.settings.development

    def deliver_due(self, limit: int = 100) -> int:
        """One round of deliveries, waited for (tests, the command line)."""
        return self.receivers.deliver_due(limit)

    def tick(self) -> None:
        """The background round: receivers handed to the pool, not waited for."""
        self.receivers.tick()

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
            signing=webhooks.signing_of(ent),
            body=body,
            delivery_id=str(d.id),
            max_attempts=self.max_attempts,
            development=self.development,
        )

    def start(self, interval: float = 1.0, leadership: Leadership | None = None) -> None:
        """With `leadership`, deliver only while this process holds it (one sender per database)."""
        if self._thread is None:
            self._thread = run_duty("webhooks", interval, self.tick, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._receivers is not None:
            self._receivers.close()
            self._receivers = None
