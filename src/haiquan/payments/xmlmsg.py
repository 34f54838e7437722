"""The signed XML variant of a bank confirmation: the same fields as the JSON body, an enveloped XML
signature (XMLDSig, RSA-SHA256) made with the bank's key and verified with the certificate the bank
registered. Only the signed content is read."""

from __future__ import annotations

from typing import Any

from lxml import etree
from pydantic import ValidationError
from signxml.algorithms import SignatureConstructionMethod as methods
from signxml.exceptions import InvalidInput, InvalidSignature, SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from haiquan.kit.errors import Unauthorized, ValidationFailed
from haiquan.payments.schemas import PaymentIn

NS = "urn:haiquan:payments:1"
FIELDS = ("Bank", "TransactionId", "Amount", "PayerTaxCode", "PaidAt")


def build(data: PaymentIn) -> etree._Element:
    root = etree.Element(f"{{{NS}}}PaymentConfirmation", nsmap={None: NS})
    values = {
        "Bank": data.bank,
        "TransactionId": data.transaction_id,
        "Amount": str(data.amount),
        "PayerTaxCode": data.payer_tax_code,
        "PaidAt": data.paid_at.isoformat(),
    }
    for name in FIELDS:
        etree.SubElement(root, f"{{{NS}}}{name}").text = values[name]
    refs = etree.SubElement(root, f"{{{NS}}}References")
    for r in data.references:
        etree.SubElement(refs, f"{{{NS}}}Reference").text = r
    return root


def sign(data: PaymentIn, *, key_pem: bytes, cert_pem: bytes) -> bytes:
    """What a bank's system does (and the tests and the simulated bank)."""
    signed = XMLSigner(method=methods.enveloped).sign(build(data), key=key_pem, cert=cert_pem.decode())
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def bank_of(raw: bytes) -> str:
    """The bank named in the message, read before verification only to pick its certificate."""
    try:
        doc = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(f"not well-formed XML: {exc}", field="body", code="bad_xml") from exc
    if doc.getroottree().docinfo.doctype:
        raise ValidationFailed(
            "a document type declaration (DTD) is not accepted", field="body", code="bad_xml"
        )
    node = doc.find(f"{{{NS}}}Bank")
    if node is None or not (node.text or "").strip():
        raise ValidationFailed("the message names no Bank", field="Bank", code="bad_xml")
    return str(node.text).strip()


def verify(raw: bytes, *, cert_pem: str) -> PaymentIn:
    try:
        result = XMLVerifier().verify(raw, x509_cert=cert_pem)
    except (InvalidSignature, InvalidInput, SignXMLException) as exc:
        raise Unauthorized(f"the XML signature does not verify: {exc}", code="bad_signature") from exc
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None:
        raise Unauthorized("the XML signature covers nothing", code="bad_signature")
    values: dict[str, Any] = {}
    for name in FIELDS:
        node = signed.find(f"{{{NS}}}{name}")
        if node is None or node.text is None:
            raise ValidationFailed(f"{name} is missing", field=name, code="bad_xml")
        values[name] = node.text.strip()
    refs = [(n.text or "").strip() for n in signed.iterfind(f"{{{NS}}}References/{{{NS}}}Reference")]
    try:
        return PaymentIn(
            bank=values["Bank"],
            transaction_id=values["TransactionId"],
            amount=values["Amount"],
            payer_tax_code=values["PayerTaxCode"],
            paid_at=values["PaidAt"],
            references=refs,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed(str(first["msg"]), field=".".join(str(x) for x in first["loc"])) from exc
