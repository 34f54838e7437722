"""Use cases on a lodged parcel: hold it (an officer, or a scanner flagging it through haiquan.inspection),
release it, turn it red. Keyword-only; they never commit: the caller's unit of work does (for the routes,
the low-value writer). With HAIQUAN_LOWVALUE_SCHEMA set, the session must be one of `app.state.lowvalue.db`
(whose search path finds the low-value tables); otherwise any session of the database will do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.errors import NotFound
from haiquan.lowvalue import repository
from haiquan.lowvalue.catalogue import LowValueEvent
from haiquan.lowvalue.domain import Command, Lane, Status, transition
from haiquan.lowvalue.schemas import ParcelOut, ParcelPage
from haiquan.lowvalue.tables import ParcelRow

EVENT = {
    Command.HOLD: LowValueEvent.PARCEL_HELD,
    Command.RELEASE: LowValueEvent.PARCEL_RELEASED,
    Command.TURN_RED: LowValueEvent.PARCEL_TURNED_RED,
}


def hold_parcel(
    session: Session, *, number: str, reason: str, actor: str, scope: Scope, source: str = "officer"
) -> ParcelRow:
    """Hold a parcel (cleared or released before): `source` says who flagged it ("officer", "scanner",
    "express_agent"). 404 outside `scope`, 409 when already held."""
    return _apply(
        session, Command.HOLD, number=number, reason=reason, actor=actor, scope=scope, source=source
    )


def release_parcel(session: Session, *, number: str, reason: str, actor: str, scope: Scope) -> ParcelRow:
    """Release a held parcel (an officer's decision). 404 outside `scope`, 409 when not held."""
    return _apply(session, Command.RELEASE, number=number, reason=reason, actor=actor, scope=scope)


def turn_red(session: Session, *, number: str, reason: str, actor: str, scope: Scope) -> ParcelRow:
    """Send a parcel to physical inspection: lane red, held until released."""
    return _apply(session, Command.TURN_RED, number=number, reason=reason, actor=actor, scope=scope)


def _apply(
    session: Session,
    command: Command,
    *,
    number: str,
    reason: str,
    actor: str,
    scope: Scope,
    source: str = "",
) -> ParcelRow:
    row = repository.parcel(session, number, scope=scope, for_update=True)
    if row is None:
        raise NotFound(f"no parcel {number} in your scope", field="number", code="parcel_not_found")
    lane = Lane.RED if command is Command.TURN_RED else Lane(row.lane)
    status = transition(Status(row.status), command, lane=Lane(row.lane))
    row.lane, row.status, row.updated_at = lane.value, status.value, clock.now()  # flushed at commit
    payload = {
        "number": number,
        "office": row.office,
        "lane": lane.value,
        "status": status.value,
        "reason": reason,
    }
    if command is Command.HOLD:
        payload["source"] = source
    event: LowValueEvent = EVENT[command]  # a member of the catalogue
    outbox.record(session, type=event, unit=row.office, actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action=f"lowvalue.{command.value}",
        target=number,
        unit=row.office,
        detail=payload,
    )
    return row


def parcel_out(row: ParcelRow) -> ParcelOut:
    return ParcelOut(
        number=row.number,
        declaration_type=row.declaration_type,
        manifest_id=row.manifest_id,
        key=row.item_key,
        bag=row.bag,
        office=row.office,
        consignee_name=row.consignee_name,
        description=row.description,
        hs_code=row.hs_code,
        country=row.country,
        value=row.value,
        currency=row.currency,
        value_vnd=row.value_vnd,
        weight_kg=row.weight_kg,
        lane=Lane(row.lane),
        status=Status(row.status),
        reasons=list(row.reasons),
        lodged_at=row.lodged_at,
        updated_at=row.updated_at,
    )


def parcel(session: Session, *, number: str, scope: Scope) -> ParcelOut:
    row = repository.parcel(session, number, scope=scope)
    if row is None:
        raise NotFound(f"no parcel {number} in your scope", field="number", code="parcel_not_found")
    return parcel_out(row)


def search(
    session: Session,
    *,
    scope: Scope,
    manifest_id: str | None,
    status: str | None,
    lane: str | None,
    after: str | None,
    limit: int,
) -> ParcelPage:
    rows = repository.search(
        session, scope=scope, manifest_id=manifest_id, status=status, lane=lane, after=after, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return ParcelPage(items=[parcel_out(r) for r in rows], next_cursor=rows[-1].number if more else None)


@dataclass(eq=False)
class ParcelAction:
    """A hold, release or turn to red as the low-value writer's work (kit.groupcommit.Work)."""

    principal: Principal
    command: Command
    number: str
    reason: str

    @classmethod
    def prefetch(cls, session: Session, works: Any) -> None:
        return None

    def run(self, session: Session) -> ParcelOut:
        p = self.principal
        source = "officer" if p.is_officer else "express_agent"
        row = _apply(
            session,
            self.command,
            number=self.number,
            reason=self.reason,
            actor=p.label,
            scope=p.scope,
            source=source,
        )
        return parcel_out(row)

    @classmethod
    def finish(cls, session: Session, works: Any) -> None:
        return None
