"""An application's change as it is kept: the history row, the event (the catalogue's type, with the
facts every event carries) and the audit entry, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from haiquan.applications.catalogue import ApplicationEvent
from haiquan.applications.tables import ApplicationHistoryRow, ApplicationRow
from haiquan.kit import audit, clock, outbox


def facts(row: ApplicationRow, previous: str | None) -> dict[str, Any]:
    return {
        "application_id": row.id, "kind": row.kind, "office": row.office, "declarant_id": row.enterprise_id,
        "tax_code": row.tax_code, "number": row.declaration_number or "", "status": row.status,
        "previous_status": previous, "filed_at": row.filed_at.isoformat(), "deadline": row.deadline.isoformat(),
        "deadline_source": row.deadline_source,
    }  # fmt: skip


def record(
    session: Session,
    row: ApplicationRow,
    previous: str | None,
    event: ApplicationEvent,
    *,
    actor: str,
    **extra: Any,
) -> str:
    """History, event and audit entry of one change; returns the event id."""
    now = clock.now()
    row.updated_at = now
    detail = {k: v for k, v in extra.items() if isinstance(v, str | int | float | bool) or v is None}
    session.add(
        ApplicationHistoryRow(
            application_id=row.id, at=now, actor=actor, status_from=previous, status_to=row.status,
            detail=detail | {"event": str(event)},
        )
    )  # fmt: skip
    event_id = outbox.record(
        session, type=event, unit=row.office, actor=actor, payload=facts(row, previous) | extra
    )
    audit.append(
        session, actor=actor, action=str(event), target=f"application:{row.id}", unit=row.office,
        detail={"kind": row.kind, "from": previous, "to": row.status} | {
            k: v for k, v in detail.items() if k in ("outcome", "reasons", "amount", "amount_granted")
        },
    )  # fmt: skip
    return event_id
