"""ATIGA claims judged when a declaration is priced (lodged or amended): the certificates the lines name
are read in one statement, each claim judged by the pure rule (origin.domain), the verdicts recorded on
the claims with their events. The tolerances come from the settings (`install`, as the app starts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox, pending
from haiquan.kit.settings import Settings
from haiquan.origin import repository
from haiquan.origin.catalogue import OriginEvent
from haiquan.origin.domain import (
    ATIGA,
    Certificate,
    ClaimStatus,
    Item,
    LineClaim,
    Tolerances,
    Verdict,
    judge,
    pending_until,
)
from haiquan.origin.tables import CertificateRow, ClaimRow

_tolerances = Tolerances()
CLAIMS = cast(Table, ClaimRow.__table__)
MISMATCH = "certificate_mismatch"
NOT_RECEIVED = "certificate_not_received"


def install(settings: Settings) -> None:
    global _tolerances
    _tolerances = Tolerances(
        quantity_percent=settings.origin_quantity_tolerance_percent,
        fob_percent=settings.origin_fob_tolerance_percent,
        validity_days=settings.origin_validity_days,
        pending_days=settings.origin_pending_days,
    )


def tolerances() -> Tolerances:
    return _tolerances


@dataclass(frozen=True)
class Parties:
    """What the rule reads of the declaration's header."""

    office: str
    exporter_name: str
    importer_tax_code: str | None
    importer_name: str
    currency: str
    incoterm: str

    @classmethod
    def of(cls, row: Any, currency: str, incoterm: str) -> Parties:
        return cls(
            row.office, row.exporter_name, row.importer_tax_code, row.importer_name, currency, incoterm
        )


@dataclass(frozen=True)
class ClaimedLine:
    line_no: int
    certificate_no: str
    criterion: str | None
    origin_country: str
    hs_code: str
    quantity: Decimal
    quantity_unit: str
    net_mass_kg: Decimal
    value: Decimal


def certificate_from(fields: dict[str, Any], *, revoked: bool = False) -> Certificate:
    """A certificate as the rule reads it, from its stored fields (origin.eformd.fields_of's shape)."""
    items = tuple(
        Item(item_no=i["item_no"], hs_code=i["hs_code"], criterion=i["criterion"], description=i["description"],
             quantity=Decimal(i["quantity"]), unit=i["unit"], is_gross_weight=i["is_gross_weight"],
             fob_value=Decimal(i["fob_value"]), currency=i["currency"], invoice_no=i["invoice_no"],
             invoice_date=date.fromisoformat(i["invoice_date"]))
        for i in fields["items"]
    )  # fmt: skip
    return Certificate(number=fields["number"], issue_date=fields["issue_date"],
                       issuing_country=fields["issuing_country"], importing_country=fields["importing_country"],
                       exporter_name=fields["exporter_name"], consignee_name=fields["consignee_name"],
                       consignee_tax_id=fields["consignee_tax_id"], items=items, revoked=revoked)  # fmt: skip


def certificate_of(row: CertificateRow) -> Certificate:
    fields = {c: getattr(row, c) for c in ("number", "issue_date", "issuing_country", "importing_country",
                                           "exporter_name", "consignee_name", "consignee_tax_id", "items")}  # fmt: skip
    return certificate_from(fields, revoked=row.status != "valid")


def claim_of(parties: Parties, line: ClaimedLine, on: date) -> LineClaim:
    return LineClaim(certificate_no=line.certificate_no, declared_on=on, origin_country=line.origin_country,
                     exporter_name=parties.exporter_name, importer_tax_code=parties.importer_tax_code,
                     importer_name=parties.importer_name, hs_code=line.hs_code, criterion=line.criterion,
                     quantity=line.quantity, quantity_unit=line.quantity_unit, net_mass_kg=line.net_mass_kg,
                     value=line.value, currency=parties.currency, incoterm=parties.incoterm)  # fmt: skip


def judge_lines(session: Session, parties: Parties, lines: list[ClaimedLine], on: date) -> dict[int, Verdict]:
    """Each claimed line's verdict by line number (one read for every certificate named)."""
    if not lines:
        return {}
    certs = repository.unscoped_received_for_matching(session, [ln.certificate_no for ln in lines])
    out = {}
    for ln in lines:
        fields = certs.get(ln.certificate_no)
        cert = certificate_from(fields, revoked=fields["status"] != "valid") if fields is not None else None
        out[ln.line_no] = judge(claim_of(parties, ln, on), cert, _tolerances)
    return out


def record(
    session: Session, *, number: str, parties: Parties, lines: list[ClaimedLine], verdicts: dict[int, Verdict],
    on: date, actor: str, replace: bool, stakes: dict[int, Decimal] | None = None,
) -> None:  # fmt: skip
    """The claims of a declaration priced now, and an event for each (the previous claims replaced); a
    refusal carries the duty its preference would have spared (`stakes`, by line number)."""
    if replace:
        session.execute(delete(ClaimRow).where(ClaimRow.declaration_number == number))
    now = clock.now()
    for ln in lines:
        v = verdicts[ln.line_no]
        until = pending_until(on, _tolerances) if v.status is ClaimStatus.PENDING else None
        pending.add(session, CLAIMS, {"declaration_number": number, "line_no": ln.line_no, "office": parties.office,
                    "certificate_no": ln.certificate_no, "criterion": ln.criterion, "status": v.status.value,
                    "mismatches": [m.as_dict() for m in v.mismatches], "item_no": v.item_no,
                    "pending_until": until, "decided_at": now})  # fmt: skip
        record_verdict(session, number=number, office=parties.office, line_no=ln.line_no,
                       certificate_no=ln.certificate_no, verdict=v, until=until, actor=actor,
                       duty_at_stake=(stakes or {}).get(ln.line_no, Decimal(0)))  # fmt: skip


def record_verdict(
    session: Session, *, number: str, office: str, line_no: int, certificate_no: str, verdict: Verdict,
    until: date | None, actor: str, duty_at_stake: Decimal = Decimal(0),
) -> None:  # fmt: skip
    base: dict[str, Any] = {
        "declaration_number": number,
        "line_no": line_no,
        "certificate_no": certificate_no,
    }
    if verdict.status is ClaimStatus.MATCHED:
        kind, payload = OriginEvent.CERTIFICATE_MATCHED, base | {"item_no": verdict.item_no}
    elif verdict.status is ClaimStatus.PENDING:
        kind, payload = OriginEvent.PREFERENCE_DEFERRED, base | {"until": str(until)}
    else:
        reason = MISMATCH if verdict.status is ClaimStatus.MISMATCH else NOT_RECEIVED
        fields = [m.field for m in verdict.mismatches]
        kind = OriginEvent.PREFERENCE_REFUSED
        payload = base | {"reason": reason, "fields": fields, "duty_at_stake": str(duty_at_stake)}
    outbox.record(session, type=kind, unit=office, actor=actor, payload=payload)


def claimed(scheme: str | None, certificate: str | None) -> bool:
    return scheme == ATIGA and bool(certificate)
