"""The service segments of an interchange (ISO 9735 v3/v4): UNB ... (UNH ... UNT)* ... UNZ.

Checked: UNB first, a syntax identifier and version we read (UNOA-UNOY, 2-4), the control reference
present; each UNH names a message type, directory version D and a release; the UNT's segment count and
reference match its message; the UNZ's message count and control reference match the interchange;
nothing outside a message but UNB and UNZ; functional groups (UNG/UNE) refused."""

from __future__ import annotations

from dataclasses import replace

from haiquan.interchange.edifact import Interchange, Message, Segment
from haiquan.interchange.errors import EdifactError, Place, Syntax

SYNTAX_IDS = frozenset({"UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOF", "UNOW", "UNOY"})
SYNTAX_VERSIONS = frozenset({"2", "3", "4"})
# the releases whose messages the mappings read (D.96B and D.01B of the UN directories)
RELEASES = frozenset({"96B", "01B"})
# service messages carry the syntax version as their release (CONTRL:D:3:UN)
SERVICE_RELEASES = {"CONTRL": frozenset({"3", "4"})}
# PAXLST follows the WCO/IATA/ICAO API guidelines, written on D.02B and D.05B (conveyances.paxlst)
SERVICE_RELEASES["PAXLST"] = frozenset({"02B", "05B"})


def _count(seg: Segment, element: int, what: str) -> int:
    raw = seg.required(element, 1, what)
    if not raw.isdigit():
        raise EdifactError.at(seg, f"{what} {raw!r} is not a number", element=element, component=1,
                              syntax=Syntax.INVALID_TYPE_OF_CHARACTER)  # fmt: skip
    return int(raw)


def _header(una: str, unb: Segment) -> Interchange:
    if unb.tag != "UNB":
        raise EdifactError.at(unb, "an interchange begins with UNB (after an optional UNA)",
                              syntax=Syntax.MISSING)  # fmt: skip
    syntax_id = unb.required(1, 1, "syntax identifier")
    if syntax_id not in SYNTAX_IDS:
        raise EdifactError.at(unb, f"syntax identifier {syntax_id!r} is not one of {sorted(SYNTAX_IDS)}",
                              element=1, component=1, syntax=Syntax.VERSION_NOT_SUPPORTED)  # fmt: skip
    version = unb.required(1, 2, "syntax version")
    if version not in SYNTAX_VERSIONS:
        raise EdifactError.at(unb, f"syntax version {version!r} is not 2, 3 or 4", element=1,
                              component=2, syntax=Syntax.VERSION_NOT_SUPPORTED)  # fmt: skip
    return Interchange(
        una=una,
        syntax_id=syntax_id,
        syntax_version=version,
        sender=unb.required(2, 1, "interchange sender"),
        recipient=unb.required(3, 1, "interchange recipient"),
        prepared=f"{unb.required(4, 1, 'date of preparation')}:{unb.required(4, 2, 'time of preparation')}",
        control_ref=unb.required(5, 1, "interchange control reference"),
        test=unb.value(11) == "1",
        segments=[unb],
    )


def _open(unh: Segment) -> Message:
    ref = unh.required(1, 1, "message reference number")
    msg = Message(
        reference=ref,
        type=unh.required(2, 1, "message type"),
        version=unh.required(2, 2, "message version"),
        release=unh.required(2, 3, "message release"),
        agency=unh.required(2, 4, "controlling agency"),
    )
    head = replace(unh, position=1, message_ref=ref)
    if msg.version != "D":
        raise EdifactError.at(head, f"message version {msg.version!r} is not D (a directory)", element=2,
                              component=2, syntax=Syntax.VERSION_NOT_SUPPORTED)  # fmt: skip
    releases = SERVICE_RELEASES.get(msg.type, RELEASES)
    if msg.release not in releases:
        raise EdifactError.at(head, f"release {msg.release!r} is not one of {sorted(releases)}",
                              element=2, component=3, syntax=Syntax.VERSION_NOT_SUPPORTED)  # fmt: skip
    msg.segments.append(head)
    return msg


