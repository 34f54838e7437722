"""ATIGA e-Form D, pure: a received certificate, a declaration line's claim to the ATIGA rate, and the rule
that matches one to the other. No database, no XML: the rule is tested over every field on its own.

A claim matches a certificate when every check below holds (the first that fails is not the only one
reported: the officer sees every mismatch):
- `certificate_no`: the line names this certificate;
- `validity`: the certificate was issued on or before the declaration's date, at most `validity_days`
  (ATIGA: 12 months) before it, and it is not revoked or reported not genuine by its issuing country;
- `importing_country`: it was issued for Viet Nam;
- `origin_country`: the issuing country is the line's country of origin;
- `exporter`: the exporter's name, compared without case, punctuation and company-form words;
- `importer`: the consignee's tax id when the certificate gives one, else its name, against the importer;
- `hs_code`: an item whose HS code is the line's first six digits (the item the rest is compared with);
- `criterion`: when the line states an origin criterion, the item's;
- `quantity`: in the same unit, within `quantity_percent` of the line's quantity (a gross weight is
  compared with the line's net mass, which it may only exceed);
- `fob_value`: in the invoice's currency, the FOB value within `fob_percent` of the line's value when the
  invoice is on FOB terms (FCA, EXW), else at most the line's value plus `fob_percent`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

ATIGA = "ATIGA"
FOB_TERMS = frozenset({"FOB", "FCA", "EXW", "FAS"})
# Words of a company's legal form, dropped before names are compared (English, Thai, Malay, Indonesian, VN)
COMPANY_FORMS = frozenset(
    [
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "pte",
        "pt",
        "tbk",
        "bhd",
        "sdn",
        "public",
        "jsc",
        "the",
        "and",
        "cong",
        "ty",
        "tnhh",
        "cp",
        "co",
        "phan",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


class ClaimStatus(StrEnum):
    MATCHED = "matched"  # the certificate matches: the ATIGA rate applies
    MISMATCH = "mismatch"  # it does not: MFN, the declaration goes at least yellow
    PENDING = "pending"  # not received yet: the rate is kept while the legal period runs
    EXPIRED = "expired"  # the legal period passed without it: MFN


@dataclass(frozen=True)
class Tolerances:
    quantity_percent: Decimal = Decimal(5)
    fob_percent: Decimal = Decimal(5)
    validity_days: int = 365
    pending_days: int = 365


@dataclass(frozen=True)
class Item:
    item_no: int
    hs_code: str  # 6 digits
    criterion: str
    description: str
    quantity: Decimal
    unit: str
    is_gross_weight: bool
    fob_value: Decimal
    currency: str
    invoice_no: str
    invoice_date: date


@dataclass(frozen=True)
class Certificate:
    number: str
    issue_date: date
    issuing_country: str
    importing_country: str
    exporter_name: str
    consignee_name: str
    consignee_tax_id: str | None
    items: tuple[Item, ...]
    revoked: bool = False


@dataclass(frozen=True)
class LineClaim:
    """A declaration line's claim as the rule reads it (the line and its declaration's header)."""

    certificate_no: str
    declared_on: date
    origin_country: str
    exporter_name: str
    importer_tax_code: str | None
    importer_name: str
    hs_code: str
    criterion: str | None
    quantity: Decimal
    quantity_unit: str
    net_mass_kg: Decimal
    value: Decimal
    currency: str
    incoterm: str


@dataclass(frozen=True)
class Mismatch:
    field: str
    expected: str  # what the line says
    found: str  # what the certificate says

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "declared": self.expected, "certificate": self.found}


@dataclass(frozen=True)
class Verdict:
    status: ClaimStatus
    mismatches: tuple[Mismatch, ...] = field(default=())
    item_no: int | None = None


def normalized_name(name: str) -> str:
    """Lower case, without diacritics (đ as d), punctuation or company-form words."""
    plain = unicodedata.normalize("NFKD", name.casefold().replace("đ", "d"))
    words = _WORD.findall("".join(c for c in plain if not unicodedata.combining(c)))
    return " ".join(w for w in words if w not in COMPANY_FORMS)


def within(value: Decimal, reference: Decimal, percent: Decimal) -> bool:
    return abs(value - reference) <= abs(reference) * percent / 100


def judge(claim: LineClaim, cert: Certificate | None, tol: Tolerances) -> Verdict:
    """The claim's status against the certificate it names (None: not received)."""
    if cert is None:
        return Verdict(ClaimStatus.PENDING)
    found = header_mismatches(claim, cert, tol)
    item = next((i for i in cert.items if i.hs_code == claim.hs_code[:6]), None)
    if item is None:
        codes = ",".join(i.hs_code for i in cert.items)
        found.append(Mismatch("hs_code", claim.hs_code[:6], codes))
    else:
        found.extend(item_mismatches(claim, item, tol))
    if found:
        return Verdict(ClaimStatus.MISMATCH, tuple(found), item.item_no if item else None)
    return Verdict(ClaimStatus.MATCHED, (), item.item_no if item else None)


