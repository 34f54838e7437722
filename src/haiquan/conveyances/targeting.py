"""Who reads people's data, and the record of each read. Passenger- and crew-level data is for targeting
officers (of the report's unit subtree) and for the carrier that sent it; any other officer, leader or
enterprise gets a 403. Every read is audited in the caller's transaction (the route commits it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.conveyances import repository, screening
from haiquan.conveyances.catalogue import ConveyanceEvent
from haiquan.conveyances.schemas import PersonWatchIn
from haiquan.conveyances.tables import ConveyanceRow, PersonRow, PersonWatchRow, ScreeningHitRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Role
from haiquan.kit.db import new_id
from haiquan.kit.errors import Forbidden

TARGETING = Role.TARGETING_OFFICER.value


def is_targeting(principal: Principal) -> bool:
    return principal.is_officer and principal.role == TARGETING


def require_targeting(principal: Principal) -> None:
    if not is_targeting(principal):
        raise Forbidden(
            "passenger and crew data is for targeting officers only", code="targeting_officers_only"
        )


def require_person_reader(principal: Principal) -> None:
    """A targeting officer, or a carrier (which reads only the reports it sent: its scope)."""
    if principal.is_enterprise and "carrier" in principal.enterprise_roles:
        return
    require_targeting(principal)


def read_persons(
    session: Session, *, principal: Principal, conveyance_id: str
) -> tuple[ConveyanceRow, list[PersonRow]]:
    require_person_reader(principal)
    row = repository.get(session, conveyance_id, scope=principal.scope)
    people = repository.persons(session, row, scope=principal.scope)
    audit.append(
        session, actor=principal.label, action="conveyances.persons_read", target=f"conveyance:{row.reference}",
        unit=row.unit, detail={"conveyance_id": row.id, "persons": len(people)},
    )  # fmt: skip
    return row, people


def read_hits(
    session: Session, *, principal: Principal, conveyance_id: str | None = None, limit: int = 200
) -> list[tuple[ScreeningHitRow, PersonRow, ConveyanceRow]]:
    require_targeting(principal)
    if conveyance_id is not None:
        repository.get(session, conveyance_id, scope=principal.scope)
    found = repository.hits(session, scope=principal.scope, conveyance_id=conveyance_id, limit=limit)
    audit.append(
        session, actor=principal.label, action="conveyances.screening_read",
        target=f"conveyance:{conveyance_id}" if conveyance_id else "conveyances:screening",
        unit=principal.unit, detail={"hits": len(found), "persons": sorted({p.id for _, p, _ in found})},
    )  # fmt: skip
    return found


def add_watch(session: Session, *, principal: Principal, data: PersonWatchIn) -> PersonWatchRow:
    require_targeting(principal)
    row = PersonWatchRow(
        id=new_id(), name=" ".join(data.name.split()), date_of_birth=data.date_of_birth,
        nationality=data.nationality, document_number=data.document_number, reason=data.reason.strip(),
        source=data.source, unit=principal.unit or "00", added_by=principal.label, added_at=clock.now(),
        active=True,
    )  # fmt: skip
    session.add(row)
    session.flush()
    matched = screening.screen_upcoming(session, row, scope=principal.scope)
    outbox.record(
        session, type=ConveyanceEvent.PERSON_WATCH_ADDED, unit=row.unit, actor=principal.label,
        payload={"id": row.id, "source": row.source},
    )  # fmt: skip
    audit.append(
        session, actor=principal.label, action=ConveyanceEvent.PERSON_WATCH_ADDED, target=f"person_watch:{row.id}",
        unit=row.unit, detail={"source": row.source, "upcoming_matches": matched},
    )  # fmt: skip
    return row
