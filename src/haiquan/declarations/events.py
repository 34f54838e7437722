"""One place where a declaration changes status, as its lifecycle (domain.LIFECYCLE) allows: history row,
outbox event, audit entry."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from haiquan.declarations.domain import Command, Status, move
from haiquan.declarations.tables import DeclarationHistoryRow, DeclarationRow
from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.metrics import DECLARATIONS

HISTORY = cast(Table, DeclarationHistoryRow.__table__)


def payload(row: DeclarationRow, previous: str | None) -> dict[str, Any]:
    return {
        "number": row.number,
        "kind": row.kind,
        "category": row.category,
        "office": row.office,
        "declarant_id": row.declarant_id,
        "declarant_tax_code": row.declarant_tax_code,
        "importer_tax_code": row.importer_tax_code,
        "exporter_tax_code": row.exporter_tax_code,
        "status": row.status,
        "previous_status": previous,
        "channel": row.channel,
        "transport_mode": row.transport_mode,
        "transport_document": row.transport_document,
        "containers": list(row.containers or []),
        "package_count": row.package_count,
        "gross_mass_kg": str(row.gross_mass_kg),
        "customs_value_vnd": str(row.customs_value_vnd),
        "total_duties": str(row.total_duties),
        "duties_settled": row.duties_settled,
        "amendment_no": row.amendment_no,
        "lodged_at": row.lodged_at.isoformat(),
        "registered_at": row.registered_at.isoformat() if row.registered_at else None,
        "cleared_at": row.cleared_at.isoformat() if row.cleared_at else None,
    }


def transition(
    session: Session,
    row: DeclarationRow,
    command: Command,
    *,
    actor: str,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> str:
    """Move the declaration by `command` as the lifecycle allows (domain.LIFECYCLE; anything else is a
    LifecycleError, 409): its status, a history row, an outbox event and an audit entry, all in the
    caller's transaction. A declaration being lodged has no status yet. Returns the event's id."""
    old = Status(row.status) if row.status is not None else None
    step = move(old, command)
    row.status = step.to
    action = step.action
    pending.add(
        session,
        HISTORY,
        {
            "number": row.number,
            "at": clock.now(),
            "actor": actor,
            "action": action,
            "status_from": old.value if old else None,
            "status_to": step.to.value,
            "reason": reason,
            "detail": detail or {},
        },
    )
    body = payload(row, old.value if old else None)
    body["action"] = action
    event_id = outbox.record(session, type=step.event, unit=row.office, actor=actor, payload=body)
    audit.append(
        session,
        actor=actor,
        action=f"declaration.{action}",
        target=f"declaration:{row.number}",
        unit=row.office,
        detail={"from": old.value if old else None, "to": step.to.value, "reason": reason[:200]},
    )
    DECLARATIONS.labels(action).inc()
    return event_id
