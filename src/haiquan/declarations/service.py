"""Declarant use cases: lodge (IDA/EDA/MIC/MEC), amend before registration (IDB/EDB), amend after
registration (AMA), cancel, answer a request for documents; and goods exited, which supervision reports.
Registration is in registration.py, clearing once the duties are settled in clearance.py. Services never
commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from haiquan.applications import rulings
from haiquan.declarations import filling, pricing, repository
from haiquan.declarations.domain import (
    NUMBER_PREFIX,
    Channel,
    Command,
    Kind,
    LifecycleError,
    Status,
    allows,
    check_amendable,
    check_cancellable,
    check_post_registration_amendment,
)
from haiquan.declarations.events import transition
from haiquan.declarations.schemas import AmendmentIn, DeclarationIn, Invoice
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock, ids, sequences
from haiquan.kit.auth import Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.organization import enterprises
from haiquan.origin import matching


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
    _check_rulings(session, principal, data, clock.today_vn())
    if number is None:
        prefix = NUMBER_PREFIX[(data.kind, data.category)]
        number = ids.declaration_number(prefix, sequences.next_value(session, f"declaration_{prefix}"))
    row = DeclarationRow(
        number=number,
        declarant_id=principal.id,
        declarant_tax_code=principal.tax_code or "",
        lodged_at=now,
        expires_at=now + timedelta(days=keep_days),
        updated_at=now,
        channel_reasons=[],
        amendment_no=0,
        duties_settled=False,
        checks_passed=False,
        agency_hold=False,
        version=1,
    )
    filling.apply_header(session, row, data)
    priced = pricing.price(
        session, number=number, kind=data.kind, invoice=data.invoice, lines=data.lines, on=now.date(),
        parties=_parties(row, data.invoice),
    )  # fmt: skip
    filling.set_totals(row, priced)
    transition(session, row, Command.LODGE, actor=principal.label)  # a new row has no status until then
    repository.add_new(session, row, priced.lines, scope=principal.scope)
    return Lodged(row, priced.lines)


def amend(session: Session, *, principal: Principal, number: str, data: DeclarationIn) -> DeclarationRow:
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    check_amendable(Status(row.status))
    if (data.kind, data.category) != (row.kind, row.category):
        raise ValidationFailed(
            "kind and category cannot change on amendment: lodge a new declaration", field="kind"
        )
    filling.check_party(session, principal=principal, data=data, at=clock.now())
    _check_rulings(session, principal, data, clock.today_vn())
    filling.apply_header(session, row, data)
    priced = pricing.price(
        session, number=number, kind=data.kind, invoice=data.invoice, lines=data.lines, on=clock.now().date(),
        parties=_parties(row, data.invoice), replace_claims=True,
    )  # fmt: skip
    filling.apply_pricing(session, row, priced)
    row.updated_at = clock.now()
    transition(session, row, Command.AMEND, actor=principal.label)
    return row


def amend_registered(
    session: Session, *, principal: Principal, number: str, data: AmendmentIn
) -> DeclarationRow:
    """AMA: replace lines after registration; the duty difference is due (or refundable); history kept."""
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    check_post_registration_amendment(Status(row.status))
    before = {"total_duties": str(row.total_duties), "customs_value_vnd": str(row.customs_value_vnd)}
    invoice = data.invoice or _current_invoice(row)
    rulings.check_lines(
        session, holders=(row.declarant_tax_code, row.importer_tax_code, row.exporter_tax_code),
        lines=data.lines, on=clock.today_vn(),
    )  # fmt: skip
    priced = pricing.price(
        session, number=number, kind=Kind(row.kind), invoice=invoice, lines=data.lines, on=clock.now().date(),
        parties=_parties(row, invoice), replace_claims=True,
    )  # fmt: skip
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
    transition(
        session, row, Command.AMEND_REGISTERED, actor=principal.label, reason=data.reason, detail=detail
    )
    return row


def _check_rulings(session: Session, principal: Principal, data: DeclarationIn, on: date) -> None:
    """A line naming goods its trader holds a classification ruling for declares the ruling's code."""
    holders = (
        principal.tax_code,
        data.importer.tax_code if data.importer else None,
        data.exporter.tax_code if data.exporter else None,
    )
    rulings.check_lines(session, holders=holders, lines=data.lines, on=on)


def _parties(row: DeclarationRow, invoice: Invoice) -> matching.Parties:
    return matching.Parties.of(row, invoice.currency, invoice.incoterm)


def _current_invoice(row: DeclarationRow) -> Invoice:
    return Invoice(
        currency=row.invoice_currency,
        amount=row.invoice_amount,
        incoterm=row.incoterm,
        freight=row.freight,
        insurance=row.insurance,
    )


def cancel(session: Session, *, principal: Principal, number: str, reason: str) -> DeclarationRow:
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    check_cancellable(Status(row.status))
    row.updated_at = clock.now()
    transition(session, row, Command.CANCEL, actor=principal.label, reason=reason)
    return row


def mark_exited(session: Session, *, numbers: Iterable[str], actor: str) -> list[DeclarationRow]:
    """Supervision reports that the goods of these declarations left the controlled area (a batch of
    gate-outs at once). Those no longer cleared or released (already exited, amended, ...) are left alone."""
    rows = repository.unscoped_releasable(session, numbers, for_update=True)
    for row in rows:
        transition(session, row, Command.RECORD_EXIT, actor=actor)
    return rows


def submit_documents(
    session: Session, *, principal: Principal, number: str, documents: list[str]
) -> DeclarationRow:
    """The declarant answers a request for documents; the check resumes."""
    principal.require_enterprise("declarant")
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    command = (
        Command.SUBMIT_DOCUMENTS_FOR_INSPECTION if row.channel == Channel.RED else Command.SUBMIT_DOCUMENTS
    )
    if not allows(Status(row.status), command):
        raise LifecycleError(f"no documents were requested (status is {row.status})")
    row.updated_at = clock.now()
    transition(session, row, command, actor=principal.label, detail={"documents": documents})
    return row
