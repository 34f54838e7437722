"""Declarant use cases: lodge (IDA/EDA/MIC/MEC), amend before registration (IDB/EDB), register
(IDC/EDC) with eligibility and channel (the duties' payment reference written in the same transaction),
amend after registration (AMA), cancel; and the steps other modules drive: duties settled (payments),
goods exited (supervision). Services never commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import filling, pricing, repository
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import (
    NUMBER_PREFIX,
    Channel,
    Kind,
    LifecycleError,
    Status,
    check_amendable,
    check_cancellable,
    check_deadline,
    check_post_registration_amendment,
    check_registrable,
    status_after_checks,
)
from haiquan.declarations.events import transition
from haiquan.declarations.schemas import AmendmentIn, DeclarationIn
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock, ids, pending, sequences
from haiquan.kit.auth import UNSCOPED, Principal
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.organization import enterprises
from haiquan.payments import service as payments
from haiquan.payments.domain import payer_of
from haiquan.risk.channel import ChannelEngine, DeclarationFacts, LineFacts

OVERDUE_LIMIT_DAYS = 90


def _fail(exc: LifecycleError, field: str = "status") -> Conflict:
    return Conflict(str(exc), field=field, code=exc.code)


@dataclass
class Lodged:
    """A declaration just lodged: its row and lines (written at commit, kit.pending)."""

    row: DeclarationRow
    lines: list[DeclarationLineRow]


def lodge(
    session: Session,
    *,
    principal: Principal,
    data: DeclarationIn,
    keep_days: int = 7,
    number: str | None = None,
) -> Lodged:
    """IDA/EDA: validate, fill names from codes, price, and record. `number` comes from the caller when it
    took numbers for many declarations at once (kit.groupcommit), else from the sequence now."""
    principal.require_enterprise("declarant")
    enterprises.require_standing(session, principal.id, "lodging")  # suspended or dissolved: 403
    now = clock.now()
    filling.check_party(session, principal=principal, data=data, at=now)
    if number is None:
        prefix = NUMBER_PREFIX[(data.kind, data.category)]
        number = ids.declaration_number(prefix, sequences.next_value(session, f"declaration_{prefix}"))
    row = DeclarationRow(
        number=number,
        declarant_id=principal.id,
        declarant_tax_code=principal.tax_code or "",
        status=Status.ACCEPTED,
        lodged_at=now,
        expires_at=now + timedelta(days=keep_days),
        updated_at=now,
        channel_reasons=[],
        amendment_no=0,
        duties_settled=False,
        checks_passed=False,
        version=1,
    )
    filling.apply_header(session, row, data)
    priced = pricing.price(
        session, number=number, kind=data.kind, invoice=data.invoice, lines=data.lines, on=now.date()
    )
    filling.set_totals(row, priced)
    repository.add_new(session, row, priced.lines, scope=principal.scope)
    transition(session, row, None, Status.ACCEPTED, actor=principal.label, event=DeclarationEvent.LODGED)
    return Lodged(row, priced.lines)


def amend(session: Session, *, principal: Principal, number: str, data: DeclarationIn) -> DeclarationRow:
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    try:
        check_amendable(Status(row.status))
    except LifecycleError as exc:
        raise _fail(exc) from exc
    if (data.kind, data.category) != (row.kind, row.category):
        raise ValidationFailed(
            "kind and category cannot change on amendment: lodge a new declaration", field="kind"
        )
    filling.check_party(session, principal=principal, data=data, at=clock.now())
    filling.apply_header(session, row, data)
    priced = pricing.price(
        session, number=number, kind=data.kind, invoice=data.invoice, lines=data.lines, on=clock.now().date()
    )
    filling.apply_pricing(session, row, priced)
    row.updated_at = clock.now()
    transition(
        session, row, Status.ACCEPTED, Status.ACCEPTED, actor=principal.label, event=DeclarationEvent.AMENDED
    )
    return row


def check_eligibility(ent: repository.Declarant) -> None:
    if ent.status != "active":
        raise Forbidden(
            f"the declarant is {ent.status}: registration refused",
            field="declarant",
            code="declarant_ineligible",
        )
    if ent.overdue_tax_days > OVERDUE_LIMIT_DAYS:
        raise Forbidden(
            f"the declarant has tax debt overdue {ent.overdue_tax_days} days (> {OVERDUE_LIMIT_DAYS}): registration refused",
            field="declarant",
            code="declarant_tax_debt",
        )


def facts_from_rows(
    row: DeclarationRow, lines: list[DeclarationLineRow], compliance_class: str
) -> DeclarationFacts:
    """A declaration as the channel engine reads it (also used to replay profiles against history)."""
    return DeclarationFacts(
        number=row.number,
        office=row.office,
        kind=row.kind,
        category=row.category,
        procedure_code=row.procedure_code,
        declarant_tax_code=row.declarant_tax_code,
        importer_tax_code=row.importer_tax_code,
        exporter_tax_code=row.exporter_tax_code,
        partner_country=row.partner_country,
        transport_mode=row.transport_mode,
        total_value_vnd=row.customs_value_vnd,
        total_duties_vnd=row.total_duties,
        compliance_class=compliance_class,
        lines=[LineFacts(ln.hs_code, ln.origin_country, ln.quantity, ln.customs_value_vnd) for ln in lines],
    )


def may_register(principal: Principal, row: DeclarationRow) -> bool:
    """What `register` refuses before reading a line (the caller's role and scope, the status), checked
    on the declaration's row alone: the lines of a declaration another declarant asks for, or of one
    already registered, are never read (`repository.unscoped_load_lines` only for those that pass)."""
    return (
        principal.is_enterprise
        and "declarant" in principal.enterprise_roles
        and repository.visible(row, scope=principal.scope)
        and row.status == Status.ACCEPTED
    )


def read_for_registration(
    session: Session, wanted: list[tuple[Principal, str]]
) -> dict[str, repository.Locked]:
    """Lock the declarations (one row each), then read in one statement the lines of those the asker may
    register: memory linear in the lines, and nothing read for a number outside the asker's scope."""
    locked = repository.unscoped_lock_for_registration(session, [number for _, number in wanted])
    readable = [
        locked[number]
        for principal, number in wanted
        if number in locked and may_register(principal, locked[number].row)
    ]
    repository.unscoped_load_lines(session, readable)
    return locked


def register(
    session: Session,
    *,
    principal: Principal,
    number: str,
    target: repository.Locked | None,
    engine: ChannelEngine,
) -> DeclarationRow:
    """IDC/EDC on a declaration read and locked by `read_for_registration` (for many at once
    in a group commit); `save_registered` writes the change and assigns checkers."""
    principal.require_enterprise("declarant")
    if target is None or not repository.visible(target.row, scope=principal.scope):
        raise NotFound(f"no declaration {number} in your scope", field="number")
    row, now = target.row, clock.now()
    try:
        check_registrable(Status(row.status), row.expires_at, now)
    except LifecycleError as exc:
        raise _fail(exc) from exc
    check_eligibility(target.declarant)
    assert target.lines_read, "read_for_registration reads the lines of a declaration that may register"
    facts = facts_from_rows(row, target.lines, target.declarant.compliance_class)
    decision = engine.assign(facts, session=session)
    target.changed = True
    row.channel, row.channel_reasons, row.risk_score = decision.channel, decision.reasons, decision.score
    row.registered_at = now
    row.check_deadline = check_deadline(Channel(decision.channel), now)
    row.duties_settled = row.total_duties == 0
    row.settlement = "none_due" if row.duties_settled else None
    row.updated_at = now
    event_id = transition(
        session,
        row,
        Status.ACCEPTED,
        Status.REGISTERED,
        actor=principal.label,
        event=DeclarationEvent.REGISTERED,
        detail={"channel": decision.channel, "reasons": decision.reasons},
    )
    payments.assessed_at_registration(
        session,
        number=row.number,
        office=row.office,
        payer=payer_of(row.kind, row.importer_tax_code, row.declarant_tax_code),
        total=row.total_duties,
        source=event_id,
    )
    if decision.channel == Channel.GREEN:
        row.checks_passed = True
        _after_checks(session, row, actor="system:channel")
        return row
    target.needs_checker = True
    if decision.channel == Channel.RED:
        transition(
            session,
            row,
            Status.REGISTERED,
            Status.INSPECTION_INTENDED,
            actor="system:channel",
            event=DeclarationEvent.INSPECTION_ORDERED,
        )
    return row


def save_registered(session: Session, targets: list[repository.Locked]) -> None:
    """Write registered declarations: checkers assigned round-robin per office, then one update."""
    from haiquan.declarations.officer import assign_checkers

    changed = list({id(t): t for t in targets if t.changed}.values())
    assign_checkers(session, [t.row for t in changed if t.needs_checker])
    repository.unscoped_save(session, changed)


def register_one(
    session: Session, *, principal: Principal, number: str, engine: ChannelEngine
) -> DeclarationRow:
    """Register one declaration in the caller's transaction (the demo, the CLI)."""
    pending.flush_rows(session)  # a declaration lodged earlier in this transaction
    target = read_for_registration(session, [(principal, number)]).get(number)
    row = register(session, principal=principal, number=number, target=target, engine=engine)
    assert target is not None
    save_registered(session, [target])
    pending.flush_rows(session)  # the caller may read the declaration again before committing
    return row


def _after_checks(session: Session, row: DeclarationRow, *, actor: str) -> None:
    new = status_after_checks(
        checks_passed=row.checks_passed, duties_settled=row.duties_settled, current=Status(row.status)
    )
    if new != row.status:
        old = Status(row.status)
        if new == Status.CLEARED:
            row.cleared_at = clock.now()
        transition(
            session,
            row,
            old,
            new,
            actor=actor,
            event=DeclarationEvent.CLEARED if new == Status.CLEARED else DeclarationEvent.HELD_FOR_PAYMENT,
            detail={"total_duties": str(row.total_duties)},
        )


def settle(
    session: Session, *, number: str, method: str, reference: str, amount: Decimal, actor: str
) -> DeclarationRow:
    """Duties paid (bank confirmation) or guaranteed: a declaration whose checks passed clears at once."""
    row = repository.get(session, number, scope=UNSCOPED, for_update=True)  # a bank's confirmation
    if row.duties_settled:
        return row
    if method not in ("payment", "guarantee"):
        raise ValidationFailed("method must be payment or guarantee", field="method")
    if method == "payment" and amount < row.total_duties:
        raise ValidationFailed(
            f"{amount} does not cover duties of {row.total_duties}", field="amount", code="underpaid"
        )
    row.duties_settled, row.settlement, row.updated_at = True, method, clock.now()
    transition(
        session,
        row,
        Status(row.status),
        Status(row.status),
        actor=actor,
        event=DeclarationEvent.DUTIES_PAID if method == "payment" else DeclarationEvent.DUTIES_GUARANTEED,
        detail={"reference": reference, "amount": str(amount)},
    )
    if row.status not in (
        Status.CLEARED,
        Status.RELEASED,
        Status.GOODS_EXITED,
        Status.CANCELLED,
        Status.REJECTED,
    ):
        _after_checks(session, row, actor=actor)
    return row


def amend_registered(
    session: Session, *, principal: Principal, number: str, data: AmendmentIn
) -> DeclarationRow:
    """AMA: replace lines after registration; the duty difference is due (or refundable); history kept."""
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    try:
        check_post_registration_amendment(Status(row.status))
    except LifecycleError as exc:
        raise _fail(exc) from exc
    before = {"total_duties": str(row.total_duties), "customs_value_vnd": str(row.customs_value_vnd)}
    invoice = data.invoice or _current_invoice(row)
    priced = pricing.price(
        session, number=number, kind=Kind(row.kind), invoice=invoice, lines=data.lines, on=clock.now().date()
    )
    difference = priced.total - row.total_duties
    row.invoice_currency, row.invoice_amount, row.incoterm = (
        invoice.currency,
        invoice.amount,
        invoice.incoterm,
    )
    row.freight, row.insurance = invoice.freight, invoice.insurance
    filling.apply_pricing(session, row, priced)
    row.amendment_no += 1
    if difference > 0:
        row.duties_settled, row.settlement = False, None
    row.updated_at = clock.now()
    detail: dict[str, Any] = {
        "amendment_no": row.amendment_no,
        "before": before,
        "after": {"total_duties": str(row.total_duties)},
        "difference": str(difference),
    }
    status = Status(row.status)
    transition(
        session,
        row,
        status,
        status,
        actor=principal.label,
        event=DeclarationEvent.AMENDED_AFTER_REGISTRATION,
        reason=data.reason,
        detail=detail,
    )
    return row


def _current_invoice(row: DeclarationRow) -> Any:
    from haiquan.declarations.schemas import Invoice

    return Invoice(
        currency=row.invoice_currency,
        amount=row.invoice_amount,
        incoterm=row.incoterm,
        freight=row.freight,
        insurance=row.insurance,
    )


def cancel(session: Session, *, principal: Principal, number: str, reason: str) -> DeclarationRow:
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    try:
        check_cancellable(Status(row.status))
    except LifecycleError as exc:
        raise _fail(exc) from exc
    row.updated_at = clock.now()
    transition(
        session,
        row,
        Status(row.status),
        Status.CANCELLED,
        actor=principal.label,
        event=DeclarationEvent.CANCELLED,
        reason=reason,
    )
    return row


def mark_exited(session: Session, *, numbers: Iterable[str], actor: str) -> list[DeclarationRow]:
    """Supervision reports that the goods of these declarations left the controlled area (a batch of
    gate-outs at once). Those no longer cleared or released (already exited, amended, ...) are left alone."""
    rows = repository.unscoped_releasable(session, numbers, for_update=True)
    for row in rows:
        transition(
            session,
            row,
            Status(row.status),
            Status.GOODS_EXITED,
            actor=actor,
            event=DeclarationEvent.GOODS_EXITED,
        )
    return rows


def submit_documents(
    session: Session, *, principal: Principal, number: str, documents: list[str]
) -> DeclarationRow:
    """The declarant answers a request for documents; the check resumes."""
    principal.require_enterprise("declarant")
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    if row.status != Status.DOCUMENTS_REQUESTED:
        raise Conflict(f"no documents were requested (status is {row.status})", field="status")
    row.updated_at = clock.now()
    back = Status.INSPECTION_INTENDED if row.channel == Channel.RED else Status.REGISTERED
    transition(
        session,
        row,
        Status.DOCUMENTS_REQUESTED,
        back,
        actor=principal.label,
        event=DeclarationEvent.DOCUMENTS_SUBMITTED,
        detail={"documents": documents},
    )
    return row
