"""Claims decided after the declaration was priced: a certificate that arrives for a pending claim (it
matches: the claim is matched; it does not: MFN), and the legal period that passes without one (MFN).
A line that loses the ATIGA rate is priced again at MFN, its declaration's totals with it; once registered,
the difference is assessed on a new payment reference (payments.amended)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED
from haiquan.kit.db import new_id
from haiquan.kit.money import ZERO
from haiquan.origin import matching, repository
from haiquan.origin.domain import Certificate, ClaimStatus, Verdict, judge
from haiquan.origin.tables import ClaimRow
from haiquan.payments import service as payments
from haiquan.payments.domain import payer_of
from haiquan.tariff import domain as tariff
from haiquan.tariff import service as tariff_service

ACTOR = "system:origin"


def _claimed_line(claim: ClaimRow, ln: DeclarationLineRow) -> matching.ClaimedLine:
    return matching.ClaimedLine(ln.line_no, claim.certificate_no, claim.criterion, ln.origin_country, ln.hs_code,
                                ln.quantity, ln.quantity_unit, ln.net_mass_kg, ln.invoice_value)  # fmt: skip


def decide_arrived(session: Session, certificates: Mapping[str, Certificate]) -> int:
    """Pending claims on certificates that just arrived, judged now; how many were decided."""
    claims = repository.unscoped_pending_on(session, certificates)
    for claim in claims:
        row = declarations.get(session, claim.declaration_number, scope=UNSCOPED, for_update=True)
        line = _line(session, row, claim.line_no)
        parties = matching.Parties.of(row, row.invoice_currency, row.incoterm)
        on = clock.vn_day(row.lodged_at)
        verdict = judge(matching.claim_of(parties, _claimed_line(claim, line), on),
                        certificates[claim.certificate_no], matching.tolerances())  # fmt: skip
        _decide(session, claim, row, line, verdict)
    return len(claims)


def decide(session: Session, claim: ClaimRow, row: DeclarationRow, verdict: Verdict) -> None:
    """A claim decided again (its certificate not confirmed by the issuing country)."""
    _decide(session, claim, row, _line(session, row, claim.line_no), verdict)


def expire(session: Session, today: date) -> int:
    """Claims whose legal period passed without their certificate: MFN. How many."""
    claims = repository.unscoped_pending_past(session, today)
    for claim in claims:
        row = declarations.get(session, claim.declaration_number, scope=UNSCOPED, for_update=True)
        _decide(session, claim, row, _line(session, row, claim.line_no), Verdict(ClaimStatus.EXPIRED))
    return len(claims)


def _line(session: Session, row: DeclarationRow, line_no: int) -> DeclarationLineRow:
    return next(ln for ln in declarations.lines(session, row, scope=UNSCOPED) if ln.line_no == line_no)


def _decide(
    session: Session, claim: ClaimRow, row: DeclarationRow, line: DeclarationLineRow, verdict: Verdict
) -> None:
    claim.status, claim.item_no = verdict.status.value, verdict.item_no
    claim.mismatches = [m.as_dict() for m in verdict.mismatches]
    claim.pending_until, claim.decided_at = None, clock.now()
    at_stake = ZERO
    if verdict.status is not ClaimStatus.MATCHED:
        reason = matching.MISMATCH if verdict.status is ClaimStatus.MISMATCH else matching.NOT_RECEIVED
        at_stake = to_mfn(session, row, line, reason)
    matching.record_verdict(session, number=row.number, office=row.office, line_no=claim.line_no,
                            certificate_no=claim.certificate_no, verdict=verdict, until=None, actor=ACTOR,
                            duty_at_stake=at_stake)  # fmt: skip


def to_mfn(session: Session, row: DeclarationRow, line: DeclarationLineRow, reason: str) -> Decimal:
    """The line priced at MFN (the declaration's totals with it); the duty the preference would have spared."""
    rates = tariff_service.rates_for(session, line.hs_code, field="hs_code")
    before = line.import_duty + line.excise + line.vat
    d = tariff.import_duties(line.customs_value_vnd, rates, None)
    line.import_rate, line.import_duty, line.excise, line.vat = d.import_rate, d.import_duty, d.excise, d.vat
    line.applied_scheme, line.preference_refused = None, reason
    more = d.import_duty + d.excise + d.vat - before
    _totals(session, row)
    if more > 0 and row.registered_at is not None:
        row.amendment_no += 1
        row.duties_settled, row.settlement = False, None
        payments.amended(session, number=row.number, office=row.office,
                         payer=payer_of(row.kind, row.importer_tax_code, row.declarant_tax_code),
                         new_total=row.total_duties, amendment_no=row.amendment_no, source=new_id())  # fmt: skip
    row.updated_at = clock.now()
    return more


def _totals(session: Session, row: DeclarationRow) -> None:
    lines = declarations.lines(session, row, scope=UNSCOPED)
    row.import_duty = sum((ln.import_duty for ln in lines), ZERO)
    row.excise = sum((ln.excise for ln in lines), ZERO)
    row.vat = sum((ln.vat for ln in lines), ZERO)
    row.total_duties = row.import_duty + row.excise + row.vat + row.export_duty
