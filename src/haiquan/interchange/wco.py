"""WCO Data Model XML (schemas/wco-declaration.xsd) <-> the JSON API's `DeclarationIn`.

Read: well-formed (no DTD, no entities, no network), then valid against the XSD (libxml2 says whether,
xmlschema names the first error), then mapped to `DeclarationIn`; every refusal names an XPath."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree
from pydantic import ValidationError

from haiquan.declarations.schemas import DeclarationIn
from haiquan.interchange.cusdec import MODE_CODE, MODES
from haiquan.interchange.errors import XmlError
from haiquan.interchange.mapping import dotted
from haiquan.interchange.writer import number

NS = "urn:haiquan:interchange:wco-declaration:1"
XSD_PATH = Path(__file__).parent / "schemas" / "wco-declaration.xsd"
TYPE_KIND = {"IM": "import", "EX": "export"}
KIND_TYPE = {v: k for k, v in TYPE_KIND.items()}
_local = threading.local()


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def _fast() -> etree.XMLSchema:
    found: etree.XMLSchema | None = getattr(_local, "schema", None)
    if found is None:
        found = _local.schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    return found


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True,
                           load_dtd=False)  # fmt: skip


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


@dataclass
class XmlSources:
    """Field path ('lines[0].hs_code') -> the XPath it was read from."""

    places: dict[str, str] = field(default_factory=dict)

    def xpath_of(self, path: str | None) -> str:
        p = path or ""
        while p:
            if p in self.places:
                return self.places[p]
            p = p[: p.rindex("[")] if p.endswith("]") else (p.rsplit(".", 1)[0] if "." in p else "")
        return "/Declaration"


def _xpath(path: str | None) -> str:
    steps = [s.split("}")[-1] for s in (path or "").split("/") if s]
    return "".join(f"/{s}" for s in steps) or "/"


def document(body: bytes) -> etree._Element:
    """The Declaration element, schema-valid; XmlError naming the XPath else."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"the body is not well-formed XML: {exc}", xpath="/") from None
    if root.getroottree().docinfo.doctype:
        raise XmlError("a document type declaration (DTD) is not accepted", xpath="/")
    if root.tag != q("Declaration"):
        raise XmlError(
            f"the root element must be Declaration in {NS}", xpath="/" + etree.QName(root).localname
        )
    if not _fast().validate(root):
        for err in schema().iter_errors(copy.deepcopy(root)):
            raise XmlError(str(err.reason or err.message)[:300], xpath=_xpath(err.path))
        raise XmlError("the declaration does not follow the schema", xpath="/Declaration")
    return root


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.sources = XmlSources()

    def text(self, el: etree._Element, rel: str) -> str:
        found = el.find(rel, {"d": NS})
        return (found.text or "").strip() if found is not None else ""

    def take(self, path: str, xpath: str, value: Any) -> Any:
        self.sources.places[path] = xpath
        return value

    def party(self, name: str) -> dict[str, Any] | None:
        el = self.root.find(q(name))
        if el is None:
            return None
        at = f"/Declaration/{name}"
        return {
            "tax_code": self.take(f"{name.lower()}.tax_code", f"{at}/ID", self.text(el, "d:ID") or None),
            "name": self.take(f"{name.lower()}.name", f"{at}/Name", self.text(el, "d:Name")),
            "country": self.take(
                f"{name.lower()}.country",
                f"{at}/Address/CountryCode",
                self.text(el, "d:Address/d:CountryCode") or "VN",
            ),
        }

    def line(self, i: int, el: etree._Element) -> dict[str, Any]:
        at, p = f"/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[{i + 1}]", f"lines[{i}]"
        self.sources.places[p] = at
        net = el.find("d:GoodsMeasure/d:NetNetWeightMeasure", {"d": NS})
        qty = el.find("d:GoodsMeasure/d:TariffQuantity", {"d": NS})
        assert net is not None
        assert qty is not None
        out: dict[str, Any] = {
            "hs_code": self.take(f"{p}.hs_code", f"{at}/Commodity/Classification/ID",
                                 self.text(el, "d:Commodity/d:Classification/d:ID")),
            "description": self.take(f"{p}.description", f"{at}/Commodity/Description",
                                     self.text(el, "d:Commodity/d:Description")),
            "origin_country": self.take(f"{p}.origin_country", f"{at}/Origin/CountryCode",
                                        self.text(el, "d:Origin/d:CountryCode")),
            "quantity": self.take(f"{p}.quantity", f"{at}/GoodsMeasure/TariffQuantity", (qty.text or "").strip()),
            "quantity_unit": self.take(f"{p}.quantity_unit", f"{at}/GoodsMeasure/TariffQuantity/@unitCode",
                                       qty.get("unitCode", "")),
            "net_mass_kg": self.take(f"{p}.net_mass_kg", f"{at}/GoodsMeasure/NetNetWeightMeasure",
                                     (net.text or "").strip()),
            "value": self.take(f"{p}.value", f"{at}/CustomsValueAmount", self.text(el, "d:CustomsValueAmount")),
        }  # fmt: skip
        doc = el.find(q("AdditionalDocument"))
        if doc is not None:
            d = f"{at}/AdditionalDocument"
            out["preference"] = {
                "scheme": self.take(f"{p}.preference.scheme", f"{d}/CategoryCode", self.text(doc, "d:CategoryCode")),
                "certificate": self.take(f"{p}.preference.certificate", f"{d}/ID", self.text(doc, "d:ID") or None),
                "criterion": self.take(f"{p}.preference.criterion", f"{d}/OriginCriterionCode",
                                       self.text(doc, "d:OriginCriterionCode") or None),
            }  # fmt: skip
        return out

    def header(self) -> dict[str, Any]:
        r, t = self.root, self.text
        gs, d = "/Declaration/GoodsShipment", "d:GoodsShipment"
        mass = r.find(q("TotalGrossMassMeasure"))
        amount = r.find(f"{d}/d:Invoice/d:TotalAmount", {"d": NS})
        assert amount is not None  # the schema requires it
        data: dict[str, Any] = {
            "kind": self.take("kind", "/Declaration/TypeCode", TYPE_KIND[t(r, "d:TypeCode")]),
            "category": self.take("category", "/Declaration/CategoryCode", t(r, "d:CategoryCode") or "commercial"),
            "procedure_code": self.take("procedure_code", f"{gs}/GovernmentProcedure/CurrentCode",
                                        t(r, f"{d}/d:GovernmentProcedure/d:CurrentCode") or None),
            "office": self.take("office", "/Declaration/DeclarationOffice/ID", t(r, "d:DeclarationOffice/d:ID")),
            "transport_mode": self.take("transport_mode", f"{gs}/Consignment/BorderTransportMeans/ModeCode",
                                        MODES[t(r, f"{d}/d:Consignment/d:BorderTransportMeans/d:ModeCode")]),
            "transport_document": self.take("transport_document", f"{gs}/Consignment/TransportContractDocument/ID",
                                            t(r, f"{d}/d:Consignment/d:TransportContractDocument/d:ID") or None),
            "package_count": self.take("package_count", "/Declaration/TotalPackageQuantity",
                                       int(t(r, "d:TotalPackageQuantity") or 0)),
            "gross_mass_kg": self.take("gross_mass_kg", "/Declaration/TotalGrossMassMeasure",
                                       (mass.text or "0").strip() if mass is not None else "0"),
            "invoice": {
                "currency": self.take("invoice.currency", f"{gs}/Invoice/TotalAmount/@currencyID",
                                      amount.get("currencyID", "")),
                "amount": self.take("invoice.amount", f"{gs}/Invoice/TotalAmount", (amount.text or "").strip()),
                "incoterm": self.take("invoice.incoterm", f"{gs}/TradeTerms/ConditionCode",
                                      t(r, f"{d}/d:TradeTerms/d:ConditionCode")),
                "freight": self.take("invoice.freight", f"{gs}/CustomsValuation/FreightChargeAmount",
                                     t(r, f"{d}/d:CustomsValuation/d:FreightChargeAmount") or "0"),
                "insurance": self.take("invoice.insurance", f"{gs}/CustomsValuation/InsuranceAmount",
                                       t(r, f"{d}/d:CustomsValuation/d:InsuranceAmount") or "0"),
            },
        }  # fmt: skip
        equipment = r.findall(f"{d}/d:Consignment/d:TransportEquipment/d:ID", {"d": NS})
        data["containers"] = [
            self.take(
                f"containers[{i}]", f"{gs}/Consignment/TransportEquipment[{i + 1}]/ID", (e.text or "").strip()
            )
            for i, e in enumerate(equipment)
        ]
        for name in ("Importer", "Exporter"):
            data[name.lower()] = self.party(name)
        return data


