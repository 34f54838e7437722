"""Paper declarations: an officer captures a declaration lodged on paper (the MODCHQ-style form: the
electronic declaration's fields, plus the paper's number, the reason and who captured it). During an
outage the office works on paper and back-captures each declaration once the system is back. Each gets a
number in its own range (prefix 8, sequence `declaration_paper`), is lodged through the same service as
an electronic one (in the declarant's name), and is marked, evented (declaration.paper_captured) and
audited under the officer's name. Services never commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from haiquan.declarations import paper_repository as repo
from haiquan.declarations import service
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import DeclarationRow, PaperCaptureRow
from haiquan.kit import audit, clock, ids, outbox, sequences
from haiquan.kit.auth import DECIDING_ROLES, Principal
from haiquan.kit.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from haiquan.organization import service as org

PAPER_PREFIX = "8"  # 1/3 commercial, 5/6 low-value (kit.ids): 8 is the paper range
SEQUENCE = "declaration_paper"
BACK_CAPTURE_DAYS = 30  # a paper declaration older than this is not back-captured through the API


class PaperReason(StrEnum):
    SYSTEM_OUTAGE = "system_outage"  # customs' system down: the office works on paper
    DECLARANT_OUTAGE = "declarant_outage"  # the declarant's system or connection failed
    PAPER_ALLOWED = "paper_allowed"  # a case the law lets be declared on paper
    OTHER = "other"


def check_paper(
    *, reason: PaperReason, back_captured: bool, paper_lodged_at: datetime, now: datetime
) -> None:
    """Pure: a paper declaration is not dated in the future; a back-capture follows an outage and is made
    within BACK_CAPTURE_DAYS."""
    if paper_lodged_at > now + timedelta(minutes=5):
        raise ValidationFailed("the paper declaration is dated in the future", field="paper_lodged_at")
    if back_captured and reason not in (PaperReason.SYSTEM_OUTAGE, PaperReason.DECLARANT_OUTAGE):
        raise ValidationFailed("a back-capture follows an outage: give its reason", field="reason")
    if back_captured and now - paper_lodged_at > timedelta(days=BACK_CAPTURE_DAYS):
        raise ValidationFailed(
            f"back-captures are made within {BACK_CAPTURE_DAYS} days of the paper", field="paper_lodged_at"
        )


def _declarant(session: Session, tax_code: str) -> Principal:
    try:
        ent = org.enterprise_by_tax_code(session, tax_code)
    except NotFound as exc:
        raise ValidationFailed(f"no enterprise {tax_code} is registered", field="declarant_tax_code") from exc
    who = org.enterprise_principal(ent)
    if "declarant" not in who.enterprise_roles:
        raise ValidationFailed(f"enterprise {tax_code} is not a declarant", field="declarant_tax_code")
    return who


def capture(
    session: Session,
    *,
    principal: Principal,
    declaration: DeclarationIn,
    declarant_tax_code: str,
    paper_number: str,
    reason: PaperReason,
    back_captured: bool,
    paper_lodged_at: datetime,
    incident: str | None,
    note: str = "",
) -> tuple[DeclarationRow, PaperCaptureRow]:
    """Capture one paper declaration for the office it was lodged at."""
    principal.require_officer(*[r.value for r in DECIDING_ROLES])
    office = declaration.office
    if not principal.scope.covers_unit(office):
        raise Forbidden("you capture paper declarations of your units only", field="declaration.office")
    now = clock.now()
    check_paper(reason=reason, back_captured=back_captured, paper_lodged_at=paper_lodged_at, now=now)
    if repo.paper_number_taken(session, office, paper_number, scope=principal.scope):
        raise Conflict(
            f"paper declaration {paper_number} of {office} is captured already", field="paper_number"
        )
    declarant = _declarant(session, declarant_tax_code)
    number = ids.declaration_number(PAPER_PREFIX, sequences.next_value(session, SEQUENCE))
    try:
        row = service.lodge(session, principal=declarant, data=declaration, number=number).row
    except DomainError as exc:  # named as a field of the paper form
        exc.field = f"declaration.{exc.field}" if exc.field else "declarant_tax_code"
        exc.errors = [{"field": exc.field, "message": exc.message}]
        raise
    paper = PaperCaptureRow(
        number=number, office=office, paper_number=paper_number, reason=reason.value, back_captured=back_captured,
        paper_lodged_at=paper_lodged_at, incident=incident, note=note, captured_by=principal.label, captured_at=now,
    )  # fmt: skip
    session.add(paper)
    _captured(session, row, paper)
    return row, paper


def _captured(session: Session, row: DeclarationRow, paper: PaperCaptureRow) -> None:
    payload = {
        "number": row.number, "kind": row.kind, "office": row.office, "declarant_tax_code": row.declarant_tax_code,
        "paper_number": paper.paper_number, "reason": paper.reason, "back_captured": paper.back_captured,
        "paper_lodged_at": paper.paper_lodged_at.isoformat(), "incident": paper.incident,
        "captured_by": paper.captured_by,
    }  # fmt: skip
    outbox.record(session, type=DeclarationEvent.PAPER_CAPTURED, unit=row.office, actor=paper.captured_by,
                  payload=payload)  # fmt: skip
    audit.append(session, actor=paper.captured_by, action=str(DeclarationEvent.PAPER_CAPTURED),
                 target=f"declaration:{row.number}", unit=row.office,
                 detail={"paper_number": paper.paper_number, "reason": paper.reason,
                         "back_captured": paper.back_captured})  # fmt: skip
