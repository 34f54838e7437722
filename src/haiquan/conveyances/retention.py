"""The retention period of people's data: once a movement is older than the period set in settings
(`passenger_retention_days`), its crew and passengers are anonymised (role, nationality and sex kept for
statistics; names, dates of birth, documents, seats and ports blanked) and their screening hits deleted.
The report itself and its versions stay. Services never commit: the command commits each batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from haiquan.conveyances import repository
from haiquan.conveyances.catalogue import ConveyanceEvent
from haiquan.conveyances.domain import retention_cutoff
from haiquan.conveyances.tables import PersonRow, ScreeningHitRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.sql import among

BLANK = {
    "family_name": "", "given_names": "", "date_of_birth": None, "document_number": "",
    "document_expiry": None, "document_country": "", "seat": "", "embarkation_port": "",
    "disembarkation_port": "", "anonymised": True,
}  # fmt: skip


@dataclass(frozen=True)
class Purged:
    reports: int
    persons: int


def pending(session: Session, *, days: int) -> int:
    """How many reports are past the retention period and not purged yet."""
    return repository.unscoped_count_expired(session, before=retention_cutoff(clock.now(), days))


def purge_batch(session: Session, *, days: int, batch: int = 200, actor: str = "system:retention") -> Purged:
    """Anonymise the people of up to `batch` reports past the retention period."""
    now = clock.now()
    rows = repository.unscoped_expired(session, before=retention_cutoff(now, days), limit=batch)
    if not rows:
        return Purged(0, 0)
    ids = [r.id for r in rows]
    session.execute(delete(ScreeningHitRow).where(among(session, ScreeningHitRow.conveyance_id, ids)))
    done = session.execute(
        update(PersonRow).where(among(session, PersonRow.conveyance_id, ids)).values(**BLANK)
    )
    persons = int(getattr(done, "rowcount", 0) or 0)
    for r in rows:
        r.persons_purged_at = now
    payload = {"reports": len(rows), "persons": persons, "retention_days": days}
    outbox.record(session, type=ConveyanceEvent.PERSONS_PURGED, unit="00", actor=actor, payload=payload)
    audit.append(
        session, actor=actor, action=ConveyanceEvent.PERSONS_PURGED, target="conveyances:persons",
        detail={"reports": [r.reference for r in rows], "persons": persons, "retention_days": days},
    )  # fmt: skip
    return Purged(len(rows), persons)


def purge_all(run_batch: Callable[[], Purged], *, on_batch: Callable[[Purged], None] | None = None) -> Purged:
    """Run batches (each in its own transaction, which `run_batch` owns) until none is left."""
    reports = persons = 0
    while True:
        done = run_batch()
        if done.reports == 0:
            return Purged(reports, persons)
        reports, persons = reports + done.reports, persons + done.persons
        if on_batch is not None:
            on_batch(done)
