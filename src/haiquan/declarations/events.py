"""One place where a declaration changes status: history row, outbox event, audit entry."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import DecisionKind, Status
from haiquan.declarations.tables import DeclarationHistoryRow, DeclarationRow
from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.metrics import DECLARATIONS

HISTORY = cast(Table, DeclarationHistoryRow.__table__)

# Officers' decisions, as facts
DECISION_EVENTS: dict[DecisionKind, DeclarationEvent] = {
    DecisionKind.REQUEST_DOCUMENTS: DeclarationEvent.DOCUMENTS_REQUESTED,
    DecisionKind.DOCUMENTS_ACCEPTED: DeclarationEvent.DOCUMENTS_ACCEPTED,
    DecisionKind.INSPECTION_RESULT: DeclarationEvent.INSPECTION_RECORDED,
    DecisionKind.REJECT: DeclarationEvent.REJECTED,
    DecisionKind.CLEAR: DeclarationEvent.CLEARANCE_DECIDED,
    DecisionKind.HOLD: DeclarationEvent.HELD_FOR_AGENCY,
}

# The action each change is shown as in the declaration's history (`history[].action` in the API, the
# payload's `action`, the audit entry): published before the events were named as facts, and kept.
ACTIONS: dict[DeclarationEvent, str] = {
    DeclarationEvent.LODGED: "lodge",
    DeclarationEvent.AMENDED: "amend",
    DeclarationEvent.REGISTERED: "register",
    DeclarationEvent.INSPECTION_ORDERED: "inspect",
    DeclarationEvent.DOCUMENTS_SUBMITTED: "documents_submitted",
    DeclarationEvent.DOCUMENTS_REQUESTED: "documents_requested",
    DeclarationEvent.DOCUMENTS_ACCEPTED: "documents_accepted",
    DeclarationEvent.INSPECTION_RECORDED: "inspection_recorded",
    DeclarationEvent.HELD_FOR_AGENCY: "held_for_agency",
    DeclarationEvent.REJECTED: "rejected",
    DeclarationEvent.CLEARANCE_DECIDED: "clearance_decided",
    DeclarationEvent.HELD_FOR_PAYMENT: "await_payment",
    DeclarationEvent.DUTIES_PAID: "duties_payment",
    DeclarationEvent.DUTIES_GUARANTEED: "duties_guarantee",
    DeclarationEvent.CLEARED: "clear",
    DeclarationEvent.AMENDED_AFTER_REGISTRATION: "amend_registered",
    DeclarationEvent.CANCELLED: "cancel",
    DeclarationEvent.GOODS_EXITED: "exit",
}


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
    old: Status | None,
    new: Status,
    *,
    actor: str,
    event: DeclarationEvent,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> str:
    """Returns the id of the outbox event recorded."""
    action = ACTIONS[event]
    row.status = new
    pending.add(
        session,
        HISTORY,
        {
            "number": row.number,
            "at": clock.now(),
            "actor": actor,
            "action": action,
            "status_from": old.value if old else None,
            "status_to": new.value,
            "reason": reason,
            "detail": detail or {},
        },
    )
    body = payload(row, old.value if old else None)
    body["action"] = action
    event_id = outbox.record(session, type=event, unit=row.office, actor=actor, payload=body)
    audit.append(
        session,
        actor=actor,
        action=f"declaration.{action}",
        target=f"declaration:{row.number}",
        unit=row.office,
        detail={"from": old.value if old else None, "to": new.value, "reason": reason[:200]},
    )
    DECLARATIONS.labels(action).inc()
    return event_id
