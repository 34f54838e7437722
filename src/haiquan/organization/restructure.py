"""What follows a unit that a new hierarchy file dissolves: its officers and its open checks. Its records keep
its unit code; the unit tree puts them in the scope of its heir (organization.domain.UnitTree)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, outbox
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.domain import Unit, UnitTree
from haiquan.organization.tables import OfficerRow, UnitRow

State = tuple[str, str, str, str | None, bool, str | None]


def state(row: UnitRow) -> State:
    return (row.name_vi, row.name_en, row.level, row.parent, row.active, row.successor)


def target(u: Unit) -> State:
    return (u.name_vi, u.name_en, u.level, u.parent, u.successor is None, u.successor)


def upsert(
    session: Session, existing: dict[str, UnitRow], units: list[Unit], now: datetime
) -> tuple[int, int]:
    """Write the file's units over the rows `existing` (taken from it as they are met); the rows left, absent
    from the file, are dissolved. Returns (added, changed)."""
    added = changed = 0
    for u in units:
        row = existing.pop(u.code, None)
        if row is None:
            row = UnitRow(code=u.code)
            session.add(row)
            added += 1
        elif state(row) != target(u):
            changed += 1
        else:
            continue
        apply(row, u, now)
    for row in existing.values():
        if row.active:
            row.active, row.successor, row.dissolved_at = False, None, now
    return added, changed


def apply(row: UnitRow, u: Unit, now: datetime) -> None:
    """Set a unit's row from the file: listed with a successor, it is dissolved (since `now` unless it was
    already); listed without, it is active (again)."""
    row.name_vi, row.name_en, row.level, row.parent, row.active, row.successor = target(u)
    row.dissolved_at = None if row.active else (row.dissolved_at or now)


def follow(session: Session, tree: UnitTree, *, code: str, actor: str) -> int:
    """Move what a just-dissolved unit held: with a successor (merged, returns 1) its officers join the
    active unit at the end of its chain of successors; without one (returns 0) they lose access. Either way
    its open checks go to the roster now serving its office. One event and audit entries."""
    row = session.get(UnitRow, code)
    heir = tree.heir(code)
    officers = list(
        session.scalars(select(OfficerRow).where(OfficerRow.unit == code).order_by(OfficerRow.username))
    )
    names = [o.username for o in officers]
    merged = row is not None and row.successor is not None and heir is not None
    if merged:
        for o in officers:
            o.unit = str(heir)
            audit.append(session, actor=actor, action="officer.moved", target=f"officer:{o.username}", unit=heir,
                         detail={"from": code, "to": heir})  # fmt: skip
    from haiquan.declarations.assignment import reassign_open_checks

    checks = reassign_open_checks(session, offices=[code])
    payload: dict[str, object] = {"unit": code, "records_to": heir, "open_checks_reassigned": checks}
    if merged:
        payload |= {"successor": row.successor if row else None, "officers_moved": names}
    else:
        payload["officers_refused"] = names
    event = OrganizationEvent.UNIT_MERGED if merged else OrganizationEvent.UNIT_DISSOLVED
    outbox.record(session, type=event, unit=heir or code, actor=actor, payload=payload)
    action = "unit.merged" if merged else "unit.dissolved"
    audit.append(session, actor=actor, action=action, target=f"unit:{code}",
                 unit=heir, detail=payload)  # fmt: skip
    return int(merged)
