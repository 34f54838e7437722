"""Banks connected to the payment gateway: added by an administrator (CLI or API) with the enterprise whose
API key the bank's system uses, listed, disabled and enabled again; the certificate that verifies a bank's
signed XML, registered and revoked by customs (it must name the bank's tax code: kit.certs). Every change
is audited and is an event (`payment.bank_added`, `payment.bank_disabled`, `payment.bank_enabled`,
`payment.bank_certificate_registered`, `payment.bank_certificate_revoked`). Services never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, certs, clock, outbox
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.organization import service as org
from haiquan.organization.tables import EnterpriseRow
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.tables import BankRow
from haiquan.reference import validators

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
NATIONAL = "00"  # banks serve every unit: their events belong to the General Department


@dataclass(frozen=True)
class Added:
    bank: BankRow
    api_key: str  # shown once: stored hashed with the bank's enterprise


def check_code(code: str) -> str:
    value = code.strip().upper()
    if not CODE.match(value):
        raise ValidationFailed(
            "a bank code is 2 to 12 capital letters and digits, starting with a letter (e.g. VCB)",
            field="code",
        )
    return value


def check_certificate(
    pem: str | None, *, tax_code: str, field: str = "certificate_pem"
) -> certs.Registered | None:
    """A PEM X.509 certificate that verifies the bank's signed XML: it names the bank's tax code and has not
    expired (kit.certs); None: none given."""
    if pem is None or not pem.strip():
        return None
    return certs.register(pem, tax_code=tax_code, field=field)


def add(
    session: Session,
    *,
    code: str,
    name: str,
    tax_code: str,
    round_the_clock: bool,
    certificate_pem: str | None,
    actor: str,
) -> Added:
    """Connect a bank: its row, and an API key for its enterprise (registered now with the role `bank`,
    or given that role if customs already knows the enterprise)."""
    code = check_code(code)
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("the name is 1 to 200 characters", field="name")
    try:
        tax = validators.tax_code(tax_code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="tax_code") from exc
    cert = check_certificate(certificate_pem, tax_code=tax)
    if session.get(BankRow, code) is not None:
        raise Conflict(f"bank {code} exists", field="code", code="bank_exists")
    if session.scalar(select(BankRow.code).where(BankRow.tax_code == tax)) is not None:
        raise Conflict(f"a bank with tax code {tax} exists", field="tax_code", code="bank_exists")
    key = _enterprise_key(session, tax=tax, name=name, actor=actor)
    row = BankRow(code=code, name=name, tax_code=tax, active=True, round_the_clock=round_the_clock,
                  created_at=clock.now())  # fmt: skip
    _install(row, cert)
    session.add(row)
    payload = {
        "code": code,
        "name": name,
        "tax_code": tax,
        "round_the_clock": round_the_clock,
        "xml": cert is not None,
    }
    outbox.record(session, type=PaymentEvent.BANK_ADDED, unit=NATIONAL, actor=actor, payload=payload)
    audit.append(session, actor=actor, action="payment.bank_add", target=f"bank:{code}", detail=payload)
    return Added(row, key)


def _enterprise_key(session: Session, *, tax: str, name: str, actor: str) -> str:
    ent = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax))
    if ent is None:
        _, key = org.add_enterprise(session, tax_code=tax, name=name, roles=["bank"], actor=actor)
        return key
    if "bank" not in ent.roles:
        ent.roles = sorted({*ent.roles, "bank"})
        audit.append(session, actor=actor, action="enterprise.role_added", target=f"enterprise:{tax}",
                     detail={"role": "bank"})  # fmt: skip
    return org.issue_api_key(session, enterprise=ent, actor=actor, label="bank gateway")


def listed(session: Session, *, include_disabled: bool = False) -> list[BankRow]:
    q = select(BankRow).order_by(BankRow.code)
    if not include_disabled:
        q = q.where(BankRow.active.is_(True))
    return list(session.scalars(q))


def set_active(session: Session, *, code: str, active: bool, reason: str, actor: str) -> BankRow:
    """Disable a bank (its confirmations, reversals and guarantees are refused from now on; what it booked
    stays) or enable it again. Doing what is already done changes nothing."""
    row = session.get(BankRow, code.strip().upper(), with_for_update=True)
    if row is None:
        raise NotFound(f"no bank {code}", field="code")
    if row.active == active:
        return row
    row.active = active
    event = PaymentEvent.BANK_ENABLED if active else PaymentEvent.BANK_DISABLED
    payload = {"code": row.code, "tax_code": row.tax_code, "reason": reason}
    outbox.record(session, type=event, unit=NATIONAL, actor=actor, payload=payload)
    action = "payment.bank_enable" if active else "payment.bank_disable"
    audit.append(session, actor=actor, action=action, target=f"bank:{row.code}",
                 detail={"reason": reason[:200]})  # fmt: skip
    return row


def _install(row: BankRow, cert: certs.Registered | None) -> None:
    row.certificate_pem = cert.pem if cert else None
    row.certificate_not_before = cert.not_before if cert else None
    row.certificate_not_after = cert.not_after if cert else None
    row.certificate_revoked_at = None


def set_certificate(session: Session, *, code: str, pem: str, actor: str, field: str = "file") -> BankRow:
    """Customs registers (or replaces) the certificate that verifies a bank's signed XML confirmations."""
    row = session.get(BankRow, code.strip().upper(), with_for_update=True)
    if row is None:
        raise NotFound(f"no bank {code}", field="code")
    cert = check_certificate(pem, tax_code=row.tax_code, field=field)
    if cert is None:
        raise ValidationFailed("the certificate is empty", field=field, code="bad_certificate")
    _install(row, cert)
    payload = {"code": row.code, "tax_code": row.tax_code, "fingerprint": cert.fingerprint,
               "not_before": cert.not_before.isoformat(), "not_after": cert.not_after.isoformat()}  # fmt: skip
    outbox.record(
        session, type=PaymentEvent.BANK_CERTIFICATE_REGISTERED, unit=NATIONAL, actor=actor, payload=payload
    )
    audit.append(
        session, actor=actor, action="payment.bank_certificate", target=f"bank:{row.code}", detail=payload
    )
    return row