def header_mismatches(claim: LineClaim, cert: Certificate, tol: Tolerances) -> list[Mismatch]:
    out = []
    if claim.certificate_no != cert.number:
        out.append(Mismatch("certificate_no", claim.certificate_no, cert.number))
    out.extend(validity_mismatches(claim.declared_on, cert, tol))
    if cert.importing_country != "VN":
        out.append(Mismatch("importing_country", "VN", cert.importing_country))
    if claim.origin_country != cert.issuing_country:
        out.append(Mismatch("origin_country", claim.origin_country, cert.issuing_country))
    if normalized_name(claim.exporter_name) != normalized_name(cert.exporter_name):
        out.append(Mismatch("exporter", claim.exporter_name, cert.exporter_name))
    if not importer_matches(claim, cert):
        declared = claim.importer_tax_code or claim.importer_name
        out.append(Mismatch("importer", declared, cert.consignee_tax_id or cert.consignee_name))
    return out


def validity_mismatches(on: date, cert: Certificate, tol: Tolerances) -> list[Mismatch]:
    if cert.revoked:
        return [Mismatch("validity", "valid", "revoked or not confirmed by the issuing country")]
    if cert.issue_date > on:
        return [Mismatch("validity", f"issued by {on}", f"issued {cert.issue_date}")]
    if cert.issue_date + timedelta(days=tol.validity_days) < on:
        end = cert.issue_date + timedelta(days=tol.validity_days)
        return [Mismatch("validity", f"valid on {on}", f"valid until {end}")]
    return []


def importer_matches(claim: LineClaim, cert: Certificate) -> bool:
    if cert.consignee_tax_id and claim.importer_tax_code:
        return cert.consignee_tax_id.replace("-", "") == claim.importer_tax_code.replace("-", "")
    return normalized_name(claim.importer_name) == normalized_name(cert.consignee_name)


def item_mismatches(claim: LineClaim, item: Item, tol: Tolerances) -> list[Mismatch]:
    out = []
    if claim.criterion and claim.criterion != item.criterion:
        out.append(Mismatch("criterion", claim.criterion, item.criterion))
    quantity = quantity_mismatch(claim, item, tol)
    if quantity is not None:
        out.append(quantity)
    fob = fob_mismatch(claim, item, tol)
    if fob is not None:
        out.append(fob)
    return out


def quantity_mismatch(claim: LineClaim, item: Item, tol: Tolerances) -> Mismatch | None:
    got = f"{item.quantity} {item.unit}"
    if item.is_gross_weight and item.unit == "KGM":  # gross weight: at least the net mass, within tolerance
        low = claim.net_mass_kg * (1 - tol.quantity_percent / 100)
        return None if item.quantity >= low else Mismatch("quantity", f"{claim.net_mass_kg} KGM net", got)
    if item.unit != claim.quantity_unit:
        return Mismatch("quantity", f"{claim.quantity} {claim.quantity_unit}", got)
    if within(item.quantity, claim.quantity, tol.quantity_percent):
        return None
    return Mismatch("quantity", f"{claim.quantity} {claim.quantity_unit}", got)


def fob_mismatch(claim: LineClaim, item: Item, tol: Tolerances) -> Mismatch | None:
    declared, got = f"{claim.value} {claim.currency}", f"{item.fob_value} {item.currency}"
    if item.currency != claim.currency:
        return Mismatch("fob_value", declared, got)
    if claim.incoterm in FOB_TERMS:
        return (
            None
            if within(item.fob_value, claim.value, tol.fob_percent)
            else Mismatch("fob_value", declared, got)
        )
    ceiling = claim.value * (1 + tol.fob_percent / 100)
    return None if item.fob_value <= ceiling else Mismatch("fob_value", f"at most {declared}", got)


def pending_until(declared_on: date, tol: Tolerances) -> date:
    return declared_on + timedelta(days=tol.pending_days)
