"""Our own e-Form D for exports: built from an export declaration (its lines, the origin criterion the
officer states per line), signed with VN's key (origin.signer), stored, and sent to the partner country's
endpoint (registered with its key) by the outbound client, which refuses addresses inside our networks
(kit.outbound). Sending is a background step (`send_pending`), retried until delivered."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock, outbox, pending
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.kit.settings import Settings
from haiquan.kit.webhooks import _post, client
from haiquan.origin import building, eformd, repository
from haiquan.origin.catalogue import OriginEvent
from haiquan.origin.keys import ADMIN_ROLES
from haiquan.origin.receiving import TABLE
from haiquan.origin.schemas import OutgoingIn
from haiquan.origin.signer import VN_KEY_NAME, vn_key
from haiquan.origin.tables import CertificateRow


def _item(ln: DeclarationLineRow, criterion: str, marks: str, number: str, on: str) -> dict[str, Any]:
    return {"item_no": ln.line_no, "marks": marks, "description": ln.description, "hs_code": ln.hs_code[:6],
            "criterion": criterion, "quantity": str(ln.quantity), "unit": ln.quantity_unit,
            "fob_value": str(ln.invoice_value), "invoice_no": number, "invoice_date": on}  # fmt: skip


def document(row: DeclarationRow, lines: list[DeclarationLineRow], data: OutgoingIn) -> dict[str, Any]:
    by_no = {ln.line_no: ln for ln in lines}
    missing = [i.line_no for i in data.items if i.line_no not in by_no]
    if missing:
        raise ValidationFailed(f"the declaration has no line {missing[0]}", field="items")
    on = clock.vn_day(row.lodged_at).isoformat()
    items = [_item(by_no[i.line_no], i.criterion, i.marks, row.number, on) | {"currency": row.invoice_currency}
             for i in data.items]  # fmt: skip
    return {
        "certificate_no": data.certificate_no, "issue_date": clock.today_vn().isoformat(), "issuing_country": "VN",
        "issuing_authority": "Ministry of Industry and Trade of Viet Nam", "importing_country": data.importing_country,
        "exporter": {"name": row.exporter_name or row.declarant_tax_code, "tax_id": row.exporter_tax_code,
                     "address": "Viet Nam", "country": "VN"},
        "consignee": {"name": row.importer_name or "-", "address": data.importing_country,
                      "country": data.importing_country},
        "transport": {"departure_date": on, "mode": _mode(row.transport_mode), "port_of_loading": row.office,
                      "port_of_discharge": data.importing_country},
        "items": items,
    }  # fmt: skip


def _mode(transport_mode: str) -> str:
    return transport_mode if transport_mode in ("sea", "air", "road", "rail") else "sea"


def issue(session: Session, *, principal: Principal, data: OutgoingIn, settings: Settings) -> dict[str, Any]:
    """An officer issues the certificate of an export declaration in the officer's scope."""
    principal.require_officer(*ADMIN_ROLES, "officer", "team_lead")
    row = declarations.get(session, data.declaration_number, scope=principal.scope)
    if row.kind != "export":
        raise ValidationFailed(
            "an outgoing e-Form D is issued for an export declaration", field="declaration_number"
        )
    if repository.unscoped_existing_numbers(session, [data.certificate_no]):
        raise Conflict(f"certificate {data.certificate_no} exists", field="certificate_no")
    doc = document(row, declarations.lines(session, row, scope=principal.scope), data)
    key, cert = vn_key(settings)
    signed = eformd.sign(building.build(doc), key_pem=key, cert_pem=cert, key_name=VN_KEY_NAME)
    fields = eformd.fields_of(eformd.read_document(signed)[0])
    eformd.validate(eformd.read_document(signed)[0], "/EFormD")
    pending.add(session, TABLE, fields | {"direction": "out", "status": "valid", "key_name": VN_KEY_NAME,
                "declaration_number": row.number, "delivery": "pending", "xml": signed.decode(),
                "received_at": clock.now()})  # fmt: skip
    outbox.record(session, type=OriginEvent.CERTIFICATE_ISSUED, unit=row.office, actor=principal.label,
                  payload={"certificate_no": data.certificate_no, "declaration_number": row.number,
                           "importing_country": data.importing_country})  # fmt: skip
    return fields | {"direction": "out", "status": "valid", "declaration_number": row.number,
                     "delivery": "pending", "received_at": clock.now()}  # fmt: skip


def _endpoint(session: Session, country: str) -> str | None:
    keys = [k for k in repository.unscoped_country_keys(session, [country]) if k.revoked_at is None]
    return next((k.endpoint for k in keys if k.endpoint), None)


def send_pending(db: Database, settings: Settings, http: httpx.Client | None = None) -> int:
    """Send the outgoing certificates not delivered yet; how many were delivered."""
    delivered = 0
    http = http or client(10.0, settings.development)
    with db.unit_of_work() as uow:
        for cert in repository.unscoped_outgoing_pending(uow.session):
            delivered += _send(uow.session, http, cert, settings)
        uow.commit()
    return delivered


def _send(session: Session, http: httpx.Client, cert: CertificateRow, settings: Settings) -> int:
    url = _endpoint(session, cert.importing_country)
    if url is None:
        return 0  # no endpoint registered for the country yet: kept pending
    error = _post(http, url, cert.xml.encode(), {"Content-Type": "application/xml"}, settings.development)
    cert.delivery = "sent" if error is None else "pending"
    outbox.record(session, type=OriginEvent.CERTIFICATE_SENT, unit="00", actor="system:origin",
                  payload={"certificate_no": cert.number, "importing_country": cert.importing_country,
                           "delivered": error is None, "detail": error or url})  # fmt: skip
    return 1 if error is None else 0
