"""Filling a declaration row from a request: names from the registers, header fields, priced totals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haiquan.declarations import pricing
from haiquan.declarations.domain import LOW_VALUE_LIMIT_VND, Category, Kind
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit.auth import Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.organization import principals, representations
from haiquan.organization.service import TREES
from haiquan.organization.tables import EnterpriseRow


def known_name(session: Session, tax_code: str | None) -> str:
    if not tax_code:
        return ""

    def load() -> str:
        return session.scalar(select(EnterpriseRow.name).where(EnterpriseRow.tax_code == tax_code)) or ""

    return principals.remembered_name(tax_code, load)


def check_party(session: Session, *, principal: Principal, data: DeclarationIn, at: datetime) -> None:
    """Who pays: a declarant names another enterprise as importer (of an import) or exporter (of an
    export) only under a representation that enterprise granted it, in force now (403 naming the field)."""
    party, field = (data.importer, "importer") if data.kind is Kind.IMPORT else (data.exporter, "exporter")
    if party is not None and party.tax_code:
        representations.require(
            session, party_tax_code=party.tax_code, representative=principal, at=at, field=f"{field}.tax_code"
        )


def apply_header(session: Session, row: DeclarationRow, data: DeclarationIn) -> None:
    tree = TREES.get(session)
    if tree.get(data.office) is None:  # active units only
        heir = tree.heir(data.office)
        if heir is not None:
            raise ValidationFailed(
                f"customs office {data.office!r} is dissolved; its records are held by {heir!r}",
                field="office",
            )
        raise ValidationFailed(f"unknown customs office {data.office!r}", field="office")
    imp, exp = data.importer, data.exporter
    row.kind, row.category, row.procedure_code, row.office = (
        data.kind,
        data.category,
        data.procedure_code,
        data.office,
    )
    row.importer_tax_code = imp.tax_code if imp else None
    row.importer_name = (known_name(session, row.importer_tax_code) or (imp.name if imp else "")).strip()
    row.exporter_tax_code = exp.tax_code if exp else None
    row.exporter_name = (known_name(session, row.exporter_tax_code) or (exp.name if exp else "")).strip()
    partner = exp if data.kind is Kind.IMPORT else imp
    row.partner_country = partner.country if partner else "ZZ"
    if data.kind is Kind.IMPORT and not row.importer_name:
        raise ValidationFailed(
            "importer.name is required for a tax code not in the register", field="importer.name"
        )
    row.transport_mode, row.transport_document = data.transport_mode, data.transport_document
    row.containers, row.package_count, row.gross_mass_kg = (
        list(data.containers),
        data.package_count,
        data.gross_mass_kg,
    )
    inv = data.invoice
    row.invoice_currency, row.invoice_amount, row.incoterm = inv.currency, inv.amount, inv.incoterm
    row.freight, row.insurance = inv.freight, inv.insurance


def set_totals(row: DeclarationRow, priced: pricing.Priced) -> None:
    row.exchange_rate, row.customs_value_vnd = priced.exchange_rate, priced.customs_value
    row.import_duty, row.excise, row.vat = priced.import_duty, priced.excise, priced.vat
    row.export_duty, row.total_duties = priced.export_duty, priced.total
    if row.category == Category.LOW_VALUE and priced.customs_value > LOW_VALUE_LIMIT_VND:
        raise ValidationFailed(
            f"a low-value declaration (MIC/MEC) is limited to {LOW_VALUE_LIMIT_VND:,.0f} VND of customs value",
            field="category",
            code="over_low_value_limit",
        )


def apply_pricing(session: Session, row: DeclarationRow, priced: pricing.Priced) -> None:
    set_totals(row, priced)
    session.execute(delete(DeclarationLineRow).where(DeclarationLineRow.number == row.number))
    session.add_all(priced.lines)
