"""Carrier use cases: report an arrival or departure with its crew and passenger lists, amend it (a new
version), and screen its people before arrival. Services never commit."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from haiquan.conveyances import repository, screening
from haiquan.conveyances.catalogue import ConveyanceEvent
from haiquan.conveyances.domain import Mode, PersonRole, count_mismatch, flight_number, imo_number
from haiquan.conveyances.schemas import ConveyanceIn, PersonIn
from haiquan.conveyances.tables import ConveyanceRow, ConveyanceVersionRow, PersonRow, ScreeningHitRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, ValidationFailed

PERSONS = cast(Table, PersonRow.__table__)


def check(data: ConveyanceIn) -> ConveyanceIn:
    """The identifiers (IMO check digit, flight designator), a Vietnamese port on our side, and counts
    that match their lists: a 422 naming the field otherwise. Returns the data with identifiers normalised."""
    try:
        if data.mode is Mode.SEA:
            data.craft_id = imo_number(data.craft_id)
        else:
            data.voyage = flight_number(data.voyage)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="craft_id" if data.mode is Mode.SEA else "voyage") from exc
    port_field = "arrival_port" if data.direction == "arrival" else "departure_port"
    if not data.vietnamese_port.startswith("VN"):
        raise ValidationFailed(f"an {data.direction} is reported at a Vietnamese port", field=port_field)
    bad = count_mismatch(
        passenger_count=data.passenger_count,
        crew_count=data.crew_count,
        passengers=len(data.passengers),
        crew=len(data.crew),
    )
    if bad is not None:
        raise ValidationFailed(bad.message, field=bad.field, code="count_mismatch")
    return data


def _unit(session: Session, data: ConveyanceIn) -> str:
    unit = repository.unscoped_port_unit(session, data.vietnamese_port)
    if unit is None:
        field = "arrival_port" if data.direction == "arrival" else "departure_port"
        raise ValidationFailed(f"no customs office supervises the port {data.vietnamese_port}", field=field)
    return unit


def _fill(row: ConveyanceRow, data: ConveyanceIn, unit: str) -> None:
    row.direction, row.mode, row.craft_id, row.craft_name = (
        data.direction,
        data.mode,
        data.craft_id,
        data.craft_name,
    )
    row.voyage, row.departure_port, row.arrival_port = data.voyage, data.departure_port, data.arrival_port
    row.unit, row.scheduled_at, row.actual_at = unit, data.scheduled_at, data.actual_at
    row.crew_count, row.passenger_count = data.crew_count, data.passenger_count
    row.stores = [s.model_dump(mode="json") for s in data.stores]
    row.manifest_reference = data.manifest_reference


def _person(conveyance_id: str, i: int, role: PersonRole, p: PersonIn) -> dict[str, Any]:
    return {
        "id": new_id(), "conveyance_id": conveyance_id, "position": i, "role": role.value,
        "family_name": p.family_name, "given_names": p.given_names, "date_of_birth": p.date_of_birth,
        "sex": p.sex.value, "nationality": p.nationality, "document_type": p.document_type.value,
        "document_number": p.document_number, "document_country": p.document_country,
        "document_expiry": p.document_expiry, "seat": p.seat, "embarkation_port": p.embarkation_port or "",
        "disembarkation_port": p.disembarkation_port or "", "anonymised": False,
    }  # fmt: skip


def _put_persons(session: Session, row: ConveyanceRow, data: ConveyanceIn) -> list[dict[str, Any]]:
    session.execute(delete(ScreeningHitRow).where(ScreeningHitRow.conveyance_id == row.id))
    session.execute(delete(PersonRow).where(PersonRow.conveyance_id == row.id))
    people = [(PersonRole.CREW, p) for p in data.crew] + [(PersonRole.PASSENGER, p) for p in data.passengers]
    rows = [_person(row.id, i, role, p) for i, (role, p) in enumerate(people)]
    if rows:
        session.execute(insert(PERSONS), rows)
    return rows


def _payload(row: ConveyanceRow) -> dict[str, Any]:
    return {
        "conveyance_id": row.id, "reference": row.reference, "direction": row.direction, "mode": row.mode,
        "craft_id": row.craft_id, "voyage": row.voyage, "departure_port": row.departure_port,
        "arrival_port": row.arrival_port, "scheduled_at": row.scheduled_at.isoformat(),
        "crew_count": row.crew_count, "passenger_count": row.passenger_count,
        "manifest_reference": row.manifest_reference, "source": row.source, "version": row.version,
    }  # fmt: skip


def _save(
    session: Session, row: ConveyanceRow, data: ConveyanceIn, *, event: ConveyanceEvent, actor: str
) -> None:
    people = _put_persons(session, row, data)
    body = data.model_dump(mode="json", exclude={"crew", "passengers"})
    session.add(
        ConveyanceVersionRow(
            conveyance_id=row.id, version=row.version, received_at=clock.now(), actor=actor, body=body
        )
    )
    payload = _payload(row)
    outbox.record(session, type=event, unit=row.unit, actor=actor, payload=payload)
    audit.append(
        session, actor=actor, action=event, target=f"conveyance:{row.reference}", unit=row.unit,
        detail={"version": row.version, "crew": row.crew_count, "passengers": row.passenger_count},
    )  # fmt: skip
    screening.screen_report(session, row, people, actor=actor)


def submit(
    session: Session, *, principal: Principal, data: ConveyanceIn, source: str = "json"
) -> ConveyanceRow:
    principal.require_enterprise("carrier")
    data = check(data)
    dup = repository.by_reference(session, data.reference, scope=principal.scope)
    if dup is not None:
        raise Conflict(
            f"report {data.reference} exists: amend it with PUT /api/v1/conveyances/{dup.id}",
            field="reference",
        )
    row = ConveyanceRow(
        id=new_id(), carrier_id=principal.id, reference=data.reference, source=source, received_at=clock.now()
    )
    _fill(row, data, _unit(session, data))
    session.add(row)
    session.flush()
    _save(session, row, data, event=ConveyanceEvent.REPORT_RECEIVED, actor=principal.label)
    return row


def amend(
    session: Session, *, principal: Principal, conveyance_id: str, data: ConveyanceIn, source: str = "json"
) -> ConveyanceRow:
    """A correction: the report's new version replaces the lists; earlier versions stay in its history."""
    principal.require_enterprise("carrier")
    row = repository.get(session, conveyance_id, scope=principal.scope, for_update=True)
    if data.reference != row.reference:
        raise ValidationFailed("the reference of a report cannot change", field="reference")
    if row.persons_purged_at is not None:
        raise Conflict("this report's people were purged after the retention period", field="conveyance_id")
    data = check(data)
    _fill(row, data, _unit(session, data))
    row.version += 1
    row.source, row.amended_at = source, clock.now()
    session.flush()
    _save(session, row, data, event=ConveyanceEvent.REPORT_AMENDED, actor=principal.label)
    return row


def submit_or_amend(
    session: Session, *, principal: Principal, data: ConveyanceIn, source: str
) -> ConveyanceRow:
    """For messages (PAXLST) that carry no id of ours: a report with the same reference is amended."""
    principal.require_enterprise("carrier")
    found = repository.by_reference(session, data.reference, scope=principal.scope)
    if found is None:
        return submit(session, principal=principal, data=data, source=source)
    return amend(session, principal=principal, conveyance_id=found.id, data=data, source=source)