def read(body: bytes) -> tuple[DeclarationIn, str, XmlSources]:
    """The declaration, its functional reference and where each field came from."""
    root = document(body)
    reader = _Reader(root)
    data = reader.header()
    items = root.findall("d:GoodsShipment/d:GovernmentAgencyGoodsItem", {"d": NS})
    data["lines"] = [reader.line(i, el) for i, el in enumerate(items)]
    for i, el in enumerate(items):
        if reader.text(el, "d:SequenceNumeric") != str(i + 1):
            at = f"/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[{i + 1}]/SequenceNumeric"
            raise XmlError(f"goods items are numbered 1, 2, ...: {i + 1} expected", xpath=at)
    try:
        decl = DeclarationIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = dotted(first.get("loc", ()))
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise XmlError(f"{path or 'declaration'}: {msg}", xpath=reader.sources.xpath_of(path)) from None
    return decl, reader.text(root, "d:FunctionalReferenceID"), reader.sources


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, q(name), attrs)
    if text is not None:
        el.text = text
    return el


def _party(root: etree._Element, name: str, p: Any) -> None:
    if p is None:
        return
    el = _sub(root, name)
    if p.name:
        _sub(el, "Name", p.name)
    if p.tax_code:
        _sub(el, "ID", p.tax_code)
    _sub(_sub(el, "Address"), "CountryCode", p.country)


