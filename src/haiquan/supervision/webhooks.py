"""Status changes pushed to terminal operators' systems: signed like the declarations' webhooks
(HMAC-SHA256 over "<timestamp>.<body>" with the enterprise's webhook secret), retried with back-off; and
the background worker that delivers them and runs the alert scan."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow
from haiquan.kit import clock, webhooks
from haiquan.kit.auth import Scope
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.receivers import Receivers
from haiquan.kit.settings import Settings
from haiquan.organization.tables import EnterpriseRow
from haiquan.supervision.tables import ItemRow, LocationRow, OperatorRow, TerminalWebhookRow

log = structlog.get_logger(__name__)


def _operators_for(session: Session, c: ConsignmentRow) -> set[str]:
    ops = set(
        session.scalars(
            select(ItemRow.operator_id).where(ItemRow.consignment_id == c.id, ItemRow.state != "out")
        )
    )
    expected = session.scalar(select(LocationRow.operator_id).where(LocationRow.code == c.location_code))
    if expected:
        ops.add(expected)
    return ops


def enqueue_status(session: Session, c: ConsignmentRow, *, cause: str) -> int:
    """Queue the consignment's release status for every connected operator holding or expecting it."""
    from haiquan.kit.auth import Principal
    from haiquan.supervision.status import of_consignment

    system = Principal(kind="officer", id="system", name="system", scope=Scope(units=None))
    status = of_consignment(session, principal=system, ident=c.id)
    body = {
        "event": "consignment.status",
        "cause": cause,
        "at": clock.now().isoformat(),
        **status.model_dump(mode="json"),
    }
    n = 0
    for op_id in _operators_for(session, c):
        op = session.get(OperatorRow, op_id)
        if op is None or op.enterprise_id is None or op.connection_status not in ("testing", "live"):
            continue
        session.add(
            TerminalWebhookRow(
                operator_id=op.id, body=body, next_attempt_at=clock.now(), created_at=clock.now()
            )
        )
        n += 1
    return n


@dataclass
class SupervisionWorker:
    """Delivers terminal webhooks every second and scans for time-based alerts every `scan_every` seconds."""

    db: Database
    max_attempts: int = 8
    timeout: float = 5.0
    scan_every: float = 60.0
    settings: Settings | None = None  # its `development` flag is read at each round (kit.outbound)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _receivers: Receivers | None = None

    @property
    def receivers(self) -> Receivers:
        """Each terminal operator's deliveries on their own (kit.receivers)."""
        if self._receivers is None:
            self._receivers = Receivers(
                self.db, TerminalWebhookRow, self._attempt, receiver=lambda d: d.operator_id,
                client=lambda: webhooks.client(self.timeout, self.development), name="hq-sv-webhooks",
            )  # fmt: skip
        return self._receivers

    @property
    def development(self) -> bool:
        return self.settings is not None and self.settings.development

    def deliver_due(self, limit: int = 100) -> int:
        """One round of deliveries, waited for (tests, the command line)."""
        return self.receivers.deliver_due(limit)

    def _attempt(self, uow: UnitOfWork, http: httpx.Client, d: TerminalWebhookRow) -> int:
        op = uow.session.get(OperatorRow, d.operator_id)
        ent = uow.session.get(EnterpriseRow, op.enterprise_id) if op and op.enterprise_id else None
        if ent is None or not ent.webhook_url:
            d.state = "dropped"
            return 0
        body = json.dumps({"delivery": d.id, **d.body}, ensure_ascii=False).encode()
        return webhooks.attempt(
            http,
            d,
            url=ent.webhook_url,
            signing=webhooks.signing_of(ent),
            body=body,
            delivery_id=f"sv-{d.id}",
            max_attempts=self.max_attempts,
            development=self.development,
        )

    def scan(self) -> dict[str, int]:
        from haiquan.supervision.alerts import scan

        with self.db.unit_of_work() as uow:
            counts = scan(uow.session)
            uow.commit()
        return counts

    def start(self, interval: float = 1.0, leadership: Leadership | None = None) -> None:
        """With `leadership`, work only while this process holds it (one worker per database)."""
        if self._thread is not None:
            return
        self._stop.clear()
        since_scan = [0.0]

        def tick() -> None:
            self.receivers.tick()  # not waited for: a slow receiver holds only its own thread
            since_scan[0] += interval
            if since_scan[0] >= self.scan_every:
                since_scan[0] = 0.0
                self.scan()

        self._thread = run_duty("supervision", interval, tick, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._receivers is not None:
            self._receivers.close()
            self._receivers = None
