"""X.509 certificates that verify signed XML (terminal operators' messages, banks' confirmations). Customs
registers them (never the enterprise itself); each carries its validity (notBefore / notAfter) and must name
the enterprise it speaks for: its tax code (mã số thuế) as the subject's commonName, serialNumber or UID,
bare or as `MST:<tax code>` (the form Vietnamese certification authorities write). A certificate that is
revoked, outside its validity, or names someone else verifies nothing: `refusal` says why, as a 403."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from haiquan.kit import clock
from haiquan.kit.errors import Forbidden, ValidationFailed

NAMING = (NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER, NameOID.USER_ID)
_PREFIX = re.compile(r"^\s*MST\s*[:=]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Registered:
    """What customs keeps of a certificate when registering it."""

    pem: str
    fingerprint: str  # SHA-256 of the DER, hex
    not_before: datetime
    not_after: datetime


def load(pem: str, *, field: str = "certificate_pem") -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError as exc:
        raise ValidationFailed("not a PEM X.509 certificate", field=field, code="bad_certificate") from exc


def tax_codes_named(cert: x509.Certificate) -> set[str]:
    """The tax codes the subject names (commonName, serialNumber, UID; an `MST:` prefix and dashes dropped)."""
    found = set()
    for oid in NAMING:
        for attr in cert.subject.get_attributes_for_oid(oid):
            value = attr.value if isinstance(attr.value, str) else attr.value.decode(errors="replace")
            found.add(_PREFIX.sub("", value).replace("-", "").replace(" ", ""))
    return found


def names(cert: x509.Certificate, tax_code: str) -> bool:
    return tax_code.replace("-", "") in tax_codes_named(cert)


def register(pem: str, *, tax_code: str, field: str = "certificate_pem") -> Registered:
    """Check a certificate customs is about to register for the enterprise `tax_code`: it names the
    enterprise and has not expired (one valid from a later date is accepted: a planned rotation)."""
    cert = load(pem, field=field)
    if not names(cert, tax_code):
        subject = cert.subject.rfc4514_string()[:200]
        raise ValidationFailed(
            f"the certificate's subject ({subject}) does not name tax code {tax_code} "
            "(as commonName, serialNumber or UID, e.g. CN=MST:" + tax_code + ")",
            field=field,
            code="certificate_mismatch",
        )
    if cert.not_valid_after_utc <= clock.now():
        raise ValidationFailed(
            f"the certificate expired on {cert.not_valid_after_utc.date()}",
            field=field,
            code="certificate_expired",
        )
    der = cert.public_bytes(serialization.Encoding.DER)
    return Registered(
        pem=pem.strip() + "\n",
        fingerprint=hashlib.sha256(der).hexdigest(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def refusal(
    *, pem: str, tax_code: str, revoked_at: datetime | None, what: str, field: str = "signature"
) -> Forbidden | None:
    """Why the certificate may not verify a signature now (None: it may). Read from the certificate itself,
    so that one registered before these checks existed is judged the same way."""
    cert = load(pem, field=field)
    now = clock.now()
    if revoked_at is not None:
        return Forbidden(
            f"{what} was revoked by customs on {revoked_at.date()}", field=field, code="certificate_revoked"
        )
    if cert.not_valid_after_utc <= now:
        return Forbidden(
            f"{what} expired on {cert.not_valid_after_utc.date()}", field=field, code="certificate_expired"
        )
    if cert.not_valid_before_utc > now:
        return Forbidden(
            f"{what} is valid only from {cert.not_valid_before_utc.isoformat()}",
            field=field,
            code="certificate_not_yet_valid",
        )
    if not names(cert, tax_code):
        return Forbidden(
            f"{what} does not name tax code {tax_code}", field=field, code="certificate_mismatch"
        )
    return None
