"""Applications' use cases: filed and documented by the trader, reviewed, questioned and decided by an
officer of the office addressed (or of a unit above), withdrawn, flagged when the deadline passes.
Keyword-only; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from haiquan.applications import access, documents, effects, repository
from haiquan.applications.catalogue import ApplicationEvent
from haiquan.applications.domain import (
    OPEN,
    Command,
    Decision,
    Kind,
    RefundMode,
    Status,
    deadline_from,
    deadline_rule,
    missing_field,
    transition,
)
from haiquan.applications.records import record
from haiquan.applications.schemas import FilingIn
from haiquan.applications.tables import ApplicationDocumentRow, ApplicationHistoryRow, ApplicationRow
from haiquan.declarations import repository as declarations
from haiquan.kit import clock
from haiquan.kit.auth import Principal
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.kit.sql import new_id
from haiquan.organization.service import TREES


def _office(session: Session, principal: Principal, data: FilingIn) -> str:
    """The office addressed: as named, else the declaration's (which must be the trader's own)."""
    office = data.office
    if data.declaration_number:
        try:
            declaration = declarations.get(session, data.declaration_number, scope=principal.scope)
        except NotFound as exc:
            raise NotFound(exc.message, field="declaration_number") from exc
        office = office or declaration.office
    if not office or TREES.get(session).get(office) is None:
        raise ValidationFailed("name the customs office the application is addressed to", field="office")
    return office


def file(session: Session, *, principal: Principal, data: FilingIn) -> ApplicationRow:
    """A trader files an application online: checked per kind, addressed, its legal deadline set."""
    access.trader_scope(principal)
    missing = missing_field(data.kind, data.model_dump())
    if missing is not None:
        raise ValidationFailed(f"a {data.kind} application names its {missing}", field=missing)
    mode = (data.refund_mode or RefundMode.CHECK_BEFORE_REFUND) if data.kind is Kind.REFUND else None
    office, now = _office(session, principal, data), clock.now()
    rule = deadline_rule(data.kind, mode)
    row = ApplicationRow(
        id=new_id(), kind=data.kind.value, status=Status.FILED.value, office=office,
        enterprise_id=principal.id, tax_code=principal.tax_code or "", subject=data.subject,
        reason_code=data.reason_code, refund_mode=mode.value if mode else None,
        declaration_number=data.declaration_number, amount_requested=data.amount,
        requested_due_date=data.requested_due_date, goods_code=data.goods_code,
        goods_description=data.goods_description, hs_code=data.hs_code or "",
        origin_country=data.origin_country or "", details=data.details, filed_at=now, clock_started_at=now,
        deadline=deadline_from(now, rule), deadline_source=rule.source, overdue_at=None, info_request="",
        decided_at=None, decided_by="", reasons="", amount_granted=None, decided_hs_code="", valid_from=None,
        valid_to=None, new_due_date=None, amount_paid_back=0, updated_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()  # the history row refers to it
    record(session, row, None, ApplicationEvent.FILED, actor=principal.label, subject=data.subject)
    return row


def attach_document(
    session: Session, *, principal: Principal, application_id: str, filename: str, content_type: str,
    data: bytes, data_dir: Path,
) -> ApplicationDocumentRow:  # fmt: skip
    """The applicant attaches a document to its open application: checked first (type by its first bytes,
    size, name), stored by its hash only once accepted."""
    scope = access.trader_scope(principal)
    row = repository.get(session, application_id, scope=scope, for_update=True)
    if Status(row.status) not in OPEN:
        raise ValidationFailed(
            f"the application is {row.status}", field="application_id", code="application_closed"
        )
    if repository.count_documents(session, application_id, scope=scope) >= documents.MAX_PER_APPLICATION:
        raise ValidationFailed(
            f"at most {documents.MAX_PER_APPLICATION} documents an application",
            field="data",
            code="too_many_documents",
        )
    sha256 = documents.check(filename, content_type, data)
    key = documents.store(data_dir, sha256, data)
    doc = ApplicationDocumentRow(
        id=new_id(), application_id=row.id, filename=filename.strip(), content_type=content_type,
        size_bytes=len(data), sha256=sha256, storage_key=key, uploaded_at=clock.now(), uploaded_by=principal.label,
    )  # fmt: skip
    session.add(doc)
    session.flush()
    record(
        session, row, row.status, ApplicationEvent.DOCUMENT_ATTACHED, actor=principal.label, document_id=doc.id,
        filename=doc.filename, content_type=content_type, size_bytes=len(data), sha256=sha256,
    )  # fmt: skip
    return doc


def _move(row: ApplicationRow, command: Command) -> str:
    previous = row.status
    row.status = transition(Status(row.status), command).value
    return previous


def start_review(session: Session, *, principal: Principal, application_id: str) -> ApplicationRow:
    row = repository.get(session, application_id, scope=access.officer_scope(principal), for_update=True)
    previous = _move(row, Command.REVIEW)
    record(session, row, previous, ApplicationEvent.REVIEW_STARTED, actor=principal.label)
    return row


def request_info(
    session: Session, *, principal: Principal, application_id: str, request: str
) -> ApplicationRow:
    row = repository.get(session, application_id, scope=access.officer_scope(principal), for_update=True)
    previous = _move(row, Command.REQUEST_INFO)
    row.info_request = request
    record(
        session, row, previous, ApplicationEvent.INFO_REQUESTED, actor=principal.label, info_request=request
    )
    return row


def provide_info(session: Session, *, principal: Principal, application_id: str, note: str) -> ApplicationRow:
    """The trader answers: the dossier is complete again and the legal clock restarts from now."""
    row = repository.get(session, application_id, scope=access.trader_scope(principal), for_update=True)
    previous = _move(row, Command.PROVIDE_INFO)
    now = clock.now()
    rule = deadline_rule(Kind(row.kind), RefundMode(row.refund_mode) if row.refund_mode else None)
    row.clock_started_at, row.deadline, row.overdue_at = now, deadline_from(now, rule), None
    record(session, row, previous, ApplicationEvent.INFO_PROVIDED, actor=principal.label, note=note)
    return row


def withdraw(session: Session, *, principal: Principal, application_id: str) -> ApplicationRow:
    row = repository.get(session, application_id, scope=access.trader_scope(principal), for_update=True)
    previous = _move(row, Command.WITHDRAW)
    record(session, row, previous, ApplicationEvent.WITHDRAWN, actor=principal.label)
    return row


def decide(
    session: Session, *, principal: Principal, application_id: str, decision: Decision
) -> ApplicationRow:
    """The officer's reasoned decision (audited, an event) and what it causes: a refund booked as due, a
    ruling in force, a payment deadline moved."""
    row = repository.get(session, application_id, scope=access.officer_scope(principal), for_update=True)
    return effects.decide(session, row, decision, actor=principal.label)


def pay_refund(
    session: Session, *, principal: Principal, application_id: str, amount: object
) -> ApplicationRow:
    row = repository.get(session, application_id, scope=access.officer_scope(principal), for_update=True)
    return effects.pay_back(session, row, amount, actor=principal.label)


def flag_overdue(session: Session, *, now: datetime | None = None, actor: str = "system:applications") -> int:
    """Every undecided application past its legal deadline, flagged once: an event each (the alert)."""
    at = now or clock.now()
    rows = repository.unscoped_overdue(session, at)
    for row in rows:
        row.overdue_at = at
        hours = round((at - row.deadline).total_seconds() / 3600, 2)
        record(session, row, row.status, ApplicationEvent.OVERDUE, actor=actor, hours_late=hours)
    return len(rows)


def queue(
    session: Session,
    *,
    principal: Principal,
    statuses: list[str] | None = None,
    kinds: list[str] | None = None,
) -> list[ApplicationRow]:
    return repository.listing(session, scope=access.reader_scope(principal), statuses=statuses, kinds=kinds)


def read(
    session: Session, *, principal: Principal, application_id: str
) -> tuple[ApplicationRow, list[ApplicationHistoryRow], list[ApplicationDocumentRow]]:
    """One application in the caller's scope (404 otherwise), its history and its documents."""
    scope = access.reader_scope(principal)
    row = repository.get(session, application_id, scope=scope)
    history = repository.history(session, application_id, scope=scope)
    return row, history, repository.documents(session, application_id, scope=scope)


def read_document(
    session: Session, *, principal: Principal, application_id: str, document_id: str, data_dir: Path
) -> tuple[ApplicationDocumentRow, bytes]:
    doc = repository.document(session, application_id, document_id, scope=access.reader_scope(principal))
    data = documents.read(data_dir, doc.storage_key)
    if data is None:
        raise NotFound("the document's file is missing from the store", field="document_id")
    return doc, data
