"""Declaration rows → API models."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.declarations import paper_repository, repository
from haiquan.declarations.disclosure import trader_history, trader_reasons
from haiquan.declarations.domain import LODGE_CODES, Category, Kind
from haiquan.declarations.schemas import (
    DeclarationOut,
    DeclarationSummary,
    Duties,
    HistoryOut,
    InspectionOut,
    Invoice,
    LineOut,
    PaperOut,
    Party,
)
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.organization.service import TREES
from haiquan.reference import service as reference


def full(
    session: Session,
    row: DeclarationRow,
    *,
    scope: Scope,
    lines: list[DeclarationLineRow] | None = None,
    for_officer: bool = False,
) -> DeclarationOut:
    """The declaration (its `lines` when the caller has them in hand, else read in `scope`). An officer's
    read carries the risk engine's full explanation and the recorded physical inspection result; anyone
    else's (the trader's) one neutral reason for the lane (disclosure.py)."""
    if lines is None:
        lines = repository.lines(session, row, scope=scope)
    return DeclarationOut(
        number=row.number,
        code=LODGE_CODES[(Kind(row.kind), Category(row.category))],
        kind=Kind(row.kind),
        category=Category(row.category),
        procedure_code=row.procedure_code,
        office=row.office,
        office_name=_office_name(session, row.office),
        status=row.status,
        channel=row.channel,
        channel_reasons=list(row.channel_reasons or []) if for_officer else trader_reasons(row.channel),
        declarant_tax_code=row.declarant_tax_code,
        importer=Party.model_construct(tax_code=row.importer_tax_code, name=row.importer_name, country="VN")
        if row.kind == Kind.IMPORT
        else None,
        exporter=Party.model_construct(
            tax_code=row.exporter_tax_code,
            name=row.exporter_name,
            country=row.partner_country if row.kind == Kind.IMPORT else "VN",
        ),
        transport_mode=row.transport_mode,
        transport_document=row.transport_document,
        containers=list(row.containers or []),
        package_count=row.package_count,
        gross_mass_kg=row.gross_mass_kg,
        invoice=Invoice.model_construct(
            currency=row.invoice_currency,
            amount=row.invoice_amount,
            incoterm=row.incoterm,
            freight=row.freight,
            insurance=row.insurance,
        ),
        duties=Duties(
            customs_value_vnd=row.customs_value_vnd,
            import_duty=row.import_duty,
            excise=row.excise,
            vat=row.vat,
            export_duty=row.export_duty,
            total=row.total_duties,
            exchange_rate=row.exchange_rate,
            settled=row.duties_settled,
            settlement=row.settlement,
        ),
        lines=[
            LineOut(
                line_no=ln.line_no,
                hs_code=ln.hs_code,
                tariff_description=_tariff_name(session, ln.hs_code),
                description=ln.description,
                origin_country=ln.origin_country,
                quantity=ln.quantity,
                quantity_unit=ln.quantity_unit,
                net_mass_kg=ln.net_mass_kg,
                value=ln.invoice_value,
                preference_scheme=ln.preference_scheme,
                applied_scheme=ln.applied_scheme,
                preference_refused=ln.preference_refused,
                customs_value_vnd=ln.customs_value_vnd,
                import_rate=ln.import_rate,
                import_duty=ln.import_duty,
                excise_rate=ln.excise_rate,
                excise=ln.excise,
                vat_rate=ln.vat_rate,
                vat=ln.vat,
                export_rate=ln.export_rate,
                export_duty=ln.export_duty,
            )
            for ln in lines
        ],
        amendment_no=row.amendment_no,
        check_deadline=row.check_deadline,
        lodged_at=row.lodged_at,
        expires_at=row.expires_at,
        registered_at=row.registered_at,
        cleared_at=row.cleared_at,
        inspection=inspection(session, row, scope=scope) if for_officer else None,
        paper=paper(session, row, scope=scope) if for_officer else None,
    )


def paper(session: Session, row: DeclarationRow, *, scope: Scope) -> PaperOut | None:
    """The paper mark of a declaration captured from paper, in the caller's scope."""
    found = paper_repository.capture_of(session, row.number, scope=scope)
    if found is None:
        return None
    return PaperOut(paper_number=found.paper_number, reason=found.reason, back_captured=found.back_captured,
                    paper_lodged_at=found.paper_lodged_at, captured_by=found.captured_by,
                    captured_at=found.captured_at)  # fmt: skip


def inspection(session: Session, row: DeclarationRow, *, scope: Scope) -> InspectionOut | None:
    found = repository.inspection_result(session, row, scope=scope)
    if found is None:
        return None
    decision, officer = found
    findings = dict(decision.findings or {})
    return InspectionOut(
        findings=str(findings.get("text") or ""),
        fraud_found=bool(decision.fraud_found),
        full_inspection=bool(findings.get("full_inspection")),
        officer=officer,
        at=decision.at,
        reason=decision.reason,
    )


def _office_name(session: Session, code: str) -> str:
    unit = TREES.get(session).get(code)
    return unit.name_vi if unit else ""


def _tariff_name(session: Session, hs8: str) -> str:
    line = reference.tariff_line(session, hs8=hs8)
    return line.description_vi if line else ""


def summary(row: DeclarationRow, officer_names: dict[str, str] | None = None) -> DeclarationSummary:
    left = None
    if row.check_deadline is not None:
        left = int((row.check_deadline - clock.now()).total_seconds())
    return DeclarationSummary(
        number=row.number,
        kind=Kind(row.kind),
        category=Category(row.category),
        office=row.office,
        status=row.status,
        channel=row.channel,
        declarant_tax_code=row.declarant_tax_code,
        total_duties=row.total_duties,
        lodged_at=row.lodged_at,
        registered_at=row.registered_at,
        check_deadline=row.check_deadline,
        seconds_left=left,
        assigned_officer=(officer_names or {}).get(row.assigned_officer_id or ""),
        escalated_to=(officer_names or {}).get(row.escalated_to or ""),
        escalated_at=row.escalated_at,
        agency_hold=bool(row.agency_hold),
    )


def history(
    session: Session, row: DeclarationRow, *, scope: Scope, for_officer: bool = False
) -> list[HistoryOut]:
    """Every step; a trader's read as disclosure.trader_history tells."""
    entries = [
        HistoryOut(
            at=h.at,
            actor=h.actor,
            action=h.action,
            status_from=h.status_from,
            status_to=h.status_to,
            reason=h.reason,
            detail=dict(h.detail or {}),
        )
        for h in repository.history(session, row, scope=scope)
    ]
    return entries if for_officer else trader_history(entries)
