"""Rows to answers: a report (its screening count for targeting officers only), a person, a hit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.conveyances import repository
from haiquan.conveyances.schemas import ConveyanceOut, HitOut, PersonOut, PersonWatchOut, StoresOut
from haiquan.conveyances.tables import ConveyanceRow, PersonRow, PersonWatchRow, ScreeningHitRow
from haiquan.kit.auth import Scope


def report_out(
    row: ConveyanceRow, *, manifest_id: str | None = None, flagged: int | None = None
) -> ConveyanceOut:
    return ConveyanceOut(
        id=row.id, reference=row.reference, direction=row.direction, mode=row.mode, craft_id=row.craft_id,
        craft_name=row.craft_name, voyage=row.voyage, departure_port=row.departure_port,
        arrival_port=row.arrival_port, unit=row.unit, scheduled_at=row.scheduled_at, actual_at=row.actual_at,
        crew_count=row.crew_count, passenger_count=row.passenger_count,
        stores=[StoresOut.model_validate(s) for s in row.stores], manifest_reference=row.manifest_reference,
        manifest_id=manifest_id, source=row.source, version=row.version, received_at=row.received_at,
        amended_at=row.amended_at, persons_purged=row.persons_purged_at is not None, flagged=flagged,
    )  # fmt: skip


def report_of(session: Session, row: ConveyanceRow, *, scope: Scope, targeting: bool) -> ConveyanceOut:
    flagged = repository.flagged_counts(session, [row.id], scope=scope).get(row.id, 0) if targeting else None
    return report_out(row, manifest_id=repository.manifest_id(session, row, scope=scope), flagged=flagged)


def person_out(p: PersonRow) -> PersonOut:
    return PersonOut.model_validate(p, from_attributes=True)


def hit_out(h: ScreeningHitRow, p: PersonRow, c: ConveyanceRow) -> HitOut:
    return HitOut(
        person_id=p.id, conveyance_id=c.id, voyage=c.voyage, scheduled_at=c.scheduled_at,
        family_name=p.family_name, given_names=p.given_names, date_of_birth=p.date_of_birth,
        nationality=p.nationality, document_number=p.document_number, score=h.score, kind=h.kind,
        reasons=list(h.reasons), watch_id=h.watch_id, watch_source=h.watch_source, watch_reason=h.watch_reason,
    )  # fmt: skip


def watch_out(w: PersonWatchRow) -> PersonWatchOut:
    return PersonWatchOut.model_validate(w, from_attributes=True)
