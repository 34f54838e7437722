"""Reading a UN/EDIFACT interchange on top of pydifact's tokenizer and parser (decision 0028): pydifact
splits segments, elements and components and removes release characters; this module adds what it lacks,
the position of every segment and the grouping into messages, so that each error names its place."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.exceptions import ValidationError as PdValidationError
from pydifact.parser import Parser
from pydifact.segments import Segment as PdSegment
from pydifact.segments import SegmentFactory

from haiquan.interchange.errors import EdifactError, Place, Syntax

TAG = re.compile(r"^[A-Z][A-Z0-9]{2}$")
DEFAULT_UNA = ":+.? '"  # component, element, decimal mark, release, reserved, terminator
Element = tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """One segment: `elements[i]` holds the components of element i + 1 (a simple element has one).
    `position`: from UNH = 1 in a message, else in the interchange (UNB = 1); `message_ref`: UNH's 0062."""

    tag: str
    elements: tuple[Element, ...] = ()
    position: int = 0
    message_ref: str | None = None

    @classmethod
    def of(cls, tag: str, *elements: str | Sequence[str] | None) -> Segment:
        """A segment to write: each element a string, a sequence of components, or None (empty)."""
        out: list[Element] = []
        for e in elements:
            if e is None:
                out.append(("",))
            elif isinstance(e, str):
                out.append((e,))
            else:
                out.append(tuple("" if c is None else str(c) for c in e))
        return cls(tag, tuple(out))

    def value(self, element: int, component: int = 1) -> str:
        """The component (1-based positions), "" when absent."""
        if element < 1 or element > len(self.elements):
            return ""
        comps = self.elements[element - 1]
        return comps[component - 1] if 1 <= component <= len(comps) else ""

    def required(self, element: int, component: int = 1, what: str = "value") -> str:
        v = self.value(element, component)
        if not v:
            raise EdifactError.at(self, f"{what} is missing", element=element, component=component,
                                  syntax=Syntax.MISSING)  # fmt: skip
        return v

    def decimal(self, element: int, component: int = 1, what: str = "value") -> Decimal:
        """A number: either decimal mark ('.' or ',') is accepted, as ISO 9735 allows."""
        raw = self.required(element, component, what).replace(",", ".")
        try:
            d = Decimal(raw)
        except InvalidOperation:
            d = Decimal("NaN")
        if not d.is_finite() or raw.startswith(("+", ".")) or "e" in raw.lower():
            raise EdifactError.at(self, f"{what} {raw!r} is not a number", element=element,
                                  component=component, syntax=Syntax.INVALID_DECIMAL)  # fmt: skip
        return d

    @property
    def place(self) -> Place:
        return Place(self.tag, self.position, None, None, self.message_ref)


@dataclass
class Message:
    """UNH ... UNT. `segments` includes UNH and UNT."""

    reference: str
    type: str
    version: str
    release: str
    agency: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def body(self) -> list[Segment]:
        return self.segments[1:-1]

    def expect(self, message_type: str) -> None:
        """Refuse (at UNH's S009) a message of another type than a mapping reads."""
        if self.type != message_type:
            raise EdifactError.at(self.segments[0], f"message type {self.type!r}: {message_type} expected",
                                  element=2, component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


@dataclass
class Interchange:
    """UNB ... UNZ, with the service string advice (UNA) read or defaulted."""

    una: str
    syntax_id: str
    syntax_version: str
    sender: str
    recipient: str
    prepared: str
    control_ref: str
    messages: list[Message] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)  # every segment, UNB to UNZ
    test: bool = False


class _Factory(SegmentFactory):
    """pydifact's factory without its directory check (it warns for the service segments and names no
    position): the envelope and the mappings validate here."""

    @staticmethod
    def create_segment(name: str, *elements: Any, validate: bool = False, **kw: Any) -> PdSegment:
        if elements:
            return SegmentFactory.create_segment(name, *elements, validate=False, **kw)
        with warnings.catch_warnings():  # pydifact warns of a segment without elements (UNS-like tags)
            warnings.simplefilter("ignore", SyntaxWarning)
            return SegmentFactory.create_segment(name, validate=False, **kw)


