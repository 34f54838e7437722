"""Reactions of the cargo module to other modules' events: the manifest write-off follows the declarations
that name a bill (declarations' catalogue) and the goods wholly out under them (supervision's movements).
Each event is applied once (the dispatcher records it with the change); an event older than the one a
declaration's row last applied (outbox order) is ignored."""

from __future__ import annotations

from decimal import Decimal

from haiquan.cargo.writeoff import COUNTED
from haiquan.cargo.writeoff_tables import WriteoffDeclarationRow, WriteoffGateOutRow
from haiquan.declarations.catalogue import CHANGES
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.supervision.catalogue import SupervisionEvent


def _bill(payload: dict[str, object]) -> str | None:
    doc = payload.get("transport_document")
    return str(doc).strip().upper() if doc else None


def on_declaration(uow: UnitOfWork, event: Event) -> None:
    """A declaration changed: its bill, packages and whether it counts now (registered, not cancelled)."""
    p = event.payload
    number = str(p.get("number") or "")
    if not number:
        return
    s = uow.session
    row = s.get(WriteoffDeclarationRow, number, with_for_update=True)
    goods_id = _bill(p)
    if row is None:
        if goods_id is None:
            return
        row = WriteoffDeclarationRow(number=number, seq=0)
        s.add(row)
    elif row.seq > event.seq:
        return
    row.goods_id = goods_id or row.goods_id
    row.package_count = int(str(p.get("package_count") or 0))
    row.gross_mass_kg = Decimal(str(p.get("gross_mass_kg") or "0"))
    row.status = str(p.get("status") or "")
    row.counted = goods_id is not None and row.status in COUNTED
    row.seq, row.updated_at = event.seq, clock.now()
    s.flush()


def on_movements(uow: UnitOfWork, event: Event) -> None:
    """Goods wholly out of the controlled area under their declarations: the bill is gated out."""
    s = uow.session
    for ex in event.payload.get("exits", []):
        goods_id = str(ex.get("goods_id") or "").strip().upper()
        if goods_id and s.get(WriteoffGateOutRow, (event.id, goods_id)) is None:
            s.add(WriteoffGateOutRow(event_id=event.id, goods_id=goods_id, at=event.occurred_at,
                                     declarations=list(ex.get("declarations", []))))  # fmt: skip
    s.flush()


def consumers() -> list[Consumer]:
    return [
        Consumer("cargo.writeoff_declarations", CHANGES, on_declaration),
        Consumer("cargo.writeoff_gate_outs", frozenset({SupervisionEvent.MOVEMENTS_APPLIED}), on_movements),
    ]
