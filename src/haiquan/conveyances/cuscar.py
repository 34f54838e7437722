"""CUSCAR (customs cargo report, UN/EDIFACT D.96B / D.01B) to and from the cargo module's `ManifestIn`:
the same model, and the same service (haiquan.cargo.service), as the JSON manifest API.

Header: BGM+85 (reference; message function 9 original, 5 replacement), TDT+20 (voyage or flight, mode
1 sea / 4 air, C222 craft name), LOC+9 / LOC+11 (loading, discharge port), LOC+22 (customs location),
DTM+132 (expected arrival, UTC, 203), FTX+AAI "SHORT VOYAGE" (optional). Each bill: CNI (sequence, bill
number), RFF+MB (master bill), NAD+CN (consignee tax code and name), GID (packages and their kind: VL
liquid bulk; VR, VY, VO bulk; any other packages), FTX+AAA (description), FTX+CUS (purpose), PIA+5 (HS
codes), MEA+AAE+G (gross mass, KGM), EQD+CN (container, size-type) with SEL (seal). CNT+2: bills."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from haiquan.cargo.schemas import BillIn, ManifestIn
from haiquan.conveyances.paxlst import MODE_CODES, MODES, when
from haiquan.interchange.edifact import Interchange, Message, Segment
from haiquan.interchange.errors import EdifactError, Syntax
from haiquan.interchange.mapping import Sources, validated
from haiquan.interchange.writer import Outgoing, Writer, number

ORIGINAL, REPLACEMENT = "9", "5"
BULK = {"VL": "liquid", "VR": "bulk", "VY": "bulk", "VO": "bulk"}
SHORT = "SHORT VOYAGE"
CHUNK = 512  # FTX 4440: up to five components of 512 characters


def _head(d: dict[str, Any], src: Sources, seg: Segment) -> None:
    if seg.tag == "TDT":
        d["voyage"], d["mode"] = (
            seg.required(2, 1, "voyage or flight number"),
            MODES.get(seg.value(3, 1), "sea"),
        )
        d["vessel"] = seg.value(8, 4) or seg.value(8, 1)
        src.note("voyage", seg, 2, 1)
        src.note("mode", seg, 3, 1)
        src.note("vessel", seg, 8, 4)
    elif seg.tag == "LOC" and seg.value(1) in ("9", "11", "22"):
        key = {"9": "loading_port", "11": "discharge_port", "22": "location_code"}[seg.value(1)]
        d[key] = seg.required(2, 1, "place")
        src.note(key, seg, 2, 1)
    elif seg.tag == "DTM" and seg.value(1, 1) == "132":
        d["expected_arrival"] = when(seg, "expected arrival")
        src.note("expected_arrival", seg, 1, 2)
    elif seg.tag == "FTX" and seg.value(1) == "AAI" and seg.value(4, 1).upper() == SHORT:
        d["short_voyage"] = True


def _bill(b: dict[str, Any], base: str, src: Sources, seg: Segment) -> None:
    tag, q = seg.tag, seg.value(1, 1)
    if tag == "RFF" and q == "MB":
        b["master_bill"] = seg.required(1, 2, "master bill")
        src.note(f"{base}.master_bill", seg, 1, 2)
    elif tag == "NAD" and q == "CN":
        b["consignee_tax_code"], b["consignee_name"] = seg.value(2, 1) or None, seg.value(4, 1)
        src.note(f"{base}.consignee_tax_code", seg, 2, 1)
        src.note(f"{base}.consignee_name", seg, 4, 1)
    elif tag == "GID":
        b["package_count"] = int(seg.decimal(2, 1, "number of packages"))
        b["cargo_type"] = BULK.get(seg.value(2, 2), "package")
        src.note(f"{base}.package_count", seg, 2, 1)
        src.note(f"{base}.cargo_type", seg, 2, 2)
    elif tag == "FTX" and q in ("AAA", "CUS"):
        text = "".join(seg.elements[3]) if len(seg.elements) > 3 else ""
        b["description" if q == "AAA" else "purpose"] = text
        src.note(f"{base}.{'description' if q == 'AAA' else 'purpose'}", seg, 4, 1)
    elif tag == "PIA":
        b.setdefault("hs_codes", []).append(seg.required(2, 1, "HS code"))
        src.note(f"{base}.hs_codes[{len(b['hs_codes']) - 1}]", seg, 2, 1)
    elif tag == "MEA" and q == "AAE":
        b["gross_mass_kg"] = seg.decimal(3, 2, "gross mass")
        src.note(f"{base}.gross_mass_kg", seg, 3, 2)
    elif tag == "EQD" and q == "CN":
        b.setdefault("containers", []).append(
            {"number": seg.required(2, 1, "container"), "iso_type": seg.value(3, 1)}
        )
        b["cargo_type"] = "container"
        src.note(f"{base}.containers[{len(b['containers']) - 1}]", seg, 2, 1)
    elif tag == "SEL" and b.get("containers"):
        b["containers"][-1]["seal"] = seg.required(1, 1, "seal")
        src.note(f"{base}.containers[{len(b['containers']) - 1}].seal", seg, 1, 1)


def _read_message(msg: Message) -> tuple[dict[str, Any], Sources, bool]:
    bgm = msg.body[0] if msg.body else msg.segments[0]
    if bgm.tag != "BGM" or bgm.value(1, 1) != "85":
        raise EdifactError.at(bgm, "a CUSCAR begins with BGM+85 (customs manifest)", element=1, component=1,
                              syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    src = Sources(anchor=bgm)
    d: dict[str, Any] = {"reference": bgm.required(2, 1, "manifest reference"), "bills": []}
    src.note("reference", bgm, 2, 1)
    bill: dict[str, Any] | None = None
    counted: tuple[int, Segment] | None = None
    for seg in msg.body[1:]:
        if seg.tag == "CNI":
            bill = {"number": seg.required(2, 1, "bill number"), "cargo_type": "package"}
            d["bills"].append(bill)
            src.note(f"bills[{len(d['bills']) - 1}]", seg, 2, 1)
        elif seg.tag == "CNT" and seg.value(1, 1) == "2":
            counted = (int(seg.decimal(1, 2, "number of bills")), seg)
        elif bill is None:
            _head(d, src, seg)
        else:
            _bill(bill, f"bills[{len(d['bills']) - 1}]", src, seg)
    if counted is not None and counted[0] != len(d["bills"]):
        raise EdifactError.at(counted[1], f"CNT counts {counted[0]} bills, the message has {len(d['bills'])}",
                              element=1, component=2, syntax=Syntax.COUNT_DOES_NOT_MATCH)  # fmt: skip
    return d, src, bgm.value(3, 1) == REPLACEMENT


def read(ic: Interchange) -> list[tuple[ManifestIn, Sources, bool]]:
    """Each CUSCAR message as a manifest, the places of its values, and whether it replaces one."""
    out = []
    for m in ic.messages:
        m.expect("CUSCAR")
        d, src, replace = _read_message(m)
        out.append((validated(ManifestIn, d, src), src, replace))
    return out


def _ftx(qualifier: str, text: str) -> Segment:
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    return Segment.of("FTX", qualifier, None, None, chunks)


def _bill_segments(n: int, b: BillIn) -> list[Segment]:
    kind = {"liquid": "VL", "bulk": "VR"}.get(b.cargo_type.value, "PK")
    segs = [Segment.of("CNI", str(n), b.number)]
    if b.master_bill:
        segs.append(Segment.of("RFF", ("MB", b.master_bill)))
    segs += [
        Segment.of("NAD", "CN", [b.consignee_tax_code or ""], None, b.consignee_name),
        Segment.of("GID", str(n), (str(b.package_count), kind)),
        _ftx("AAA", b.description),
        _ftx("CUS", b.purpose.value),
    ]
    segs += [Segment.of("PIA", "5", (hs, "HS")) for hs in b.hs_codes]
    segs.append(Segment.of("MEA", "AAE", "G", ("KGM", number(b.gross_mass_kg))))
    for c in b.containers:
        segs += [Segment.of("EQD", "CN", c.number, c.iso_type), Segment.of("SEL", c.seal)]
    return segs


def body(m: ManifestIn, *, replace: bool = False) -> list[Segment]:
    segs = [
        Segment.of("BGM", "85", m.reference, REPLACEMENT if replace else ORIGINAL),
        Segment.of("TDT", "20", m.voyage, MODE_CODES[m.mode.value], None, None, None, None, ["", "", "", m.vessel]),
        Segment.of("LOC", "9", m.loading_port),
        Segment.of("LOC", "11", m.discharge_port),
        Segment.of("LOC", "22", m.location_code),
        Segment.of("DTM", ("132", m.expected_arrival.astimezone(UTC).strftime("%Y%m%d%H%M"), "203")),
    ]  # fmt: skip
    if m.short_voyage:
        segs.append(_ftx("AAI", SHORT))
    for n, b in enumerate(m.bills, start=1):
        segs += _bill_segments(n, b)
    segs.append(Segment.of("CNT", ("2", str(len(m.bills)))))
    return segs


def write(m: ManifestIn, *, sender: str, control_ref: str, prepared: datetime, replace: bool = False) -> str:
    msg = Outgoing(reference="1", type="CUSCAR", body=body(m, replace=replace), release="96B")
    return Writer().interchange(sender=sender, recipient="VNCUSTOMS", control_ref=control_ref, messages=[msg],
                                prepared=prepared, newline=True)  # fmt: skip
