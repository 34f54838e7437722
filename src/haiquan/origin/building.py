"""An e-Form D built from JSON (the test country node's input, our outgoing certificates): the same fields
as the XSD, in snake_case, in the schema's order. What is missing or wrong is left for the schema to name."""

from __future__ import annotations

from typing import Any

from lxml import etree

from haiquan.origin.eformd import FLAGS, NS, q

PARTY = (("name", "Name"), ("tax_id", "TaxId"), ("address", "Address"), ("country", "Country"))
TRANSPORT = (("departure_date", "DepartureDate"), ("mode", "Mode"), ("vessel_or_flight", "VesselOrFlight"),
             ("port_of_loading", "PortOfLoading"), ("port_of_discharge", "PortOfDischarge"))  # fmt: skip
ITEM_HEAD = (("item_no", "ItemNo"), ("marks", "MarksAndNumbers"), ("package_count", "PackageCount"),
             ("package_kind", "PackageKind"), ("description", "Description"), ("hs_code", "HSCode"),
             ("criterion", "OriginCriterion"), ("rvc_percent", "RVCPercent"))  # fmt: skip
HEAD = (("certificate_no", "CertificateNo"), ("issue_date", "IssueDate"), ("issuing_country", "IssuingCountry"),
        ("issuing_authority", "IssuingAuthority"), ("importing_country", "ImportingCountry"))  # fmt: skip


def _add(parent: etree._Element, name: str, value: Any) -> etree._Element | None:
    if value is None:
        return None
    el = etree.SubElement(parent, q(name))
    el.text = str(value).lower() if isinstance(value, bool) else str(value)
    return el


def _fields(parent: etree._Element, data: dict[str, Any], names: tuple[tuple[str, str], ...]) -> None:
    for key, tag in names:
        _add(parent, tag, data.get(key))


def _party(parent: etree._Element, tag: str, data: dict[str, Any] | None) -> None:
    if data is not None:
        _fields(etree.SubElement(parent, q(tag)), data, PARTY)


def _item(parent: etree._Element, data: dict[str, Any]) -> None:
    item = etree.SubElement(parent, q("Item"))
    _fields(item, data, ITEM_HEAD)
    if "gross_weight_kg" in data:
        _add(item, "GrossWeight", data["gross_weight_kg"]).set("unit", "KGM")  # type: ignore[union-attr]
    else:
        el = _add(item, "Quantity", data.get("quantity"))
        if el is not None:
            el.set("unit", str(data.get("unit", "")))
    fob = _add(item, "FOBValue", data.get("fob_value"))
    if fob is not None:
        fob.set("currency", str(data.get("currency", "USD")))
    _add(item, "InvoiceNo", data.get("invoice_no"))
    _add(item, "InvoiceDate", data.get("invoice_date"))


def build(data: dict[str, Any]) -> bytes:
    """The unsigned EFormD XML of a certificate given as JSON."""
    root = etree.Element(q("EFormD"), nsmap={None: NS})
    _fields(root, data, HEAD)
    _party(root, "Exporter", data.get("exporter"))
    _party(root, "Consignee", data.get("consignee"))
    if data.get("transport") is not None:
        _fields(etree.SubElement(root, q("Transport")), data["transport"], TRANSPORT)
    items = etree.SubElement(root, q("Items"))
    for item in data.get("items", []):
        _item(items, item)
    flags = data.get("flags") or {}
    if flags:
        el = etree.SubElement(root, q("Flags"))
        for tag in FLAGS:
            key = "".join("_" + c.lower() if c.isupper() else c for c in tag).lstrip("_")
            _add(el, tag, flags.get(key))
    _party(root, "ThirdPartyInvoicer", data.get("third_party_invoicer"))
    _add(root, "OriginalCertificateNo", data.get("original_certificate_no"))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def example(number: str = "TH2026-0001234", **over: Any) -> dict[str, Any]:
    """A T-shirt certificate from Thailand to Viet Nam (the docs', the demo's and the tests' example)."""
    data: dict[str, Any] = {
        "certificate_no": number,
        "issue_date": "2026-11-30",
        "issuing_country": "TH",
        "issuing_authority": "Department of Foreign Trade, Ministry of Commerce",
        "importing_country": "VN",
        "exporter": {"name": "Siam Garment Co., Ltd.", "address": "99 Rama IV Rd, Bangkok", "country": "TH"},
        "consignee": {
            "name": "Công ty TNHH Thương mại Minh Anh",
            "tax_id": "0101248141",
            "address": "12 Tràng Tiền, Hà Nội",
            "country": "VN",
        },
        "transport": {
            "departure_date": "2026-12-01",
            "mode": "sea",
            "vessel_or_flight": "MAERSK LIMA 612N",
            "port_of_loading": "THLCH",
            "port_of_discharge": "VNHPH",
        },
        "items": [
            {
                "item_no": 1,
                "marks": "SG/MA 1-50",
                "package_count": 50,
                "package_kind": "cartons",
                "description": "Men's cotton T-shirts, knitted",
                "hs_code": "610910",
                "criterion": "CTH",
                "quantity": "1000",
                "unit": "PCE",
                "fob_value": "3800",
                "currency": "USD",
                "invoice_no": "SG-INV-8841",
                "invoice_date": "2026-11-28",
            }
        ],
        "flags": {"third_country_invoicing": False, "back_to_back": False},
    }
    return data | over
