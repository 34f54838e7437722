"""The events of the ASEAN e-C/O exchange: one name per fact, in the past tense, and each payload's fields.
A batch of certificates from the ASEAN Single Window is one `certificates_received` event (its numbers as a
list), so that a thousand certificates cost one outbox row, as supervision's movements do."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class OriginEvent(StrEnum):
    COUNTRY_KEY_REGISTERED = "origin.country_key_registered"
    COUNTRY_KEY_REVOKED = "origin.country_key_revoked"
    CERTIFICATES_RECEIVED = "origin.certificates_received"
    CERTIFICATE_MATCHED = "origin.certificate_matched"
    PREFERENCE_DEFERRED = "origin.preference_deferred"
    PREFERENCE_REFUSED = "origin.preference_refused"
    VERIFICATION_REQUESTED = "origin.verification_requested"
    VERIFICATION_ANSWERED = "origin.verification_answered"
    CERTIFICATE_ISSUED = "origin.certificate_issued"
    CERTIFICATE_SENT = "origin.certificate_sent"


class CountryKey(TypedDict):
    """Customs registered (or revoked) a country's certificate that verifies its e-Form D signatures."""

    country: str
    key_name: str
    fingerprint: str
    reason: str


class Received(TypedDict):
    """The ASEAN Single Window delivered signed e-Form D certificates; each was verified and stored."""

    gateway: str
    certificates: list[str]  # numbers
    countries: list[str]  # the issuing country of each, in the same order


class Matched(TypedDict):
    """A declaration line's ATIGA claim matched the certificate it names: the ATIGA rate applies."""

    declaration_number: str
    line_no: int
    certificate_no: str
    item_no: int | None


class Pending(TypedDict):
    """A line claims ATIGA on a certificate not received yet: the decision was deferred until the date given."""

    declaration_number: str
    line_no: int
    certificate_no: str
    until: str


class Refused(TypedDict):
    """A line's ATIGA claim was refused (the certificate does not match, or never came): MFN applies."""

    declaration_number: str
    line_no: int
    certificate_no: str
    reason: str  # certificate_mismatch | certificate_not_received
    fields: list[str]  # the mismatching fields (officers' detail stays in the claim)
    duty_at_stake: str  # VND: the import duty the preference would have spared


class VerificationRequested(TypedDict):
    """Customs asked the issuing country to verify a certificate (retroactive check, ATIGA OCP rule 18)."""

    request_id: str
    certificate_no: str
    country: str
    reason: str


class VerificationAnswered(TypedDict):
    """The issuing country answered: the certificate is genuine and the goods originating, or not."""

    request_id: str
    certificate_no: str
    country: str
    result: str  # confirmed | not_confirmed
    note: str


class Issued(TypedDict):
    """Viet Nam issued an outgoing e-Form D for an export declaration, signed with its key."""

    certificate_no: str
    declaration_number: str
    importing_country: str


class Sent(TypedDict):
    """An outgoing certificate was delivered to (or refused by) the partner country's endpoint."""

    certificate_no: str
    importing_country: str
    delivered: bool
    detail: str


PAYLOADS: dict[OriginEvent, type] = {
    OriginEvent.COUNTRY_KEY_REGISTERED: CountryKey,
    OriginEvent.COUNTRY_KEY_REVOKED: CountryKey,
    OriginEvent.CERTIFICATES_RECEIVED: Received,
    OriginEvent.CERTIFICATE_MATCHED: Matched,
    OriginEvent.PREFERENCE_DEFERRED: Pending,
    OriginEvent.PREFERENCE_REFUSED: Refused,
    OriginEvent.VERIFICATION_REQUESTED: VerificationRequested,
    OriginEvent.VERIFICATION_ANSWERED: VerificationAnswered,
    OriginEvent.CERTIFICATE_ISSUED: Issued,
    OriginEvent.CERTIFICATE_SENT: Sent,
}
