"""e-Form D as XML: parse a message or a batch (no DTD, no entities, no network), verify each EFormD's
XML Signature against the issuing country's registered certificate (ds:KeyName names it among the
country's keys), validate it against the published XSD (origin/schemas/atiga-eform-d.xsd) with the
failing element named as an XPath, and read its fields. Building and signing a certificate (outgoing
certificates, the test country node) are here too."""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.algorithms import SignatureConstructionMethod as methods
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from haiquan.kit.errors import DomainError, Forbidden, ValidationFailed

NS = "urn:haiquan:origin:atiga-eform-d:1"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSD_PATH = Path(__file__).parent / "schemas" / "atiga-eform-d.xsd"
MAX_BATCH = 1000
FLAGS = ("ThirdCountryInvoicing", "Exhibition", "BackToBack", "IssuedRetroactively", "DeMinimis",
         "Accumulation", "PartialCumulation")  # fmt: skip


@dataclass(frozen=True)
class CountryCert:
    """A registered country certificate as verification uses it: why it may not verify now (None: it may)."""

    country: str
    key_name: str
    certificate_pem: str
    refusal: Forbidden | None


@dataclass(frozen=True)
class Parsed:
    """A verified, valid certificate: its fields (as `CertificateRow` keeps them) and its signed XML."""

    fields: dict[str, Any]
    xml: str
    key_name: str


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True,
                           load_dtd=False)  # fmt: skip


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def read_document(body: bytes) -> list[etree._Element]:
    """The EFormD elements of a message (one EFormD) or a batch (EFormDBatch); 422 naming `body` else."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(
            f"the body is not well-formed XML: {exc}", field="body", code="bad_xml"
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise ValidationFailed(
            "a document type declaration (DTD) is not accepted", field="body", code="bad_xml"
        )
    if root.tag == q("EFormD"):
        return [root]
    if root.tag != q("EFormDBatch"):
        raise ValidationFailed(f"the root element must be EFormD or EFormDBatch in {NS}", field="body",
                               code="bad_xml")  # fmt: skip
    forms = [e for e in root if isinstance(e.tag, str)]
    if not forms or len(forms) > MAX_BATCH:
        raise ValidationFailed(f"a batch holds 1 to {MAX_BATCH} certificates", field="/EFormDBatch")
    return forms


def where(i: int, batch: bool) -> str:
    return f"/EFormDBatch/EFormD[{i + 1}]" if batch else "/EFormD"


def _text(el: etree._Element, path: str) -> str:
    found = el.find(path, {"d": NS})
    return (found.text or "").strip() if found is not None else ""


def verify(form: etree._Element, keys: Mapping[str, list[CountryCert]], at: str) -> etree._Element:
    """The signed EFormD, verified with the issuing country's certificate named by ds:KeyName."""
    country = _text(form, "d:IssuingCountry")
    sig = form.find(f"{{{DS}}}Signature")
    if sig is None:
        raise ValidationFailed("the certificate carries no XML Signature", field=f"{at}/ds:Signature",
                               code="unsigned")  # fmt: skip
    key_name = _text(sig, f"{{{DS}}}KeyInfo/{{{DS}}}KeyName")
    cert = next((k for k in keys.get(country, []) if k.key_name == key_name), None)
    if cert is None:
        raise ValidationFailed(f"no key {key_name!r} registered for issuing country {country!r}",
                        field=f"{at}/ds:Signature/ds:KeyInfo/ds:KeyName", code="unknown_country_key")  # fmt: skip
    if cert.refusal is not None:
        raise cert.refusal
    try:
        verified = XMLVerifier().verify(copy.deepcopy(form), x509_cert=cert.certificate_pem)
    except (InvalidSignature, InvalidInput) as exc:
        raise ValidationFailed(f"the signature does not verify: {exc}"[:300], field=f"{at}/ds:Signature",
                        code="broken_signature") from exc  # fmt: skip
    signed = verified[0].signed_xml if isinstance(verified, list) else verified.signed_xml
    if not isinstance(signed, etree._Element) or signed.tag != q("EFormD"):
        raise ValidationFailed("the signature does not cover the EFormD", field=f"{at}/ds:Signature",
                        code="broken_signature")  # fmt: skip
    return signed


_local = threading.local()


def fast_schema() -> etree.XMLSchema:
    """The same XSD in libxml2 (one per thread: a validator keeps its error log): says valid or not ~100
    times faster than xmlschema, which then names what is wrong."""
    found: etree.XMLSchema | None = getattr(_local, "schema", None)
    if found is None:
        found = _local.schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    return found


