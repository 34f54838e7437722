"""Origin queries. Certificates and countries' keys are customs' reference data, read unscoped (named so);
a declaration's claims are read only through the declaration, in the caller's scope (origin.service)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.origin.tables import CertificateRow, ClaimRow, CountryKeyRow, VerificationRow


def unscoped_certificates(session: Session, numbers: Iterable[str]) -> dict[str, CertificateRow]:
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = session.scalars(select(CertificateRow).where(CertificateRow.number.in_(wanted)))
    return {r.number: r for r in rows}


MATCHED_FIELDS = ("number", "issue_date", "issuing_country", "importing_country", "exporter_name",
                  "consignee_name", "consignee_tax_id", "items", "status")  # fmt: skip


_CERTIFICATES = cast(Table, CertificateRow.__table__)
# Built once, on the table's columns (not the ORM's): run at every lodging that claims ATIGA, it costs half
# the CPU of a select built per call through the ORM (benchmarks/declarations.py, issue #17).
_RECEIVED_FOR_MATCHING = select(*[_CERTIFICATES.c[c] for c in MATCHED_FIELDS]).where(
    _CERTIFICATES.c.number.in_(bindparam("wanted", expanding=True)), _CERTIFICATES.c.direction == "in"
)


def unscoped_received_for_matching(session: Session, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The received certificates' fields the matching rule reads (not their XML), by number: one
    statement for every certificate a declaration's lines name."""
    wanted = sorted(set(numbers))
    return {r.number: dict(r._mapping) for r in session.execute(_RECEIVED_FOR_MATCHING, {"wanted": wanted})}


def unscoped_existing_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    wanted = sorted(set(numbers))
    return set(session.scalars(select(CertificateRow.number).where(CertificateRow.number.in_(wanted))))


def unscoped_country_keys(session: Session, countries: Iterable[str] | None = None) -> list[CountryKeyRow]:
    q = select(CountryKeyRow).order_by(CountryKeyRow.country, CountryKeyRow.created_at)
    if countries is not None:
        q = q.where(CountryKeyRow.country.in_(sorted(set(countries))))
    return list(session.scalars(q))


def unscoped_country_key(session: Session, country: str, key_name: str) -> CountryKeyRow | None:
    return session.scalar(
        select(CountryKeyRow).where(CountryKeyRow.country == country, CountryKeyRow.key_name == key_name)
    )


def claims(session: Session, number: str, *, scope: Scope) -> list[ClaimRow]:
    """A declaration's claims; the caller checked the declaration is in its scope (origin.service)."""
    q = select(ClaimRow).where(ClaimRow.declaration_number == number).order_by(ClaimRow.line_no)
    return [c for c in session.scalars(q) if scope.covers_unit(c.office) or scope.enterprise_id]


def unscoped_claims_of_declaration(session: Session, number: str) -> list[ClaimRow]:
    q = select(ClaimRow).where(ClaimRow.declaration_number == number).order_by(ClaimRow.line_no)
    return list(session.scalars(q))


def unscoped_pending_on(session: Session, certificate_nos: Iterable[str]) -> list[ClaimRow]:
    wanted = sorted(set(certificate_nos))
    q = select(ClaimRow).where(ClaimRow.status == "pending", ClaimRow.certificate_no.in_(wanted))
    return list(session.scalars(q.with_for_update()))


def unscoped_pending_past(session: Session, today: date, limit: int = 500) -> list[ClaimRow]:
    q = (
        select(ClaimRow)
        .where(ClaimRow.status == "pending", ClaimRow.pending_until < today)
        .order_by(ClaimRow.pending_until)
        .limit(limit)
    )
    return list(session.scalars(q.with_for_update()))


def unscoped_matched_on(session: Session, certificate_no: str) -> list[ClaimRow]:
    q = select(ClaimRow).where(ClaimRow.certificate_no == certificate_no, ClaimRow.status == "matched")
    return list(session.scalars(q))


def verification(session: Session, request_id: str, *, scope: Scope) -> VerificationRow | None:
    row = session.get(VerificationRow, request_id)
    if row is None or not (scope.covers_unit(row.office) or scope.enterprise_id):
        return None
    return row


def verifications(session: Session, certificate_no: str, *, scope: Scope) -> list[VerificationRow]:
    q = select(VerificationRow).where(VerificationRow.certificate_no == certificate_no)
    return [
        v for v in session.scalars(q.order_by(VerificationRow.requested_at)) if scope.covers_unit(v.office)
    ]


def unscoped_open_verifications(session: Session) -> list[VerificationRow]:
    q = select(VerificationRow).where(VerificationRow.result.is_(None)).order_by(VerificationRow.requested_at)
    return list(session.scalars(q.limit(500)))


def unscoped_outgoing_pending(session: Session, limit: int = 100) -> list[CertificateRow]:
    q = select(CertificateRow).where(CertificateRow.direction == "out", CertificateRow.delivery == "pending")
    return list(session.scalars(q.order_by(CertificateRow.received_at).limit(limit).with_for_update()))
