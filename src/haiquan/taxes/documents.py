"""E-receipts and tax-position certificates as XML documents (application/xml: inert, never executed):
the content's fields in a fixed order, its SHA-256, and for certificates a seal (HMAC-SHA256 of the hash
with the node's secret key) that customs recomputes to tell a genuine certificate. Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from haiquan.taxes.domain import Account

XML = "application/xml"


@dataclass(frozen=True)
class Receipt:
    """What a payment paid on one reference (biên lai điện tử)."""

    number: str
    payer_tax_code: str
    payer_name: str
    amount: Decimal
    reference: str
    what: str  # the duties of declaration N, or the penalty / fee's title
    bank: str
    transaction_id: str
    paid_at: datetime


def _canonical(fields: list[tuple[str, str]]) -> str:
    return "\n".join(f"{k}={v}" for k, v in fields)


def content_hash(fields: list[tuple[str, str]]) -> str:
    """SHA-256 of `key=value` lines in the document's order (UTF-8)."""
    return hashlib.sha256(_canonical(fields).encode()).hexdigest()


def _xml(
    root: str, fields: list[tuple[str, str]], extra: list[ET.Element], digest: str, seal: str = ""
) -> bytes:
    el = ET.Element(root, {"version": "1"})
    for k, v in fields:
        ET.SubElement(el, k).text = v
    el.extend(extra)
    ET.SubElement(el, "sha256").text = digest
    if seal:
        ET.SubElement(el, "seal", {"alg": "HMAC-SHA256"}).text = seal
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(el, encoding="utf-8")


def receipt_fields(r: Receipt) -> list[tuple[str, str]]:
    return [
        ("number", r.number), ("payer_tax_code", r.payer_tax_code), ("payer_name", r.payer_name),
        ("amount_vnd", str(r.amount)), ("reference", r.reference), ("paid_for", r.what), ("bank", r.bank),
        ("transaction_id", r.transaction_id), ("paid_at", r.paid_at.isoformat()),
    ]  # fmt: skip


def receipt_document(r: Receipt) -> tuple[bytes, str]:
    """The receipt as XML and its content hash."""
    fields = receipt_fields(r)
    digest = content_hash(fields)
    return _xml("receipt", fields, [], digest), digest


def certificate_fields(tax_code: str, name: str, acc: Account, issued: date) -> list[tuple[str, str]]:
    verdict = (
        "no_debt" if acc.outstanding == 0 else ("no_overdue_debt" if acc.overdue == 0 else "overdue_debt")
    )
    fields = [
        ("tax_code", tax_code), ("name", name), ("issued_on", issued.isoformat()), ("position", verdict),
        ("outstanding_vnd", str(acc.outstanding)), ("overdue_vnd", str(acc.overdue)),
        ("late_interest_vnd", str(acc.interest)),
    ]  # fmt: skip
    for i in acc.items:
        fields.append(("debt", f"{i.key}|{i.amount}|{i.due.isoformat()}|{i.days_overdue}"))
    return fields


def seal(digest: str, key: str) -> str:
    return hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()


def certificate_document(
    tax_code: str, name: str, acc: Account, issued: date, key: str
) -> tuple[bytes, str, str]:
    """The tax-position certificate as XML, its content hash and its seal."""
    fields = certificate_fields(tax_code, name, acc, issued)
    digest = content_hash(fields)
    sealed = seal(digest, key)
    return _xml("tax_position_certificate", fields, [], digest, sealed), digest, sealed
