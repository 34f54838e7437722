"""The issuing countries' signing certificates: customs registers them (an administrative officer, or the
command line), each with its validity, and revokes them; an e-Form D is verified only by a certificate of
its issuing country that is neither revoked nor outside its validity (403 naming the key otherwise)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from haiquan.kit import audit, certs, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.kit.outbound import check_registration
from haiquan.origin import repository
from haiquan.origin.catalogue import OriginEvent
from haiquan.origin.eformd import CountryCert
from haiquan.origin.schemas import CountryKeyIn
from haiquan.origin.tables import CountryKeyRow

ADMIN_ROLES = ("subdepartment_leader", "department_leader", "administrator")
CENTRAL_UNIT = "00"


def _checked(pem: str, country: str) -> x509.Certificate:
    cert = certs.load(pem)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValidationFailed("the certificate must carry an RSA key of at least 2048 bits",
                               field="certificate_pem")  # fmt: skip
    named = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)]
    if named and country not in named:
        raise ValidationFailed(f"the certificate's subject names country {named[0]!r}, not {country}",
                               field="certificate_pem", code="certificate_mismatch")  # fmt: skip
    if cert.not_valid_after_utc <= clock.now():
        raise ValidationFailed(f"the certificate expired on {cert.not_valid_after_utc.date()}",
                               field="certificate_pem", code="certificate_expired")  # fmt: skip
    return cert


def _record(session: Session, actor: str, row: CountryKeyRow, kind: OriginEvent, reason: str = "") -> None:
    payload = {
        "country": row.country,
        "key_name": row.key_name,
        "fingerprint": row.fingerprint,
        "reason": reason,
    }
    outbox.record(session, type=kind, unit=CENTRAL_UNIT, actor=actor, payload=payload)
    audit.append(session, actor=actor, action=str(kind), target=f"country:{row.country}", unit=CENTRAL_UNIT,
                 detail={"key_name": row.key_name, "reason": reason})  # fmt: skip


def register(
    session: Session, *, principal: Principal, data: CountryKeyIn, development: bool
) -> CountryKeyRow:
    principal.require_officer(*ADMIN_ROLES)
    return register_unchecked(session, actor=principal.label, data=data, development=development)


def register_unchecked(
    session: Session, *, actor: str, data: CountryKeyIn, development: bool
) -> CountryKeyRow:
    """Register (the command line: no caller to check)."""
    cert = _checked(data.certificate_pem, data.country)
    if repository.unscoped_country_key(session, data.country, data.key_name) is not None:
        raise Conflict(f"key {data.key_name} is registered for {data.country}", field="key_name")
    endpoint = (
        check_registration(data.endpoint, development=development, field="endpoint")
        if data.endpoint
        else None
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    row = CountryKeyRow(id=new_id(), country=data.country, key_name=data.key_name,
                        certificate_pem=data.certificate_pem.strip() + "\n",
                        fingerprint=hashlib.sha256(der).hexdigest(), endpoint=endpoint, created_at=clock.now(),
                        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc)  # fmt: skip
    session.add(row)
    _record(session, actor, row, OriginEvent.COUNTRY_KEY_REGISTERED)
    return row


def revoke(
    session: Session, *, principal: Principal, country: str, key_name: str, reason: str
) -> CountryKeyRow:
    principal.require_officer(*ADMIN_ROLES)
    row = repository.unscoped_country_key(session, country, key_name)
    if row is None:
        raise NotFound(f"no key {key_name!r} for {country}", field="key_name")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        _record(session, principal.label, row, OriginEvent.COUNTRY_KEY_REVOKED, reason)
    return row


def listed(session: Session, *, principal: Principal) -> list[CountryKeyRow]:
    if not (principal.is_officer or "asw_gateway" in principal.enterprise_roles):
        raise Forbidden("the countries' keys are for customs and the ASW gateway", code="officers_only")
    return repository.unscoped_country_keys(session)


def verifying(session: Session) -> dict[str, list[CountryCert]]:
    """Every country's certificates by country, each judged once (revoked ones kept, to say so)."""
    out: dict[str, list[CountryCert]] = {}
    now = clock.now()
    for k in repository.unscoped_country_keys(session):
        out.setdefault(k.country, []).append(
            CountryCert(k.country, k.key_name, k.certificate_pem, _why(k, now))
        )
    return out


def _why(k: CountryKeyRow, now: datetime) -> Forbidden | None:
    """Read from the certificate itself (its validity), and the row's revocation."""
    field, what = "ds:KeyName", f"{k.country}'s certificate {k.key_name!r}"
    cert = certs.load(k.certificate_pem, field=field)
    if k.revoked_at is not None:
        return Forbidden(
            f"{what} was revoked on {k.revoked_at.date()}", field=field, code="certificate_revoked"
        )
    if cert.not_valid_after_utc <= now:
        return Forbidden(f"{what} expired on {cert.not_valid_after_utc.date()}", field=field,
                         code="certificate_expired")  # fmt: skip
    if cert.not_valid_before_utc > now:
        return Forbidden(f"{what} is valid only from {cert.not_valid_before_utc.isoformat()}", field=field,
                         code="certificate_not_yet_valid")  # fmt: skip
    return None
