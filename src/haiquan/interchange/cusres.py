"""CUSRES (customs response, D.96B): the answer to a CUSDEC.

Accepted (BGM function 29): the declaration number (RFF+ABT), the broker's functional reference (RFF+ABE),
the lane (GIS, code list LAN: 1 green, 2 yellow, 3 red) and the duties (MOA+161 in VND).
Rejected (BGM function 27): ERP naming the segment tag and position and the element and component,
ERC with the ISO 9735 error code (or 12 for a refusal of content), FTX+AAO with the reason."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from haiquan.declarations.schemas import DeclarationOut
from haiquan.interchange.edifact import Segment
from haiquan.interchange.errors import EdifactError
from haiquan.interchange.writer import Outgoing, number

S = Segment.of
ACCEPTED = "29"
REJECTED = "27"
LANES = {"green": "1", "yellow": "2", "red": "3"}
RESPONSE = "962"  # BGM document code of the response


def plain(text: str) -> str:
    """Free text for a UNOC (ISO 8859-1) partner: Vietnamese and other marks folded to ASCII."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _stamp(at: datetime) -> tuple[str, str, str]:
    return ("137", at.strftime("%Y%m%d%H%M"), "203")


def accepted(out: DeclarationOut, *, functional_reference: str, reference: str, at: datetime) -> Outgoing:
    body = [
        S("BGM", RESPONSE, out.number, ACCEPTED),
        S("DTM", _stamp(out.registered_at or out.lodged_at)),
        S("RFF", ("ABT", out.number)),
        S("RFF", ("ABE", functional_reference)),
        S("GIS", (out.status, "STA")),
    ]
    if out.channel is not None:
        body.append(S("GIS", (LANES[out.channel.value], "LAN", "", out.channel.value)))
    body.append(S("MOA", ("161", number(out.duties.total), "VND")))
    return Outgoing(reference, "CUSRES", body)


def rejected(
    error: EdifactError, *, functional_reference: str, reference: str, at: datetime, code: str
) -> Outgoing:
    p = error.place
    body = [S("BGM", RESPONSE, functional_reference, REJECTED), S("DTM", _stamp(at))]
    if functional_reference:
        body.append(S("RFF", ("ABE", functional_reference)))
    body += [
        S("ERP", ("", str(p.element or ""), str(p.component or "")), (p.tag or "", str(p.position or ""))),
        S("ERC", str(int(error.syntax))),
        S("FTX", "AAO", None, code, plain(error.message)[:350]),
    ]
    return Outgoing(reference, "CUSRES", body)
