"""The WCO Data Model response to a declaration received as XML: accepted (FunctionCode 29) with the
declaration number, status, lane and duties, or rejected (27) with the error and the XPath it points to."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from haiquan.declarations.schemas import DeclarationOut
from haiquan.interchange.writer import number
from haiquan.kit.domain_errors import DomainError

NS = "urn:haiquan:interchange:wco-response:1"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{name}", attrs)
    if text is not None:
        el.text = text
    return el


def _root(code: str, functional_reference: str, at: datetime) -> etree._Element:
    root = etree.Element(f"{{{NS}}}Response", nsmap={None: NS})
    _sub(root, "FunctionCode", code)
    if functional_reference:
        _sub(root, "FunctionalReferenceID", functional_reference)
    _sub(root, "IssueDateTime", at.isoformat())
    return root


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def accepted(out: DeclarationOut, *, functional_reference: str, at: datetime) -> bytes:
    root = _root("29", functional_reference, at)
    decl = _sub(root, "Declaration")
    _sub(decl, "ID", out.number)
    _sub(decl, "AcceptanceDateTime", (out.registered_at or out.lodged_at).isoformat())
    _sub(_sub(root, "Status"), "NameCode", out.status)
    if out.channel is not None:
        _sub(root, "LaneCode", out.channel.value)
    _sub(_sub(root, "DutyTaxFee"), "TotalAmount", number(out.duties.total), currencyID="VND")
    return _bytes(root)


def rejected(error: DomainError, *, xpath: str, functional_reference: str, at: datetime) -> bytes:
    root = _root("27", functional_reference, at)
    err = _sub(root, "Error")
    _sub(err, "ValidationCode", error.code)
    _sub(err, "Description", error.message[:1000])
    _sub(_sub(err, "Pointer"), "Location", xpath)
    return _bytes(root)