def _item(gs: etree._Element, n: int, ln: Any) -> None:
    el = _sub(gs, "GovernmentAgencyGoodsItem")
    _sub(el, "SequenceNumeric", str(n))
    _sub(el, "CustomsValueAmount", number(ln.value))
    com = _sub(el, "Commodity")
    _sub(com, "Description", ln.description)
    cls = _sub(com, "Classification")
    _sub(cls, "ID", ln.hs_code)
    _sub(cls, "IdentificationTypeCode", "TSP")
    gm = _sub(el, "GoodsMeasure")
    _sub(gm, "NetNetWeightMeasure", number(ln.net_mass_kg), unitCode="KGM")
    _sub(gm, "TariffQuantity", number(ln.quantity), unitCode=ln.quantity_unit)
    _sub(_sub(el, "Origin"), "CountryCode", ln.origin_country)
    if ln.preference is not None:
        doc = _sub(el, "AdditionalDocument")
        _sub(doc, "CategoryCode", ln.preference.scheme)
        if ln.preference.certificate:
            _sub(doc, "ID", ln.preference.certificate)
        if ln.preference.criterion:
            _sub(doc, "OriginCriterionCode", ln.preference.criterion)


def write(d: DeclarationIn, *, functional_reference: str) -> bytes:
    """The declaration as WCO-DM XML (the inverse of `read`)."""
    root = etree.Element(q("Declaration"), nsmap={None: NS})
    _sub(root, "FunctionalReferenceID", functional_reference)
    _sub(root, "TypeCode", KIND_TYPE[d.kind.value])
    _sub(root, "CategoryCode", d.category.value)
    _sub(root, "TotalGrossMassMeasure", number(d.gross_mass_kg), unitCode="KGM")
    _sub(root, "TotalPackageQuantity", str(d.package_count))
    _sub(_sub(root, "DeclarationOffice"), "ID", d.office)
    _party(root, "Exporter", d.exporter)
    _party(root, "Importer", d.importer)
    gs = _sub(root, "GoodsShipment")
    con = _sub(gs, "Consignment")
    _sub(_sub(con, "BorderTransportMeans"), "ModeCode", MODE_CODE[d.transport_mode])
    if d.transport_document:
        _sub(_sub(con, "TransportContractDocument"), "ID", d.transport_document)
    for c in d.containers:
        _sub(_sub(con, "TransportEquipment"), "ID", c)
    _sub(_sub(gs, "GovernmentProcedure"), "CurrentCode", d.procedure_code)
    _sub(_sub(gs, "Invoice"), "TotalAmount", number(d.invoice.amount), currencyID=d.invoice.currency)
    _sub(_sub(gs, "TradeTerms"), "ConditionCode", d.invoice.incoterm)
    val = _sub(gs, "CustomsValuation")
    _sub(val, "FreightChargeAmount", number(d.invoice.freight))
    _sub(val, "InsuranceAmount", number(d.invoice.insurance))
    for n, ln in enumerate(d.lines, start=1):
        _item(gs, n, ln)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
