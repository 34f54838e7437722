"""Use cases of enforcement: open a case, change its status, record seizures, link what is involved, record
and read persons (audited), and feed a confirmed case to the risk watch lists. Services never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from haiquan.enforcement import domain, places
from haiquan.enforcement import repository as repo
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.enforcement.schemas import (
    CaseIn,
    CasePatch,
    LinkIn,
    PersonIn,
    SeizureItemIn,
    TransitionIn,
    WatchIn,
)
from haiquan.enforcement.tables import CaseLinkRow, CasePersonRow, CaseRow, CaseStatusRow, SeizureItemRow
from haiquan.kit import audit, clock, outbox, sequences
from haiquan.kit.auth import DECIDING_ROLES, Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, ValidationFailed
from haiquan.organization import service as org
from haiquan.reference import validators
from haiquan.risk import watchlist
from haiquan.risk.watchlist_tables import WatchListEntry

WRITE_ROLES = tuple(sorted(DECIDING_ROLES))
DECISION_ROLES = ("team_lead", "subdepartment_leader", "department_leader")
PERSON_ROLES = WRITE_ROLES


def _not_future(day: date, field: str) -> None:
    if day > clock.today_vn():
        raise ValidationFailed(
            f"{day.isoformat()} is in the future (today is {clock.today_vn()})", field=field
        )


def _province(value: str | None, unit: str, field: str = "province") -> places.Province:
    if value:
        try:
            return places.resolve_province(value)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=field) from exc
    prov = places.province_of_unit(unit)
    if prov is None:
        raise ValidationFailed(f"no province known for unit {unit}: give province", field=field)
    return prov


def _locode(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return validators.locode(value)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="place") from exc


def _event_base(case: CaseRow) -> dict[str, Any]:
    """What every enforcement event carries: no personal data."""
    return {
        "case_id": case.id,
        "number": case.number,
        "unit": case.unit,
        "field": case.field,
        "route": case.route,
        "province": case.province,
        "region": case.region,
    }


def open_case(session: Session, *, principal: Principal, data: CaseIn) -> CaseRow:
    principal.require_officer(*WRITE_ROLES)
    tree = org.TREES.get(session)
    if tree.get(data.unit) is None:
        raise ValidationFailed(f"unknown unit {data.unit!r}", field="unit")
    if not principal.scope.covers_unit(data.unit):
        raise Forbidden("you can open cases only for your unit and the units under it", field="unit")
    _not_future(data.detected_on, "detected_on")
    prov = _province(data.province, data.unit)
    year = data.detected_on.year
    seq = sequences.next_value(session, f"enf_case_{data.unit.lower()}_{year}")
    now = clock.now()
    case = CaseRow(
        id=new_id(), number=f"{data.unit}-{year}-{seq:05d}", unit=data.unit, detected_on=data.detected_on,
        field=data.field.value, route=data.route.value, place=_locode(data.place), province=prov.code,
        region=prov.region, summary=data.summary, status=domain.CaseStatus.DETECTED.value, outcome=None,
        coordinated_with=sorted(set(data.coordinated_with)), created_by=principal.label, created_at=now,
        updated_at=now,
    )  # fmt: skip
    session.add(case)
    session.add(
        CaseStatusRow(
            id=new_id(), case_id=case.id, seq=1, from_status=None, to_status=case.status,
            decided_on=data.detected_on, outcome=None, note="", actor=principal.label, recorded_at=now,
        )
    )  # fmt: skip
    payload = _event_base(case) | {"detected_on": case.detected_on.isoformat()}
    payload["coordinated_with"] = case.coordinated_with
    outbox.record(
        session, type=EnforcementEvent.CASE_OPENED, unit=case.unit, actor=principal.label, payload=payload
    )
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.case_open",
        target=f"case:{case.number}",
        unit=case.unit,
    )
    return case


def patch_case(session: Session, *, principal: Principal, case_id: str, data: CasePatch) -> CaseRow:
    principal.require_officer(*WRITE_ROLES)
    case = repo.get_case(session, case_id, scope=principal.scope)
    changed = data.model_dump(exclude_unset=True)
    if "summary" in changed and data.summary is not None:
        case.summary = data.summary
    if "place" in changed:
        case.place = _locode(data.place)
    if "province" in changed:
        prov = _province(data.province, case.unit)
        case.province, case.region = prov.code, prov.region
    if "coordinated_with" in changed and data.coordinated_with is not None:
        case.coordinated_with = sorted(set(data.coordinated_with))
    case.updated_at = clock.now()
    fields = sorted(changed)
    outbox.record(
        session, type=EnforcementEvent.CASE_UPDATED, unit=case.unit, actor=principal.label,
        payload=_event_base(case) | {"fields": fields, "coordinated_with": case.coordinated_with},
    )  # fmt: skip
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.case_update",
        target=f"case:{case.number}",
        unit=case.unit,
        detail={"fields": fields},
    )
    return case


def change_status(session: Session, *, principal: Principal, case_id: str, data: TransitionIn) -> CaseRow:
    principal.require_officer(*WRITE_ROLES)
    case = repo.get_case(session, case_id, scope=principal.scope)
    if data.to != domain.CaseStatus.UNDER_INVESTIGATION and principal.role not in DECISION_ROLES:
        raise Forbidden("prosecuting, transferring or closing a case is a leader's decision", field="to")
    try:
        domain.check_transition(case.status, data.to.value, data.outcome)
    except domain.TransitionError as exc:
        raise Conflict(str(exc), field=exc.field) from exc
    decided = data.decided_on or clock.today_vn()
    _not_future(decided, "decided_on")
    if decided < case.detected_on:
        raise ValidationFailed("a decision cannot precede the case's detection", field="decided_on")
    history = repo.history_of(session, [case.id], scope=principal.scope)
    previous = case.status
    case.status, case.updated_at = data.to.value, clock.now()
    if data.outcome is not None:
        case.outcome = data.outcome
    session.add(
        CaseStatusRow(
            id=new_id(), case_id=case.id, seq=len(history) + 1, from_status=previous, to_status=case.status,
            decided_on=decided, outcome=data.outcome, note=data.note, actor=principal.label, recorded_at=clock.now(),
        )
    )  # fmt: skip
    payload = _event_base(case) | {"from": previous, "to": case.status, "decided_on": decided.isoformat()}
    payload["outcome"] = data.outcome
    outbox.record(
        session,
        type=EnforcementEvent.CASE_STATUS_CHANGED,
        unit=case.unit,
        actor=principal.label,
        payload=payload,
    )
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.case_status",
        target=f"case:{case.number}",
        unit=case.unit,
        detail={"from": previous, "to": case.status},
    )
    return case


def _check_item(i: int, item: SeizureItemIn, case: CaseRow) -> tuple[domain.Category, date]:
    try:
        cat = domain.check_item(item.category, item.quantity, item.unit, item.count, item.count_unit)
    except domain.MeasureError as exc:
        raise ValidationFailed(str(exc), field=f"items[{i}].{exc.field}") from exc
    seized = item.seized_on or case.detected_on
    _not_future(seized, f"items[{i}].seized_on")
    return cat, seized


def record_seizures(
    session: Session, *, principal: Principal, case_id: str, items: list[SeizureItemIn]
) -> list[SeizureItemRow]:
    principal.require_officer(*WRITE_ROLES)
    case = repo.get_case(session, case_id, scope=principal.scope)
    if case.status == domain.CaseStatus.CLOSED:
        raise Conflict("the case is closed: no more seizures can be added", field="case_id")
    checked = [_check_item(i, item, case) for i, item in enumerate(items)]
    rows = []
    for item, (cat, seized) in zip(items, checked, strict=True):
        row = SeizureItemRow(
            id=new_id(), case_id=case.id, seized_on=seized, category=cat.code, kind=cat.kind,
            quantity=item.quantity, unit_of_measure=item.unit, count=item.count, count_unit=item.count_unit,
            value_vnd=item.value_vnd, description=item.description, recorded_by=principal.label,
            recorded_at=clock.now(),
        )  # fmt: skip
        session.add(row)
        rows.append(row)
        outbox.record(
            session,
            type=EnforcementEvent.SEIZURE_RECORDED,
            unit=case.unit,
            actor=principal.label,
            payload=_seizure_payload(case, row),
        )
    case.updated_at = clock.now()
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.seizure_record",
        target=f"case:{case.number}",
        unit=case.unit,
        detail={"items": len(rows)},
    )
    return rows


def _seizure_payload(case: CaseRow, row: SeizureItemRow) -> dict[str, Any]:
    def num(v: Any) -> str | None:
        return None if v is None else str(domain.plain(v))

    return _event_base(case) | {
        "item_id": row.id, "seized_on": row.seized_on.isoformat(), "category": row.category,
        "kind": row.kind, "substance": row.category if row.kind == "drug" else None,
        "quantity": num(row.quantity), "unit_of_measure": row.unit_of_measure, "count": num(row.count),
        "count_unit": row.count_unit, "value_vnd": num(row.value_vnd),
    }  # fmt: skip


def _link_value(kind: str, value: str) -> str:
    raw = value.strip()
    try:
        if kind == "container":
            return validators.container_number(raw)
        if kind == "enterprise":
            return validators.tax_code(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="value") from exc
    if kind == "declaration" and not (raw.isdigit() and len(raw) == 12):
        raise ValidationFailed("a declaration number has 12 digits", field="value")
    return watchlist.normalize("consignee", raw) if kind == "consignee" else raw


def add_link(session: Session, *, principal: Principal, case_id: str, data: LinkIn) -> CaseLinkRow:
    principal.require_officer(*WRITE_ROLES)
    case = repo.get_case(session, case_id, scope=principal.scope)
    value = _link_value(data.kind, data.value)
    if any(
        lk.kind == data.kind and lk.value == value
        for lk in repo.links_of(session, case.id, scope=principal.scope)
    ):
        raise Conflict(f"{data.kind} {value} is already linked to this case", field="value")
    row = CaseLinkRow(
        id=new_id(), case_id=case.id, kind=data.kind, value=value, note=data.note,
        added_by=principal.label, added_at=clock.now(),
    )  # fmt: skip
    session.add(row)
    payload = _event_base(case) | {"link_kind": data.kind, "value": value}
    outbox.record(
        session, type=EnforcementEvent.CASE_LINKED, unit=case.unit, actor=principal.label, payload=payload
    )
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.case_link",
        target=f"case:{case.number}",
        unit=case.unit,
        detail={"kind": data.kind, "value": value},
    )
    return row


def _require_person_right(principal: Principal) -> None:
    if not principal.is_officer or principal.role not in PERSON_ROLES:
        raise Forbidden(
            "personal data of a case is for officers and leaders of the case's unit only",
            code="personal_data_forbidden",
        )


def add_person(session: Session, *, principal: Principal, case_id: str, data: PersonIn) -> CasePersonRow:
    _require_person_right(principal)
    case = repo.get_case(session, case_id, scope=principal.scope)
    try:
        nationality = validators.country(data.nationality)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="nationality") from exc
    if data.birth_year is not None and data.birth_year > clock.today_vn().year:
        raise ValidationFailed("birth_year is in the future", field="birth_year")
    row = CasePersonRow(
        id=new_id(), case_id=case.id, full_name=data.full_name.strip(), id_number=data.id_number,
        nationality=nationality, birth_year=data.birth_year, role=data.role,
        detained=data.detained or data.role == "detained", added_by=principal.label, added_at=clock.now(),
    )  # fmt: skip
    session.add(row)
    payload = _event_base(case) | {"persons_added": 1, "detained": row.detained}
    outbox.record(
        session, type=EnforcementEvent.PERSON_ADDED, unit=case.unit, actor=principal.label, payload=payload
    )
    audit.append(
        session,
        actor=principal.label,
        action="enforcement.person_add",
        target=f"case:{case.number}",
        unit=case.unit,
        detail={"person_id": row.id},
    )
    return row


def read_persons(session: Session, *, principal: Principal, case_id: str) -> list[CasePersonRow]:
    """Persons of a case; the read itself is audited (the caller commits it)."""
    _require_person_right(principal)
    case = repo.get_case(session, case_id, scope=principal.scope)
    rows = repo.persons_of(session, case.id, scope=principal.scope)
    audit.append(
        session, actor=principal.label, action="enforcement.person_read", target=f"case:{case.number}",
        unit=case.unit, detail={"persons": [r.id for r in rows]},
    )  # fmt: skip
    return rows


def watch(session: Session, *, principal: Principal, case_id: str, data: WatchIn) -> WatchListEntry:
    """Put the enterprise, consignee, route, HS code or country of a confirmed case on a risk watch list."""
    principal.require_officer(*WRITE_ROLES)
    case = repo.get_case(session, case_id, scope=principal.scope)
    history = [(h.to_status, h.outcome) for h in repo.history_of(session, [case.id], scope=principal.scope)]
    if not domain.is_confirmed(history):
        raise Conflict(
            "only a confirmed case (prosecuted, transferred, or closed with a violation) feeds watch lists",
            field="status",
        )
    value = data.value or (f"{case.route}:{case.province}" if data.kind == "route" else None)
    if value is None:
        raise ValidationFailed(f"give the {data.kind} to watch", field="value")
    if data.kind in ("enterprise", "consignee"):
        linked = {
            lk.value for lk in repo.links_of(session, case.id, scope=principal.scope) if lk.kind == data.kind
        }
        if watchlist.normalize(data.kind, value) not in linked:
            raise ValidationFailed(f"this {data.kind} is not linked to case {case.number}", field="value")
    return watchlist.add_entry(
        session, kind=data.kind, value=value, reason=data.reason, source=f"case:{case.number}",
        actor=principal.label, unit=case.unit, valid_until=data.valid_until,
    )  # fmt: skip