def validate(form: etree._Element, at: str) -> None:
    """422 naming the first element the schema refuses, as an XPath under `at` (namespaces dropped)."""
    if fast_schema().validate(form):
        return
    for err in schema().iter_errors(copy.deepcopy(form)):
        inner = xpath_of(err.path)
        raise ValidationFailed(f"{at}{inner}: {err.reason or err.message}"[:400], field=f"{at}{inner}",
                               code="schema")  # fmt: skip
    last = fast_schema().error_log.last_error
    message = last.message if last is not None else "the certificate does not follow the schema"
    raise ValidationFailed(f"{at}: {message}"[:400], field=at, code="schema")


def xpath_of(path: str | None) -> str:
    """xmlschema's path (`/{ns}EFormD/{ns}Items/{ns}Item[2]/{ns}HSCode`) below the EFormD element."""
    steps = [s.split("}")[-1] for s in (path or "").split("/") if s]
    return "".join(f"/{s}" for s in steps[1:])


def parse(body: bytes, keys: Mapping[str, list[CountryCert]]) -> list[Parsed]:
    """Every certificate of the body, verified and valid; the first that is not refuses them all."""
    forms = read_document(body)
    batch = len(forms) > 1 or forms[0].getparent() is not None
    out = []
    for i, form in enumerate(forms):
        at = where(i, batch)
        if form.tag != q("EFormD"):
            raise ValidationFailed("only EFormD elements", field=at, code="schema")
        validate(form, at)
        signed = verify(form, keys, at)
        key_name = _text(form, f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}KeyName")
        out.append(Parsed(fields_of(signed), etree.tostring(form, encoding="unicode"), key_name))
    return out


def fields_of(form: etree._Element) -> dict[str, Any]:
    flags_el = form.find(q("Flags"))
    flags = {etree.QName(f).localname: (f.text or "").strip() in ("true", "1")
             for f in (flags_el if flags_el is not None else []) if isinstance(f.tag, str)}  # fmt: skip
    return {
        "number": _text(form, "d:CertificateNo"),
        "issue_date": date.fromisoformat(_text(form, "d:IssueDate")),
        "issuing_country": _text(form, "d:IssuingCountry"),
        "importing_country": _text(form, "d:ImportingCountry"),
        "exporter_name": _text(form, "d:Exporter/d:Name"),
        "consignee_name": _text(form, "d:Consignee/d:Name"),
        "consignee_tax_id": _text(form, "d:Consignee/d:TaxId") or None,
        "items": [_item(i) for i in form.iterfind("d:Items/d:Item", {"d": NS})],
        "flags": flags,
    }


def _item(el: etree._Element) -> dict[str, Any]:
    weight = el.find(q("GrossWeight"))
    measure = weight if weight is not None else el.find(q("Quantity"))
    fob = el.find(q("FOBValue"))
    assert measure is not None  # the schema requires it
    assert fob is not None
    return {
        "item_no": int(_text(el, "d:ItemNo")),
        "hs_code": _text(el, "d:HSCode"),
        "criterion": _text(el, "d:OriginCriterion"),
        "description": _text(el, "d:Description"),
        "quantity": (measure.text or "").strip(),
        "unit": measure.get("unit", ""),
        "is_gross_weight": weight is not None,
        "fob_value": (fob.text or "").strip(),
        "currency": fob.get("currency", ""),
        "invoice_no": _text(el, "d:InvoiceNo"),
        "invoice_date": _text(el, "d:InvoiceDate"),
    }


def sign(form_xml: bytes, *, key_pem: bytes, cert_pem: bytes | None, key_name: str) -> bytes:
    """Sign an EFormD (enveloped, exclusive c14n, RSA-SHA256), replacing any signature it carries."""
    root = etree.fromstring(form_xml, _parser())
    for old in root.findall(f"{{{DS}}}Signature"):
        root.remove(old)
    signer = XMLSigner(method=methods.enveloped,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)  # fmt: skip
    signed = signer.sign(root, key=key_pem, cert=cert_pem.decode() if cert_pem else None, key_name=key_name)
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def batch_of(signed_forms: list[bytes]) -> bytes:
    root = etree.Element(q("EFormDBatch"), nsmap={None: NS})
    for form in signed_forms:
        root.append(etree.fromstring(form, _parser()))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def refusal_of(exc: DomainError) -> dict[str, Any]:
    return {"field": exc.field, "code": exc.code, "message": exc.message}


def amount(text: str) -> Decimal:
    return Decimal(text)
