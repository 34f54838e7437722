"""Signed XML terminal messages: parse a batch, verify each Message's XML Signature against the
operator's registered certificate (named by ds:KeyName; one revoked, expired or naming someone else refuses
the batch: supervision.keys), validate it against the published XSD, and turn it into the same message as
the JSON API. Signing helpers for operators' tools and the docs."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import xmlschema
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.algorithms import SignatureConstructionMethod as methods
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from haiquan.kit.errors import ValidationFailed
from haiquan.kit.settings import REPO_ROOT
from haiquan.supervision.keys import SigningKey
from haiquan.supervision.movements import Incoming
from haiquan.supervision.schemas import MAX_BATCH

NS = "urn:haiquan:supervision:terminal-message:1"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSD_PATH = REPO_ROOT / "docs" / "schemas" / "terminal-message.xsd"
FIELDS = {
    "MessageId": "message_id",
    "Kind": "kind",
    "Location": "location",
    "At": "at",
    "CargoType": "cargo_type",
    "Container": "container",
    "GoodsId": "goods_id",
    "Seal": "seal",
    "PackageCount": "package_count",
    "Destination": "destination",
}


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def sign_message(
    message_xml: bytes, *, key_pem: bytes, cert_pem: bytes | None, key_name: str
) -> etree._Element:
    root = etree.fromstring(message_xml, _parser())
    signer = XMLSigner(
        method=methods.enveloped, c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
    )
    return signer.sign(root, key=key_pem, cert=cert_pem.decode() if cert_pem else None, key_name=key_name)


def sign_batch(batch_xml: bytes, *, key_pem: bytes, cert_pem: bytes | None, key_name: str) -> bytes:
    """Sign every Message of a TerminalMessages document (the operator's side; used by the CLI)."""
    root = etree.fromstring(batch_xml, _parser())
    for i, msg in enumerate(list(root)):
        for old in msg.findall(f"{{{DS}}}Signature"):
            msg.remove(old)
        signed = sign_message(etree.tostring(msg), key_pem=key_pem, cert_pem=cert_pem, key_name=key_name)
        root.replace(msg, signed)
        _ = i
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _to_dict(msg: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in msg:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{NS}}}"):
            continue
        tag = etree.QName(child).localname
        if tag == "Items":
            out["items"] = [
                {
                    FIELDS[etree.QName(c).localname]: (c.text or "").strip()
                    for c in item
                    if isinstance(c.tag, str)
                }
                for item in child
            ]
        elif tag in FIELDS:
            out[FIELDS[tag]] = (child.text or "").strip()
    return out


def _error(code: str, message: str, field: str = "signature") -> list[dict[str, Any]]:
    return [{"field": field, "code": code, "message": message}]


def _one(msg: etree._Element, keys: dict[str, SigningKey]) -> Incoming:
    text = etree.tostring(msg, encoding="unicode")
    mid_el = msg.find(f"{{{NS}}}MessageId")
    mid = (mid_el.text or "").strip()[:64] if mid_el is not None and mid_el.text else None
    key_name_el = msg.find(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}KeyName")
    if msg.find(f"{{{DS}}}Signature") is None:
        return Incoming(text, _error("unsigned", "the message carries no XML Signature"), mid)
    key_name = (key_name_el.text or "").strip() if key_name_el is not None else ""
    key = keys.get(key_name)
    if key is None:
        return Incoming(
            text, _error("unknown_key", f"no registered key named {key_name!r} for this operator"), mid
        )
    if key.refusal is not None:  # revoked, outside its validity, naming someone else: the whole batch
        raise key.refusal
    try:
        verified = XMLVerifier().verify(copy.deepcopy(msg), x509_cert=key.certificate_pem)
    except (InvalidSignature, InvalidInput) as exc:
        return Incoming(text, _error("broken_signature", f"the signature does not verify: {exc}"[:300]), mid)
    except Exception as exc:  # whatever else this message holds (an entity reference...): it alone is refused
        reason = f"the message cannot be checked: {type(exc).__name__}"
        return Incoming(text, _error("unreadable", reason[:300]), mid)
    signed = (
        verified[0].signed_xml if isinstance(verified, list) else verified.signed_xml
    )  # only what it covers
    if not isinstance(signed, etree._Element) or etree.QName(signed).localname != "Message":
        return Incoming(text, _error("broken_signature", "the signature does not cover the Message"), mid)
    doc = copy.deepcopy(msg)  # the XSD expects the signature in place; its content was just verified
    errors = [
        {
            "field": (e.path or "Message").split("}")[-1],
            "code": "schema",
            "message": str(e.reason or e.message)[:300],
        }
        for e in schema().iter_errors(doc)
    ]
    if errors:
        return Incoming(text, errors, mid)
    return Incoming(_to_dict(signed), [], mid, review_text=text)


def parse_batch(body: bytes, keys: dict[str, SigningKey]) -> list[Incoming]:
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
    if root.tag != f"{{{NS}}}TerminalMessages":
        raise ValidationFailed(
            f"the root element must be TerminalMessages in {NS}", field="body", code="bad_xml"
        )
    messages = [m for m in root if isinstance(m.tag, str)]
    if not messages or len(messages) > MAX_BATCH:
        raise ValidationFailed(f"a batch holds 1 to {MAX_BATCH} messages", field="messages")
    out = []
    for m in messages:
        if m.tag != f"{{{NS}}}Message":
            out.append(
                Incoming(
                    etree.tostring(m, encoding="unicode"),
                    _error("schema", "only Message elements", "Message"),
                )
            )
        else:
            out.append(_one(m, keys))
    return out
