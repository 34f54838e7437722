"""Until the interchange core ships its `mapping` module: the place each input field came from, so that a
refusal by the model or the service is named at its segment, element and component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from haiquan.interchange.edifact import Segment
from haiquan.interchange.errors import EdifactError, Place, Syntax

M = TypeVar("M", bound=BaseModel)


def dotted(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


@dataclass
class Sources:
    anchor: Segment
    places: dict[str, Place] = field(default_factory=dict)

    def note(self, path: str, seg: Segment, element: int | None = None, component: int | None = None) -> None:
        self.places[path] = Place(seg.tag, seg.position, element, component, seg.message_ref)

    def place_of(self, path: str | None) -> Place:
        p = path or ""
        while p:
            if p in self.places:
                return self.places[p]
            p = p[: p.rindex("[")] if p.endswith("]") else (p.rsplit(".", 1)[0] if "." in p else "")
        a = self.anchor
        return Place(a.tag, a.position, None, None, a.message_ref)

    def error(self, path: str | None, message: str, syntax: Syntax = Syntax.INVALID_VALUE) -> EdifactError:
        return EdifactError(message, place=self.place_of(path), syntax=syntax)


def validated(model: type[M], data: dict[str, Any], sources: Sources) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = dotted(first.get("loc", ()))
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise sources.error(path, f"{path or 'message'}: {msg}") from None
