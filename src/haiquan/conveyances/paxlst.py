"""PAXLST (passenger and crew list, UN/EDIFACT D.02B / D.05B as the WCO/IATA/ICAO API guidelines use it)
to and from a `ConveyanceIn`. One interchange reports one flight or voyage: a message with BGM 745 lists
passengers (NAD+FL), one with BGM 250 the crew (NAD+FM). Each value read is noted with its segment,
element and component, so that a refusal (by the model or by the service) names its place.

Segments read, per message: BGM (document 745/250, reference), TDT (voyage/flight, mode, carrier,
craft), LOC+125/+87 with DTM+189/+232 (departure and arrival, UTC, format 203 or 201), then for each
person NAD, ATT+2 (sex), DTM+329 (birth), LOC+178/+179 (embarkation, disembarkation), NAT+2, RFF+SEA
(seat), DOC (type, number), DTM+36 (expiry), LOC+91 (issuing state); CNT+42 / CNT+41 (counts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from haiquan.conveyances.schemas import ConveyanceIn, PersonIn
from haiquan.interchange.edifact import Interchange, Message, Segment
from haiquan.interchange.errors import EdifactError, Syntax
from haiquan.interchange.mapping import Sources, validated
from haiquan.interchange.writer import Outgoing, Writer

PASSENGER_LIST, CREW_LIST = "745", "250"
MODES = {"1": "sea", "4": "air"}
MODE_CODES = {v: k for k, v in MODES.items()}
RELEASE = "05B"


def when(seg: Segment, what: str) -> datetime | date:
    """DTM's C507: 203 CCYYMMDDHHMM and 201 YYMMDDHHMM (UTC), 102 CCYYMMDD and 101 YYMMDD (dates)."""
    raw, fmt = seg.required(1, 2, what), seg.value(1, 3) or "203"
    patterns = {"203": "%Y%m%d%H%M", "201": "%y%m%d%H%M", "102": "%Y%m%d", "101": "%y%m%d"}
    if fmt not in patterns:
        raise EdifactError.at(seg, f"date format {fmt!r} is not 203, 201, 102 or 101", element=1, component=3,
                              syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    try:
        moment = datetime.strptime(raw, patterns[fmt])
    except ValueError:
        raise EdifactError.at(seg, f"{what} {raw!r} does not follow format {fmt}", element=1, component=2,
                              syntax=Syntax.INVALID_VALUE) from None  # fmt: skip
    return moment.replace(tzinfo=UTC) if fmt in ("203", "201") else moment.date()


@dataclass
class _Reading:
    sources: Sources
    data: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"passengers": [], "crew": []})
    counts: dict[str, int] = field(default_factory=dict)


def _header(r: _Reading, seg: Segment) -> None:
    d, note = r.data, r.sources.note
    if seg.tag == "TDT":
        d["voyage"], d["mode"] = (
            seg.required(2, 1, "voyage or flight number"),
            MODES.get(seg.value(3, 1), "air"),
        )
        d["craft_id"], d["craft_name"] = seg.value(8, 1) or seg.value(2, 1), seg.value(8, 4)
        note("voyage", seg, 2, 1)
        note("mode", seg, 3, 1)
        note("craft_id", seg, 8, 1)
    elif seg.tag == "LOC" and seg.value(1) in ("125", "87"):
        key = "departure_port" if seg.value(1) == "125" else "arrival_port"
        d[key] = seg.required(2, 1, "place")
        note(key, seg, 2, 1)
    elif seg.tag == "DTM" and seg.value(1, 1) in ("189", "232"):
        d.setdefault("times", {})[seg.value(1, 1)] = (when(seg, "date and time"), seg)


def _person(r: _Reading, key: str, seg: Segment, p: dict[str, Any]) -> None:
    i = len(r.lists[key]) - 1
    base, note = f"{key}[{i}]", r.sources.note
    if seg.tag == "ATT" and seg.value(1) == "2":
        p["sex"] = seg.value(3, 1) or "X"
        note(f"{base}.sex", seg, 3, 1)
    elif seg.tag == "DTM" and seg.value(1, 1) in ("329", "36"):
        name = "date_of_birth" if seg.value(1, 1) == "329" else "document_expiry"
        p[name] = when(seg, name.replace("_", " "))
        note(f"{base}.{name}", seg, 1, 2)
    elif seg.tag == "LOC" and seg.value(1) in ("178", "179", "91"):
        name = {"178": "embarkation_port", "179": "disembarkation_port", "91": "document_country"}[
            seg.value(1)
        ]
        p[name] = seg.required(2, 1, "place")
        note(f"{base}.{name}", seg, 2, 1)
    elif seg.tag == "NAT":
        p["nationality"] = seg.required(2, 1, "nationality")
        note(f"{base}.nationality", seg, 2, 1)
    elif seg.tag == "RFF" and seg.value(1, 1) == "SEA":
        p["seat"] = seg.value(1, 2)
        note(f"{base}.seat", seg, 1, 2)
    elif seg.tag == "DOC":
        p["document_type"], p["document_number"] = (
            seg.required(1, 1, "document type"),
            seg.required(2, 1, "document number"),
        )
        note(f"{base}.document_type", seg, 1, 1)
        note(f"{base}.document_number", seg, 2, 1)


