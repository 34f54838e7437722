"""Officers' expert fields (seed 003's seven: tax, supervision, post-clearance audit, IT, risk,
inspection, customs control), set by an administrator; they route work: the audit queue goes to officers
with the `audit` field. Services never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.officers import by_username
from haiquan.organization.tables import OfficerRow

EXPERT_FIELDS = ("tax", "supervision", "audit", "it", "risk", "inspection", "customs_control")
FIELD_NAMES = {
    "tax": ("Thuế", "Tax"),
    "supervision": ("Giám sát hải quan", "Customs supervision"),
    "audit": ("Kiểm tra sau thông quan", "Post-clearance audit"),
    "it": ("Công nghệ thông tin", "IT"),
    "risk": ("Quản lý rủi ro", "Risk management"),
    "inspection": ("Kiểm tra thực tế hàng hóa", "Physical inspection"),
    "customs_control": ("Kiểm soát hải quan", "Customs control"),
}


def check_fields(fields: Iterable[str]) -> list[str]:
    """The fields, known and each once, in the catalogue's order."""
    given = set(fields)
    unknown = sorted(given - set(EXPERT_FIELDS))
    if unknown:
        raise ValidationFailed(
            f"unknown expert field {unknown[0]!r}; one of: {', '.join(EXPERT_FIELDS)}", field="fields"
        )
    return [f for f in EXPERT_FIELDS if f in given]


def set_fields(
    session: Session, *, username: str, fields: Iterable[str], actor: str, by: Principal | None = None
) -> OfficerRow:
    """Replace the officer's expert fields (an event and an audit entry when they change)."""
    row = by_username(session, username, actor=by)
    new, old = check_fields(fields), list(row.expert_fields or [])
    if new == old:
        return row
    row.expert_fields = new
    payload = {
        "officer_id": row.id,
        "username": row.username,
        "unit": row.unit,
        "fields": new,
        "previous": old,
    }
    outbox.record(
        session, type=OrganizationEvent.OFFICER_EXPERT_FIELDS_SET, unit=row.unit, actor=actor, payload=payload
    )
    audit.append(
        session, actor=actor, action="officer.expert_fields_set", target=f"officer:{row.username}",
        unit=row.unit, detail={"from": old, "to": new},
    )  # fmt: skip
    return row


def with_field(session: Session, field: str, units: Iterable[str]) -> list[OfficerRow]:
    """Active officers of these units who carry the field, by username (routing picks among them)."""
    wanted = set(units)
    q = select(OfficerRow).where(OfficerRow.active.is_(True), OfficerRow.unit.in_(wanted))
    return [o for o in session.scalars(q.order_by(OfficerRow.username)) if field in (o.expert_fields or [])]
