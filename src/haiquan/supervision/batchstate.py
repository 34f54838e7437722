"""The state of one batch of terminal messages while it is applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from haiquan.supervision.catalogue import Exit, GateIn, GateOut
from haiquan.supervision.domain import DeclarationFacts
from haiquan.supervision.schemas import MessageResult
from haiquan.supervision.tables import LocationRow, OperatorRow, TransitRow


@dataclass
class Incoming:
    """A message as received: the raw form (kept for review) and, for XML, the signature check's errors."""

    raw: Any
    errors: list[dict[str, Any]] = field(default_factory=list)
    message_id: str | None = None
    review_text: str | None = None


@dataclass
class Goods:
    consignment_id: str
    goods_id: str
    purpose: str
    packages: int
    unit: str
    container: str
    manifest_seal: str
    item: dict[str, Any] | None  # the sv_items row as a dict, None before gate-in
    new: bool = False
    dirty: bool = False


@dataclass
class Batch:
    operator: OperatorRow
    locations: dict[str, LocationRow]
    now: datetime
    signed: bool
    fmt: str
    results: list[MessageResult] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    goods: dict[tuple[str, str], Goods] = field(default_factory=dict)  # (container or '', goods_id or '')
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (consignment, container)
    containers_of: dict[str, list[str]] = field(default_factory=dict)
    declarations: dict[str, list[DeclarationFacts]] = field(default_factory=dict)
    transits: dict[str, list[TransitRow]] = field(default_factory=dict)
    exits: list[Exit] = field(default_factory=list)
    gate_ins: list[GateIn] = field(default_factory=list)  # the facts the read models need
    gate_outs: list[GateOut] = field(default_factory=list)


class MessageError(Exception):
    """A message that cannot be applied: answered with this error and kept for review."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.error = {"field": field, "code": code, "message": message}