def _message(r: _Reading, msg: Message) -> None:
    bgm = msg.body[0] if msg.body else msg.segments[0]
    kind = bgm.value(1, 1) if bgm.tag == "BGM" else ""
    if kind not in (PASSENGER_LIST, CREW_LIST):
        raise EdifactError.at(bgm, "a PAXLST begins with BGM+745 (passengers) or BGM+250 (crew)", element=1,
                              component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    key = "passengers" if kind == PASSENGER_LIST else "crew"
    if bgm.value(2, 1):
        r.data["reference"] = bgm.value(2, 1)
        r.sources.note("reference", bgm, 2, 1)
    person: dict[str, Any] | None = None
    for seg in msg.body[1:]:
        if seg.tag == "NAD" and seg.value(1) in ("FL", "FM"):
            family = seg.required(4, 1, "family name")
            given = " ".join(x for x in (seg.value(4, 2), seg.value(4, 3)) if x)
            person = {"family_name": family, "given_names": given}
            r.lists[key].append(person)
            r.sources.note(f"{key}[{len(r.lists[key]) - 1}]", seg, 4, 1)
        elif seg.tag == "CNT" and seg.value(1, 1) in ("41", "42"):
            name = "crew_count" if seg.value(1, 1) == "41" else "passenger_count"
            r.counts[name] = int(seg.decimal(1, 2, "count"))
            r.sources.note(name, seg, 1, 2)
        elif person is None:
            _header(r, seg)
        else:
            _person(r, key, seg, person)


def _moments(r: _Reading) -> None:
    times = r.data.pop("times", {})
    port = r.data.get("arrival_port", "")
    r.data["direction"] = "arrival" if port.startswith("VN") else "departure"
    code = "232" if r.data["direction"] == "arrival" else "189"
    if code not in times:
        raise r.sources.error("scheduled_at", f"DTM+{code} (scheduled {r.data['direction']}) is missing",
                              Syntax.MISSING)  # fmt: skip
    moment, seg = times[code]
    r.data["scheduled_at"] = moment
    r.sources.note("scheduled_at", seg, 1, 2)


def read(
    ic: Interchange, *, kept_of: Callable[[str], dict[str, list[dict[str, Any]]] | None] | None = None
) -> tuple[ConveyanceIn, Sources]:
    """The report an interchange of PAXLST messages carries. `kept_of(reference)`: the lists of a report
    already held under that reference, used for the kind (passengers or crew) this interchange lacks."""
    first = ic.messages[0]
    for m in ic.messages:
        m.expect("PAXLST")
    r = _Reading(Sources(anchor=first.body[0] if first.body else first.segments[0]))
    carried = set()
    for m in ic.messages:
        _message(r, m)
        carried.add("passengers" if m.body and m.body[0].value(1, 1) == PASSENGER_LIST else "crew")
    _moments(r)
    r.data.setdefault("reference", f"{r.data.get('voyage', '')}-{r.data['scheduled_at']:%Y%m%d}")
    kept = (kept_of(str(r.data["reference"])) if kept_of else None) or {}
    for key in ("passengers", "crew"):
        held = r.lists[key] if key in carried else kept.get(key, [])
        r.data[key] = held
        count = "passenger_count" if key == "passengers" else "crew_count"
        r.data[count] = r.counts.get(count, len(held)) if key in carried else len(held)
    return validated(ConveyanceIn, r.data, r.sources), r.sources


def _dtm(code: str, value: datetime | date) -> Segment:
    if isinstance(value, datetime):
        return Segment.of("DTM", (code, value.astimezone(UTC).strftime("%Y%m%d%H%M"), "203"))
    return Segment.of("DTM", (code, value.strftime("%Y%m%d"), "102"))


def _person_segments(p: PersonIn, party: str) -> list[Segment]:
    given = p.given_names.split(" ", 1) if p.given_names else []
    segs = [
        Segment.of("NAD", party, None, None, [p.family_name, *given]),
        Segment.of("ATT", "2", None, p.sex.value),
    ]
    if p.date_of_birth:
        segs.append(_dtm("329", p.date_of_birth))
    segs += [
        Segment.of("LOC", code, port)
        for code, port in (("178", p.embarkation_port), ("179", p.disembarkation_port))
        if port
    ]
    segs.append(Segment.of("NAT", "2", p.nationality))
    if p.seat:
        segs.append(Segment.of("RFF", ("SEA", p.seat)))
    segs.append(Segment.of("DOC", p.document_type.value, p.document_number))
    if p.document_expiry:
        segs.append(_dtm("36", p.document_expiry))
    segs.append(Segment.of("LOC", "91", p.document_country))
    return segs


def _body(data: ConveyanceIn, kind: str) -> list[Segment]:
    people, party, cnt = (data.passengers, "FL", "42") if kind == PASSENGER_LIST else (data.crew, "FM", "41")
    carrier = data.voyage[:2] if data.mode == "air" else ""
    body = [
        Segment.of("BGM", kind, data.reference),
        Segment.of("TDT", "20", data.voyage, MODE_CODES[data.mode.value], None, carrier, None, None,
                   [data.craft_id, "", "", data.craft_name]),
        Segment.of("LOC", "125", data.departure_port),
    ]  # fmt: skip
    if data.direction == "departure":
        body.append(_dtm("189", data.scheduled_at))
    body.append(Segment.of("LOC", "87", data.arrival_port))
    if data.direction == "arrival":
        body.append(_dtm("232", data.scheduled_at))
    for p in people:
        body += _person_segments(p, party)
    body.append(Segment.of("CNT", (cnt, str(len(people)))))
    return body


def write(data: ConveyanceIn, *, sender: str, control_ref: str, prepared: datetime) -> str:
    """A PAXLST interchange: one message of passengers, one of crew."""
    messages = [
        Outgoing(reference=f"{control_ref[-8:]}{n}", type="PAXLST", body=_body(data, kind), release=RELEASE)
        for n, kind in ((1, PASSENGER_LIST), (2, CREW_LIST))
    ]
    return Writer().interchange(sender=sender, recipient="VNCUSTOMS", control_ref=control_ref, messages=messages,
                                prepared=prepared, newline=True)  # fmt: skip
