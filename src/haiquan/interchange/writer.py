"""Writing EDIFACT: segments escaped with the release character (pydifact's serializer escapes), trailing
empty elements and components dropped, and whole interchanges with their UNH/UNT and UNB/UNZ counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydifact.control.characters import Characters
from pydifact.serializer import Serializer

from haiquan.interchange.edifact import DEFAULT_UNA, Segment


@dataclass(frozen=True)
class Outgoing:
    """A message to write: its type and release and its body (between UNH and UNT)."""

    reference: str
    type: str
    body: Sequence[Segment]
    release: str = "96B"
    version: str = "D"
    agency: str = "UN"
    association: str | None = None  # UNH S009 0057 (e.g. a CONTRL's version 3)


class Writer:
    def __init__(self, una: str = DEFAULT_UNA) -> None:
        self.una = una
        self.chars = Characters.from_str(una)
        self._serializer = Serializer(self.chars)

    def segment(self, seg: Segment) -> str:
        c = self.chars
        elements = [list(comps) for comps in seg.elements]
        for comps in elements:
            while len(comps) > 1 and comps[-1] == "":
                comps.pop()
        while elements and elements[-1] == [""]:
            elements.pop()
        text = c.data_separator.join(
            [seg.tag] + [c.component_separator.join(self._serializer.escape(v) for v in e) for e in elements]
        )
        return text + c.segment_terminator

    def segments(self, segs: Sequence[Segment], *, newline: bool = False) -> str:
        return ("\n" if newline else "").join(self.segment(s) for s in segs)

    def interchange(
        self,
        *,
        sender: str,
        recipient: str,
        control_ref: str,
        messages: Sequence[Outgoing],
        prepared: datetime,
        syntax: tuple[str, str] = ("UNOC", "3"),
        newline: bool = False,
    ) -> str:
        """UNA, UNB, each message between UNH and UNT (counted), UNZ (counted)."""
        segs = [Segment.of("UNB", syntax, sender, recipient,
                           (prepared.strftime("%y%m%d"), prepared.strftime("%H%M")), control_ref)]  # fmt: skip
        for m in messages:
            ident = [m.type, m.version, m.release, m.agency] + ([m.association] if m.association else [])
            segs.append(Segment.of("UNH", m.reference, ident))
            segs.extend(m.body)
            segs.append(Segment.of("UNT", str(len(m.body) + 2), m.reference))
        segs.append(Segment.of("UNZ", str(len(messages)), control_ref))
        sep = "\n" if newline else ""
        return f"UNA{self.una}{sep}" + self.segments(segs, newline=newline)


def number(value: object) -> str:
    """A decimal for EDIFACT: plain notation, '.' as the decimal mark, no exponent, no trailing zeros."""
    d = Decimal(str(value))
    text = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f").rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
