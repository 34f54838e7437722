"""Terminal operators' signing certificates. Customs registers them (an officer of the operator's unit with
an administrative role, or the command line), never the operator itself: a certificate must name the
operator's tax code and not have expired (kit.certs), and carries its validity; customs revokes one with a
reason. A signed message naming a certificate that is revoked, outside its validity or names someone else
refuses the whole batch (403 problem+json naming the key): a credential problem, not a message's.
Each change is audited and recorded as an event of the supervision catalogue. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, certs, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.registry import ADMIN_ROLES, get_operator
from haiquan.supervision.schemas import KeyIn
from haiquan.supervision.tables import OperatorKeyRow, OperatorRow


@dataclass(frozen=True)
class SigningKey:
    """A registered certificate as a batch uses it: why it may not verify now (None: it may)."""

    name: str
    certificate_pem: str
    refusal: Forbidden | None


def _record(
    session: Session, principal: Principal, op: OperatorRow, kind: SupervisionEvent, **detail: str
) -> None:
    payload = {"operator_id": op.id, "tax_code": op.tax_code, **detail}
    outbox.record(session, type=kind, unit=op.unit, actor=principal.label, payload=payload)
    audit.append(session, actor=principal.label, action=str(kind), target=f"operator:{op.tax_code}",
                 unit=op.unit, detail=dict(detail))  # fmt: skip


def _check_rsa(pem: str) -> None:
    key = certs.load(pem).public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValidationFailed(
            "the certificate must carry an RSA key of at least 2048 bits", field="certificate_pem"
        )


def add_key(session: Session, *, principal: Principal, operator_id: str, data: KeyIn) -> OperatorKeyRow:
    """Customs registers an operator's certificate under a key name (the messages' ds:KeyName)."""
    principal.require_officer(*ADMIN_ROLES)
    op = get_operator(session, principal, operator_id)
    _check_rsa(data.certificate_pem)
    cert = certs.register(data.certificate_pem, tax_code=op.tax_code)
    if session.scalar(
        select(OperatorKeyRow.id).where(
            OperatorKeyRow.operator_id == op.id, OperatorKeyRow.key_name == data.key_name
        )
    ):
        raise Conflict(f"key {data.key_name} is registered", field="key_name")
    row = OperatorKeyRow(id=new_id(), operator_id=op.id, key_name=data.key_name, certificate_pem=cert.pem,
                         fingerprint=cert.fingerprint, created_at=clock.now(), not_before=cert.not_before,
                         not_after=cert.not_after)  # fmt: skip
    session.add(row)
    _record(session, principal, op, SupervisionEvent.OPERATOR_KEY_ADDED, key_name=data.key_name,
            fingerprint=cert.fingerprint, not_before=cert.not_before.isoformat(),
            not_after=cert.not_after.isoformat())  # fmt: skip
    return row


def listed(session: Session, *, principal: Principal, operator_id: str) -> list[OperatorKeyRow]:
    """An operator's certificates: for officers of its unit, and for the operator itself."""
    op = get_operator(session, principal, operator_id)
    q = select(OperatorKeyRow).where(OperatorKeyRow.operator_id == op.id).order_by(OperatorKeyRow.created_at)
    return list(session.scalars(q))


def revoke_key(
    session: Session, *, principal: Principal, operator_id: str, key_name: str, reason: str
) -> OperatorKeyRow:
    """Customs revokes a certificate now (a key leaked, a system retired); revoking it again changes nothing."""
    principal.require_officer(*ADMIN_ROLES)
    op = get_operator(session, principal, operator_id)
    row = session.scalar(
        select(OperatorKeyRow).where(OperatorKeyRow.operator_id == op.id, OperatorKeyRow.key_name == key_name)
    )
    if row is None:
        raise NotFound(f"no key {key_name!r} for operator {op.tax_code}", field="key_name")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        _record(session, principal, op, SupervisionEvent.OPERATOR_KEY_REVOKED, key_name=key_name,
                fingerprint=row.fingerprint, reason=reason)  # fmt: skip
    return row


def signing_keys(session: Session, op: OperatorRow) -> dict[str, SigningKey]:
    """The operator's certificates by key name, each judged once for the batch (revoked ones included, so
    that a message naming one is refused as revoked, not as unknown)."""
    rows = session.scalars(select(OperatorKeyRow).where(OperatorKeyRow.operator_id == op.id))
    return {k.key_name: _judged(k, op.tax_code) for k in rows}


def _judged(k: OperatorKeyRow, tax_code: str) -> SigningKey:
    why = certs.refusal(pem=k.certificate_pem, tax_code=tax_code, revoked_at=k.revoked_at,
                        what=f"the certificate {k.key_name!r}", field="KeyName")  # fmt: skip
    return SigningKey(k.key_name, k.certificate_pem, why)
