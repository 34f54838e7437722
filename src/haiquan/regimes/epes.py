"""Export-processing enterprises (doanh nghiệp chế xuất): their status and the boundary rule. Goods that
cross between an EPE and the domestic market are imports and exports: the EPE declares under its own type
codes (admission.check_lodging refuses others), its domestic counterpart under the ordinary ones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.organization.tables import EnterpriseRow
from haiquan.regimes.catalogue import RegimeEvent
from haiquan.regimes.tables import EpeRow

STATUSES = ("active", "suspended", "revoked")


def boundary_kind(seller_is_epe: bool, buyer_is_epe: bool) -> str | None:
    """What a sale between two enterprises is at customs: an EPE selling into the domestic market, an
    import (of the buyer); a domestic enterprise selling to an EPE, an export (of the seller); between two
    EPEs or two domestic enterprises, nothing crosses the boundary. Pure."""
    if seller_is_epe == buyer_is_epe:
        return None
    return "import" if seller_is_epe else "export"


def is_active(session: Session, tax_code: str | None) -> bool:
    if not tax_code:
        return False
    return session.scalar(select(EpeRow.status).where(EpeRow.tax_code == tax_code)) == "active"


def set_status(
    session: Session,
    *,
    principal: Principal,
    tax_code: str,
    status: str,
    zone: str,
    unit: str,
    since: date | None,
) -> EpeRow:
    """An officer records an enterprise as an EPE (or suspends, revokes it), in one of the officer's units."""
    principal.require_officer()
    if not principal.scope.covers_unit(unit):
        raise ValidationFailed(f"unit {unit} is not one of yours", field="unit")
    return record(
        session, tax_code=tax_code, status=status, zone=zone, unit=unit, since=since, actor=principal.label
    )


def record(
    session: Session, *, tax_code: str, status: str, zone: str, unit: str, since: date | None, actor: str
) -> EpeRow:
    """The EPE's status as decided (by an officer, or the demo's seed): its row, an event, an audit entry."""
    if status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}", field="status")
    ent_id = session.scalar(select(EnterpriseRow.id).where(EnterpriseRow.tax_code == tax_code))
    row = session.get(EpeRow, tax_code)
    previous = row.status if row is not None else None
    if row is None:
        row = EpeRow(tax_code=tax_code, since=since or clock.today_vn())
        session.add(row)
    row.enterprise_id, row.unit, row.zone, row.status = ent_id, unit, zone, status
    row.updated_at, row.updated_by = clock.now(), actor
    outbox.record(session, type=RegimeEvent.EPE_STATUS_CHANGED, unit=unit, actor=actor, payload={
        "tax_code": tax_code, "status": status, "previous_status": previous, "zone": zone,
    })  # fmt: skip
    audit.append(session, actor=actor, action="regimes.epe_status", target=f"epe:{tax_code}",
                 unit=unit, detail={"status": status, "previous": previous})  # fmt: skip
    return row