def _close(msg: Message, unt: Segment) -> None:
    n = _count(unt, 1, "number of segments in the message")
    if n != len(msg.segments):
        raise EdifactError.at(unt, f"UNT counts {n} segments, the message has {len(msg.segments)} "
                              "(UNH and UNT included)", element=1, component=1,
                              syntax=Syntax.COUNT_DOES_NOT_MATCH)  # fmt: skip
    ref = unt.required(2, 1, "message reference number")
    if ref != msg.reference:
        raise EdifactError.at(unt, f"UNT reference {ref!r} is not the UNH's {msg.reference!r}", element=2,
                              component=1, syntax=Syntax.REFERENCES_DO_NOT_MATCH)  # fmt: skip


def _trailer(ic: Interchange, unz: Segment) -> None:
    n = _count(unz, 1, "interchange control count")
    if n != len(ic.messages):
        raise EdifactError.at(unz, f"UNZ counts {n} messages, the interchange has {len(ic.messages)}",
                              element=1, component=1, syntax=Syntax.COUNT_DOES_NOT_MATCH)  # fmt: skip
    ref = unz.required(2, 1, "interchange control reference")
    if ref != ic.control_ref:
        raise EdifactError.at(unz, f"UNZ reference {ref!r} is not the UNB's {ic.control_ref!r}",
                              element=2, component=1, syntax=Syntax.REFERENCES_DO_NOT_MATCH)  # fmt: skip


def _begin(seg: Segment, open_msg: Message | None, refs: set[str]) -> Message:
    if open_msg is not None:
        raise EdifactError.at(seg, f"message {open_msg.reference} has no UNT before this UNH",
                              syntax=Syntax.MISSING)  # fmt: skip
    msg = _open(seg)
    if msg.reference in refs:
        raise EdifactError.at(msg.segments[0], f"message reference {msg.reference!r} used twice",
                              element=1, component=1, syntax=Syntax.DUPLICATE)  # fmt: skip
    refs.add(msg.reference)
    return msg


def _end(ic: Interchange, msg: Message | None, count: int) -> None:
    if msg is not None:
        raise EdifactError(f"message {msg.reference} has no UNT", place=Place("UNT", message_ref=msg.reference),
                           syntax=Syntax.MISSING)  # fmt: skip
    if ic.segments[-1].tag != "UNZ":
        raise EdifactError("the interchange has no UNZ", place=Place("UNZ", count + 1), syntax=Syntax.MISSING)
    if not ic.messages:
        raise EdifactError("the interchange holds no message", place=Place("UNH"), syntax=Syntax.MISSING)


def check(una: str, segments: list[Segment]) -> Interchange:
    """Group `segments` (numbered in the interchange) into messages numbered from their UNH."""
    ic = _header(una, segments[0])
    msg: Message | None = None
    refs: set[str] = set()
    for seg in segments[1:]:
        if ic.segments[-1].tag == "UNZ":
            raise EdifactError.at(seg, "nothing may follow UNZ", syntax=Syntax.NOT_SUPPORTED_HERE)
        ic.segments.append(seg)
        if seg.tag == "UNH":
            msg = _begin(seg, msg, refs)
        elif msg is not None:
            inner = replace(seg, position=len(msg.segments) + 1, message_ref=msg.reference)
            msg.segments.append(inner)
            if seg.tag == "UNT":
                _close(msg, inner)
                ic.messages.append(msg)
                msg = None
        elif seg.tag == "UNZ":
            _trailer(ic, seg)
        else:
            raise EdifactError.at(seg, f"{seg.tag} outside a message (UNG/UNE groups are not read)",
                                  syntax=Syntax.NOT_SUPPORTED_HERE)  # fmt: skip
    _end(ic, msg, len(segments))
    return ic