def revoke_certificate(session: Session, *, code: str, reason: str, actor: str) -> BankRow:
    """Customs revokes a bank's certificate now: its signed XML is refused until another is registered."""
    row = session.get(BankRow, code.strip().upper(), with_for_update=True)
    if row is None:
        raise NotFound(f"no bank {code}", field="code")
    if row.certificate_pem is None:
        raise Conflict(f"bank {row.code} has no certificate", field="code", code="no_certificate")
    if row.certificate_revoked_at is None:
        row.certificate_revoked_at = clock.now()
        payload = {"code": row.code, "tax_code": row.tax_code, "reason": reason}
        outbox.record(
            session, type=PaymentEvent.BANK_CERTIFICATE_REVOKED, unit=NATIONAL, actor=actor, payload=payload
        )
        audit.append(session, actor=actor, action="payment.bank_certificate_revoked", target=f"bank:{row.code}",
                     detail={"reason": reason[:200]})  # fmt: skip
    return row


def certificate_for_xml(bank: BankRow) -> str:
    """The certificate that verifies the bank's signed XML now, or the problem: none registered (422);
    revoked, expired, not yet valid or naming someone else (403)."""
    if not bank.certificate_pem:
        raise ValidationFailed(
            f"bank {bank.code} has registered no certificate", field="Bank", code="no_certificate"
        )
    why = certs.refusal(pem=bank.certificate_pem, tax_code=bank.tax_code, revoked_at=bank.certificate_revoked_at,
                        what=f"bank {bank.code}'s certificate")  # fmt: skip
    if why is not None:
        raise why
    return bank.certificate_pem


def refusal(bank: BankRow | None, code: str, tax_code: str | None) -> Forbidden | None:
    """Why a bank's API key may not act for bank `code` (None: it may)."""
    if bank is None or bank.tax_code != tax_code:
        return Forbidden(f"this API key does not belong to bank {code}", field="bank", code="wrong_bank")
    if not bank.active:
        return Forbidden(
            f"bank {code} is disabled: customs refuses its confirmations", field="bank", code="bank_disabled"
        )
    return None
