"""Writing a `DeclarationIn` as a CUSDEC (the inverse of cusdec.read): what a broker's system sends, used
by the round-trip tests, the benchmark and the examples in docs/interchange.md."""

from __future__ import annotations

from haiquan.declarations.schemas import DeclarationIn, LineIn, Party
from haiquan.interchange.cusdec import KIND_DOC, MODE_CODE, ORIGINAL
from haiquan.interchange.edifact import Segment
from haiquan.interchange.writer import Outgoing, number

S = Segment.of


def _party(qualifier: str, p: Party | None) -> list[Segment]:
    if p is None:
        return []
    return [S("NAD", qualifier, p.tax_code or "", None, p.name, None, None, None, None, p.country)]


def _line(n: int, ln: LineIn) -> list[Segment]:
    out = [
        S("CST", str(n), (ln.hs_code, "HS")),
        S("FTX", "AAA", None, None, ln.description),
        S("LOC", "27", ln.origin_country),
        S("QTY", ("47", number(ln.quantity), ln.quantity_unit)),
        S("MEA", "AAE", "AAL", ("KGM", number(ln.net_mass_kg))),
        S("MOA", ("38", number(ln.value))),
    ]
    if ln.preference is not None:
        out.append(S("DOC", ("861", "", "", ln.preference.scheme), ln.preference.certificate or ""))
        if ln.preference.criterion:
            out.append(S("GIS", (ln.preference.criterion, "ORC")))
    return out


def body(d: DeclarationIn, *, functional_reference: str) -> list[Segment]:
    inv = d.invoice
    doc = "AWB" if d.transport_mode == "air" else "BM"
    segs = [
        S("BGM", KIND_DOC[d.kind.value], functional_reference, ORIGINAL),
        S("GIS", (d.procedure_code, "VNP")),
        S("GIS", (d.category.value, "CAT")),
        S("LOC", "22", d.office),
        S("TDT", "11", None, MODE_CODE[d.transport_mode]),
    ]
    if d.transport_document:
        segs.append(S("RFF", (doc, d.transport_document)))
    segs += _party("IM", d.importer) + _party("EX", d.exporter)
    segs += [
        S("MOA", ("39", number(inv.amount), inv.currency)),
        S("MOA", ("64", number(inv.freight))),
        S("MOA", ("67", number(inv.insurance))),
        S("TOD", "6", None, inv.incoterm),
        S("MEA", "AAE", "G", ("KGM", number(d.gross_mass_kg))),
        S("PAC", str(d.package_count)),
    ]
    segs += [S("EQD", "CN", c) for c in d.containers]
    segs.append(S("UNS", "D"))
    for n, ln in enumerate(d.lines, start=1):
        segs += _line(n, ln)
    return [*segs, S("UNS", "S"), S("CNT", ("5", str(len(d.lines))))]


def message(d: DeclarationIn, *, reference: str, functional_reference: str, release: str = "96B") -> Outgoing:
    return Outgoing(reference, "CUSDEC", body(d, functional_reference=functional_reference), release=release)
