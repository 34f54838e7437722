"""A message refused: the precise place (segment tag and position, element, component; or an XPath) and
the ISO 9735 syntax error code (data element 0085) a CONTRL carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from haiquan.kit.domain_errors import DomainError

if TYPE_CHECKING:
    from haiquan.interchange.edifact import Segment


class Syntax(IntEnum):
    """ISO 9735 / UN/EDIFACT data element 0085 'Syntax error, coded' (the codes we answer)."""

    VERSION_NOT_SUPPORTED = 2
    INVALID_VALUE = 12
    MISSING = 13
    VALUE_NOT_SUPPORTED_HERE = 14
    NOT_SUPPORTED_HERE = 15
    TOO_MANY_CONSTITUENTS = 16
    UNSPECIFIED = 18
    INVALID_DECIMAL = 19
    INVALID_CHARACTER = 21
    DUPLICATE = 26
    REFERENCES_DO_NOT_MATCH = 28
    COUNT_DOES_NOT_MATCH = 29
    TOO_MANY_REPETITIONS = 35
    INVALID_TYPE_OF_CHARACTER = 37
    TOO_LONG = 39


@dataclass(frozen=True)
class Place:
    """Where an error is: `position` counts from UNH = 1 inside a message (CONTRL's 0096), else from the
    first segment of the interchange (UNA not counted); element and component count from 1 (0098, 0104)."""

    tag: str | None = None
    position: int | None = None
    element: int | None = None
    component: int | None = None
    message_ref: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.position is not None:
            parts.append(f"segment {self.position}" + (f" ({self.tag})" if self.tag else ""))
        elif self.tag:
            parts.append(f"segment {self.tag}")
        if self.element is not None:
            parts.append(f"element {self.element}")
        if self.component is not None:
            parts.append(f"component {self.component}")
        text = ", ".join(parts) or "interchange"
        return f"message {self.message_ref}: {text}" if self.message_ref else text


class EdifactError(DomainError):
    """An EDIFACT interchange or message refused (422): `field` names the place, `syntax` the 0085 code."""

    status = 422
    code = "edifact_invalid"

    def __init__(self, message: str, *, place: Place, syntax: Syntax = Syntax.INVALID_VALUE) -> None:
        self.place = place
        self.syntax = syntax
        super().__init__(f"{place.describe()}: {message}", field=place.describe())

    @classmethod
    def at(
        cls,
        segment: Segment,
        message: str,
        *,
        element: int | None = None,
        component: int | None = None,
        syntax: Syntax = Syntax.INVALID_VALUE,
    ) -> EdifactError:
        place = Place(segment.tag, segment.position, element, component, segment.message_ref)
        return cls(message, place=place, syntax=syntax)

    def as_dict(self) -> dict[str, Any]:
        p = self.place
        return {
            "tag": p.tag,
            "position": p.position,
            "element": p.element,
            "component": p.component,
            "message_ref": p.message_ref,
            "syntax_error": int(self.syntax),
        }


class XmlError(DomainError):
    """A WCO Data Model XML message refused (422): `field` is the XPath of what is wrong."""

    status = 422
    code = "xml_invalid"

    def __init__(self, message: str, *, xpath: str, errors: list[dict[str, Any]] | None = None) -> None:
        self.xpath = xpath
        super().__init__(f"{xpath}: {message}", field=xpath, errors=errors)


# What an EDIFACT route reads: the interchange as text (ISO 9735 names no media type of its own).
EDIFACT_TYPES = ("application/edifact", "text/plain")


class UnsupportedMediaType(DomainError):
    """The body came with another Content-Type than the route reads (415, problem+json)."""

    status = 415
    code = "unsupported_media_type"
