"""The payments domain's event catalogue (the part this branch records through it: banks' signing
certificates). Producers pass the member to `outbox.record(type=...)`; consumers compare with the same
members."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict


class PaymentEvent(StrEnum):
    BANK_CERTIFICATE_REGISTERED = "payment.bank_certificate_registered"
    BANK_CERTIFICATE_REVOKED = "payment.bank_certificate_revoked"


class BankCertificateRegistered(TypedDict):
    code: str
    tax_code: str
    fingerprint: str
    not_before: str
    not_after: str


class BankCertificateRevoked(TypedDict):
    code: str
    tax_code: str
    reason: str


PAYLOADS: dict[PaymentEvent, type] = {
    PaymentEvent.BANK_CERTIFICATE_REGISTERED: BankCertificateRegistered,
    PaymentEvent.BANK_CERTIFICATE_REVOKED: BankCertificateRevoked,
}
