"""What a message mapping shares: the place each input field came from, so that a refusal by the Pydantic
model (or by the service, whose problem names a field) is named at its segment, element and component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from haiquan.interchange.edifact import Segment
from haiquan.interchange.errors import EdifactError, Place, Syntax

M = TypeVar("M", bound=BaseModel)


def dotted(loc: tuple[Any, ...] | list[Any]) -> str:
    """('lines', 0, 'hs_code') -> 'lines[0].hs_code' (the problem+json field form)."""
    out = ""
    for p in loc:
        if isinstance(p, int) or str(p).isdigit():
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


@dataclass
class Sources:
    """Field path ('lines[0].hs_code') -> the segment, element, component it was read from."""

    anchor: Segment  # where an error of the whole message is named (its BGM)
    places: dict[str, tuple[Segment, int | None, int | None]] = field(default_factory=dict)

    def note(self, path: str, seg: Segment, element: int | None = None, component: int | None = None) -> None:
        self.places[path] = (seg, element, component)  # a Place is built only for an error

    def place_of(self, path: str | None) -> Place:
        """The place of `path`, else of its nearest parent ('lines[0]'), else the anchor's."""
        p = path or ""
        while p:
            if p in self.places:
                seg, element, component = self.places[p]
                return Place(seg.tag, seg.position, element, component, seg.message_ref)
            p = _parent(p)
        a = self.anchor
        return Place(a.tag, a.position, None, None, a.message_ref)

    def error(self, path: str | None, message: str, syntax: Syntax = Syntax.INVALID_VALUE) -> EdifactError:
        return EdifactError(message, place=self.place_of(path), syntax=syntax)


def _parent(p: str) -> str:
    """'lines[0].hs_code' -> 'lines[0]' -> 'lines' -> ''."""
    if p.endswith("]"):
        return p[: p.rindex("[")]
    return p.rsplit(".", 1)[0] if "." in p else ""


def validated(model: type[M], data: dict[str, Any], sources: Sources) -> M:
    """`model` from `data`; its first error named where the field came from."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = dotted(first.get("loc", ()))
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise sources.error(path, f"{path or 'message'}: {msg}") from None
