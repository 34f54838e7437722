"""Origin use cases read and decided by customs: a declaration's claims (in the caller's scope: a trader
reads its own declarations' claims, neutrally; an officer reads the mismatches), a certificate, and the
verification requests customs sends to an issuing country through the ASW gateway, with their answers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import UNSCOPED, Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound
from haiquan.origin import repository, repricing
from haiquan.origin.catalogue import OriginEvent
from haiquan.origin.domain import ClaimStatus, Mismatch, Verdict
from haiquan.origin.schemas import ClaimOut, MismatchOut, VerificationAnswerIn
from haiquan.origin.tables import CertificateRow, ClaimRow, VerificationRow

NEUTRAL = {
    "matched": "ATIGA preference applied on the e-Form D received",
    "mismatch": "ATIGA preference not applied: the declaration is selected for documentary check",
    "pending": "ATIGA preference pending: the e-Form D has not been received from the exporting country",
    "expired": "ATIGA preference not applied: the e-Form D was not received in time (MFN applies)",
}


def claim_out(c: ClaimRow, officer: bool) -> ClaimOut:
    mismatches = [MismatchOut(**m) for m in c.mismatches] if officer else []
    text = NEUTRAL.get(c.status, c.status)
    if officer and c.mismatches:
        text = "e-Form D does not match: " + "; ".join(
            f"{m['field']} (declared {m['declared']}, certificate {m['certificate']})" for m in c.mismatches
        )
    return ClaimOut(line_no=c.line_no, certificate_no=c.certificate_no, status=c.status,
                    pending_until=c.pending_until, explanation=text, mismatches=mismatches)  # fmt: skip


def claims(session: Session, *, principal: Principal, number: str) -> list[ClaimOut]:
    """A declaration's ATIGA claims: 404 outside the caller's scope (a trader: its own declarations)."""
    declarations.get(session, number, scope=principal.scope)
    return [
        claim_out(c, principal.is_officer) for c in repository.claims(session, number, scope=principal.scope)
    ]


def certificate(session: Session, *, principal: Principal, number: str) -> CertificateRow:
    principal.require_officer()
    row = repository.unscoped_certificates(session, [number]).get(number)
    if row is None:
        raise NotFound(f"no certificate {number}", field="number")
    return row


def request_verification(
    session: Session, *, principal: Principal, number: str, reason: str
) -> VerificationRow:
    """An officer asks the issuing country to verify a received certificate (the gateway carries it)."""
    cert = certificate(session, principal=principal, number=number)
    if cert.direction != "in":
        raise Conflict(f"certificate {number} is one of ours", field="number")
    row = VerificationRow(id=new_id(), certificate_no=number, country=cert.issuing_country,
                          office=principal.unit or "00", reason=reason, requested_by=principal.label,
                          requested_at=clock.now(), note="")  # fmt: skip
    session.add(row)
    outbox.record(session, type=OriginEvent.VERIFICATION_REQUESTED, unit=row.office, actor=principal.label,
                  payload={"request_id": row.id, "certificate_no": number, "country": row.country,
                           "reason": reason})  # fmt: skip
    audit.append(session, actor=principal.label, action="origin.verification_requested",
                 target=f"certificate:{number}", unit=row.office, detail={"reason": reason})  # fmt: skip
    return row


def open_verifications(session: Session, *, principal: Principal) -> list[VerificationRow]:
    """What the gateway carries to the issuing countries: the requests not answered yet."""
    principal.require_enterprise("asw_gateway")
    return repository.unscoped_open_verifications(session)


def answer_verification(
    session: Session, *, principal: Principal, request_id: str, data: VerificationAnswerIn
) -> VerificationRow:
    """The issuing country's answer, carried by the gateway. Not confirmed: the certificate no longer
    supports a preference, and lines matched on it are priced at MFN."""
    principal.require_enterprise("asw_gateway")
    row = repository.verification(session, request_id, scope=UNSCOPED)
    if row is None:
        raise NotFound(f"no verification request {request_id}", field="request_id")
    if row.result is not None:
        raise Conflict(f"request {request_id} was answered on {row.answered_at}", field="request_id")
    row.result, row.note, row.answered_at = data.result, data.note, clock.now()
    outbox.record(session, type=OriginEvent.VERIFICATION_ANSWERED, unit=row.office, actor=principal.label,
                  payload={"request_id": row.id, "certificate_no": row.certificate_no, "country": row.country,
                           "result": data.result, "note": data.note})  # fmt: skip
    if data.result == "not_confirmed":
        _withdraw(session, row.certificate_no)
    return row


def _withdraw(session: Session, number: str) -> None:
    cert = repository.unscoped_certificates(session, [number])[number]
    cert.status = "not_confirmed"
    verdict = Verdict(
        ClaimStatus.MISMATCH, (Mismatch("validity", "confirmed", "not confirmed by the issuing country"),)
    )
    for claim in repository.unscoped_matched_on(session, number):
        row = declarations.get(session, claim.declaration_number, scope=UNSCOPED, for_update=True)
        repricing.decide(session, claim, row, verdict)
