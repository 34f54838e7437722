"""Representations: an importer or exporter (the principal) grants a declarant (its representative) the
right to lodge declarations naming it as the party, directly (in the principal's name) or indirectly (in
the representative's own name), for a period; the principal may revoke it. Queries and use cases; the
request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.domain import representation_in_force
from haiquan.organization.schemas import RepresentationIn, RepresentationOut
from haiquan.organization.tables import EnterpriseRow, RepresentationRow
from haiquan.reference import validators

PRINCIPAL = aliased(EnterpriseRow, name="principal")
AGENT = aliased(EnterpriseRow, name="representative")


@dataclass(frozen=True)
class Listed:
    row: RepresentationRow
    principal: EnterpriseRow
    representative: EnterpriseRow

    def out(self, at: datetime) -> RepresentationOut:
        r = self.row
        return RepresentationOut(
            id=r.id,
            principal_tax_code=self.principal.tax_code,
            principal_name=self.principal.name,
            representative_tax_code=self.representative.tax_code,
            representative_name=self.representative.name,
            kind=r.kind,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            granted_at=r.granted_at,
            revoked_at=r.revoked_at,
            in_force=in_force(r, at),
        )


def in_force(row: RepresentationRow, at: datetime) -> bool:
    return representation_in_force(
        valid_from=row.valid_from, valid_until=row.valid_until, revoked_at=row.revoked_at, at=at
    )


def _joined() -> Select[RepresentationRow, EnterpriseRow, EnterpriseRow]:
    return (
        select(RepresentationRow, PRINCIPAL, AGENT)
        .join(PRINCIPAL, PRINCIPAL.id == RepresentationRow.principal_id)
        .join(AGENT, AGENT.id == RepresentationRow.representative_id)
        .order_by(RepresentationRow.granted_at.desc(), RepresentationRow.id.desc())
    )


def listing(session: Session, *, enterprise_id: str | None, tax_code: str | None = None) -> list[Listed]:
    """Those granted by or to the enterprise (`enterprise_id`); None: every one (an administrator),
    optionally those where `tax_code` is either side."""
    q = _joined()
    if enterprise_id is not None:
        q = q.where(
            or_(
                RepresentationRow.principal_id == enterprise_id,
                RepresentationRow.representative_id == enterprise_id,
            )
        )
    if tax_code:
        q = q.where(or_(PRINCIPAL.tax_code == tax_code, AGENT.tax_code == tax_code))
    return [Listed(r, p, a) for r, p, a in session.execute(q.limit(1000))]


def _representative(session: Session, tax_code: str, principal: Principal) -> EnterpriseRow:
    field = "representative_tax_code"
    try:
        code = validators.tax_code(tax_code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=field) from exc
    if code == principal.tax_code:
        raise ValidationFailed("an enterprise does not represent itself", field=field)
    agent = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == code))
    if agent is None:
        raise ValidationFailed(f"no enterprise with tax code {code} in the register", field=field)
    if "declarant" not in agent.roles:
        raise ValidationFailed(f"{code} is not a declarant: it cannot lodge declarations", field=field)
    return agent


def grant(session: Session, *, principal: Principal, data: RepresentationIn) -> Listed:
    """The calling enterprise grants a representation to a declarant."""
    principal.require_enterprise()
    agent = _representative(session, data.representative_tax_code, principal)
    now = clock.now()
    valid_from = data.valid_from or now
    if data.valid_until is not None and data.valid_until <= valid_from:
        raise ValidationFailed("valid_until must come after valid_from", field="valid_until")
    me = session.get(EnterpriseRow, principal.id)
    assert me is not None
    row = RepresentationRow(
        id=new_id(),
        principal_id=me.id,
        representative_id=agent.id,
        kind=data.kind,
        valid_from=valid_from,
        valid_until=data.valid_until,
        granted_at=now,
        granted_by=principal.label,
    )
    session.add(row)
    listed = Listed(row, me, agent)
    _record(session, OrganizationEvent.REPRESENTATION_GRANTED, listed, actor=principal.label)
    return listed


def revoke(session: Session, *, principal: Principal, representation_id: str) -> Listed:
    """The principal who granted it ends it now (declarations already lodged under it stay)."""
    principal.require_enterprise()
    found = session.execute(_joined().where(RepresentationRow.id == representation_id)).first()
    if found is None or found[0].principal_id != principal.id:
        raise NotFound(f"no representation {representation_id} granted by you", field="id")
    listed = Listed(*found)
    if listed.row.revoked_at is not None:
        raise Conflict("this representation is already revoked", field="id", code="already_revoked")
    listed.row.revoked_at = clock.now()
    _record(session, OrganizationEvent.REPRESENTATION_REVOKED, listed, actor=principal.label)
    return listed


def _record(session: Session, event: OrganizationEvent, listed: Listed, *, actor: str) -> None:
    r = listed.row
    payload = {
        "id": r.id,
        "principal_tax_code": listed.principal.tax_code,
        "representative_tax_code": listed.representative.tax_code,
        "kind": r.kind,
        "valid_from": r.valid_from.isoformat(),
        "valid_until": r.valid_until.isoformat() if r.valid_until else None,
        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
    }
    unit = listed.principal.unit or "00"
    outbox.record(session, type=event, unit=unit, actor=actor, payload=payload)
    revoked = event == OrganizationEvent.REPRESENTATION_REVOKED
    action = "representation.revoke" if revoked else "representation.grant"
    audit.append(session, actor=actor, action=action, target=f"representation:{r.id}", detail=payload)


def require(
    session: Session, *, party_tax_code: str, representative: Principal, at: datetime, field: str
) -> None:
    """Refuse (403 naming `field`) a declarant naming another enterprise as party without a
    representation that party granted it, in force at `at`."""
    if party_tax_code == representative.tax_code:
        return
    rows = session.scalars(
        select(RepresentationRow)
        .join(EnterpriseRow, EnterpriseRow.id == RepresentationRow.principal_id)
        .where(
            EnterpriseRow.tax_code == party_tax_code,
            RepresentationRow.representative_id == representative.id,
            RepresentationRow.valid_from <= at,
        )
    ).all()
    if not any(in_force(r, at) for r in rows):
        raise Forbidden(
            f"{party_tax_code} has granted you no representation in force: only that enterprise, "
            "or a declarant representing it, may name it as the party",
            field=field,
            code="no_representation",
        )