def _components(e: Any) -> Element:
    if isinstance(e, list):
        return tuple("" if c is None else str(c) for c in e)
    return ("" if e is None else str(e),)


def una_of(text: str) -> str:
    return text[3:9] if text.startswith("UNA") and len(text) >= 9 else DEFAULT_UNA


def _split(body: str, una: str) -> Iterator[tuple[str, tuple[Element, ...]]]:
    """What pydifact reads from a body without any release character, by plain splitting (~10 times
    faster, the same answer: tests/interchange/test_edifact.py compares them): segments end at the
    terminator (spaces and line breaks after it skipped), trailing empty components dropped."""
    component, data, terminator = una[0], una[1], una[5]
    pieces = body.split(terminator)
    for n, piece in enumerate(pieces[:-1], start=1):
        tag, *elements = piece.lstrip(" \r\n").split(data)
        if component in tag or not tag or tag == "UNA":
            raise EdifactError(f"{tag[:10]!r} is not a segment tag here", place=Place(position=n),
                               syntax=Syntax.INVALID_CHARACTER)  # fmt: skip
        out = []
        for e in elements:
            comps = e.split(component)
            while len(comps) > 1 and comps[-1] == "":
                comps.pop()
            out.append(tuple(comps))
        yield tag, tuple(out)


def _raw_segments(text: str) -> Iterator[tuple[str, tuple[Element, ...]]]:
    una = una_of(text)
    body = text[9:].lstrip("\r\n") if text.startswith("UNA") else text
    if una[3] not in body:
        yield from _split(body, una)
        return
    yield from _tokenized(text)


def _tokenized(text: str) -> Iterator[tuple[str, tuple[Element, ...]]]:
    parser = Parser(factory=_Factory(), characters=Characters.from_str(DEFAULT_UNA))
    count = 0
    try:
        for seg in parser.parse(text):
            if seg.tag == "UNA":
                continue
            count += 1
            yield seg.tag, tuple(_components(e) for e in seg.elements)
    except (EDISyntaxError, PdValidationError, ValueError) as exc:
        raise EdifactError(
            str(exc).removeprefix("EDIFACT Syntax Error: ").rstrip("."),
            place=Place(position=count + 1),
            syntax=Syntax.INVALID_CHARACTER,
        ) from None


def read_segments(text: str) -> tuple[str, list[Segment]]:
    """The UNA characters and every segment, numbered from the first after UNA (UNB = 1), not yet grouped."""
    text = text.lstrip("\ufeff\r\n ")
    if not text:
        raise EdifactError("the body is empty", place=Place(position=1), syntax=Syntax.MISSING)
    out: list[Segment] = []
    for n, (tag, elements) in enumerate(_raw_segments(text), start=1):
        if not TAG.match(tag):
            raise EdifactError(f"{tag[:10]!r} is not a segment tag", place=Place(position=n),
                               syntax=Syntax.INVALID_CHARACTER)  # fmt: skip
        out.append(Segment(tag, elements, n))
    una = una_of(text)
    if not _terminated(text.rstrip("\r\n "), una):  # pydifact drops an unterminated last segment silently
        raise EdifactError("the last segment has no terminator", place=Place(position=len(out) + 1),
                           syntax=Syntax.INVALID_CHARACTER)  # fmt: skip
    return una, out


def _terminated(text: str, una: str) -> bool:
    release, terminator = una[3], una[5]
    if not text.endswith(terminator):
        return False
    releases = len(text[:-1]) - len(text[:-1].rstrip(release))
    return releases % 2 == 0


def parse(text: str) -> Interchange:
    """Read and group an interchange; the envelope is checked by `envelope.check` (called here)."""
    from haiquan.interchange import envelope

    una, segments = read_segments(text)
    return envelope.check(una, segments)
