"""Customs value and duties of a declaration's lines, from the tariff and the day's exchange rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.declarations.domain import Kind
from haiquan.declarations.schemas import Invoice, LineIn
from haiquan.declarations.tables import DeclarationLineRow
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.money import ZERO
from haiquan.origin import matching
from haiquan.origin.domain import ClaimStatus, Verdict
from haiquan.reference import agreements
from haiquan.tariff import domain as tariff
from haiquan.tariff import service as tariff_service


@dataclass(frozen=True)
class Priced:
    lines: list[DeclarationLineRow]
    exchange_rate: Decimal
    customs_value: Decimal
    import_duty: Decimal
    excise: Decimal
    vat: Decimal
    export_duty: Decimal

    @property
    def total(self) -> Decimal:
        return self.import_duty + self.excise + self.vat + self.export_duty


def price(
    session: Session,
    *,
    number: str,
    kind: Kind,
    invoice: Invoice,
    lines: list[LineIn],
    on: date,
    parties: matching.Parties | None = None,
    replace_claims: bool = False,
) -> Priced:
    """The lines priced; with `parties` (the declaration's header), ATIGA claims are judged against the
    e-Form D they name (origin.matching) and recorded, replacing the previous ones when `replace_claims`."""
    for i, ln in enumerate(lines):  # unknown tariff lines first: the most useful error
        tariff_service.rates_for(session, ln.hs_code, field=f"lines[{i}].hs_code")
    total_lines = sum((ln.value for ln in lines), ZERO)
    if abs(total_lines - invoice.amount) > Decimal("0.01") * max(Decimal(1), invoice.amount) / 100:
        raise ValidationFailed(
            f"invoice.amount {invoice.amount} differs from the sum of line values {total_lines}",
            field="invoice.amount",
            code="invoice_mismatch",
        )
    fx = tariff_service.exchange_rate(session, invoice.currency, on, field="invoice.currency")
    values = tariff.line_customs_values(
        line_values=[ln.value for ln in lines],
        incoterm=invoice.incoterm,
        freight=invoice.freight,
        insurance=invoice.insurance,
        exchange_rate=fx,
    )
    claimed = _claimed(session, kind, lines, on) if parties is not None else []
    verdicts = matching.judge_lines(session, parties, claimed, on) if parties is not None else {}
    rows = [
        _line(session, number, i, ln, cv, kind, fx, on, verdicts.get(i + 1))
        for i, (ln, cv) in enumerate(zip(lines, values, strict=True))
    ]
    if parties is not None and (claimed or replace_claims):
        matching.record(session, number=number, parties=parties, lines=claimed, verdicts=verdicts, on=on,
                        actor="system:origin", replace=replace_claims,
                        stakes=_stakes(session, rows, verdicts))  # fmt: skip
    return Priced(
        lines=rows,
        exchange_rate=fx,
        customs_value=sum((r.customs_value_vnd for r in rows), ZERO),
        import_duty=sum((r.import_duty for r in rows), ZERO),
        excise=sum((r.excise for r in rows), ZERO),
        vat=sum((r.vat for r in rows), ZERO),
        export_duty=sum((r.export_duty for r in rows), ZERO),
    )


def _stakes(
    session: Session, rows: list[DeclarationLineRow], verdicts: dict[int, Verdict]
) -> dict[int, Decimal]:
    """The duty each refused claim's preference would have spared: what the line pays at MFN less what it
    would pay under the scheme it claimed (import duty, excise and VAT, as origin.repricing counts it)."""
    out = {}
    for line_no, v in verdicts.items():
        if v.status is ClaimStatus.MISMATCH:
            row = rows[line_no - 1]
            rates = tariff_service.rates_for(session, row.hs_code, field="hs_code")
            d = tariff.import_duties(row.customs_value_vnd, rates, row.preference_scheme)
            out[line_no] = max(
                ZERO, row.import_duty + row.excise + row.vat - (d.import_duty + d.excise + d.vat)
            )
    return out


def _refusal(ln: LineIn, rates: tariff.Rates, on: date) -> str | None:
    """Why the line's preference claim cannot apply on `on` (None: it applies, or nothing is claimed)."""
    if ln.preference is None:
        return None
    claim = tariff.Claim(ln.preference.scheme, ln.origin_country, ln.preference.certificate)
    return tariff.preference_refusal(claim, rates, agreements.members(claim.scheme, on))


def _claimed(session: Session, kind: Kind, lines: list[LineIn], on: date) -> list[matching.ClaimedLine]:
    """The import lines claiming ATIGA on a certificate, whose claim nothing else refuses."""
    out = []
    for i, ln in enumerate(lines):
        pref = ln.preference
        if kind is not Kind.IMPORT or pref is None or not matching.claimed(pref.scheme, pref.certificate):
            continue
        if (
            _refusal(ln, tariff_service.rates_for(session, ln.hs_code, field=f"lines[{i}].hs_code"), on)
            is None
        ):
            out.append(matching.ClaimedLine(i + 1, pref.certificate or "", pref.criterion, ln.origin_country,
                                            ln.hs_code, ln.quantity, ln.quantity_unit.upper(), ln.net_mass_kg,
                                            ln.value))  # fmt: skip
    return out


def _line(
    session: Session,
    number: str,
    i: int,
    ln: LineIn,
    customs_value: Decimal,
    kind: Kind,
    fx: Decimal,
    on: date,
    verdict: Verdict | None = None,
) -> DeclarationLineRow:
    rates = tariff_service.rates_for(session, ln.hs_code, field=f"lines[{i}].hs_code")
    scheme = ln.preference.scheme if ln.preference else None
    refused: str | None = None
    if kind is Kind.IMPORT:
        refused = _refusal(ln, rates, on)
        if verdict is not None and verdict.status is ClaimStatus.MISMATCH:
            refused = matching.MISMATCH
        d = tariff.import_duties(customs_value, rates, None if refused else scheme)
    else:
        fob = (ln.value * fx).quantize(Decimal(1))
        d = tariff.export_duties(fob, rates)
    return DeclarationLineRow(
        number=number,
        line_no=i + 1,
        hs_code=ln.hs_code,
        description=ln.description,
        origin_country=ln.origin_country,
        quantity=ln.quantity,
        quantity_unit=ln.quantity_unit.upper(),
        net_mass_kg=ln.net_mass_kg,
        invoice_value=ln.value,
        preference_scheme=scheme,
        certificate_no=ln.preference.certificate if ln.preference else None,
        customs_value_vnd=d.customs_value,
        import_rate=d.import_rate,
        import_duty=d.import_duty,
        excise_rate=d.excise_rate,
        excise=d.excise,
        vat_rate=d.vat_rate,
        vat=d.vat,
        export_rate=d.export_rate,
        export_duty=d.export_duty,
        applied_scheme=d.scheme,
        preference_refused=refused,
    )
