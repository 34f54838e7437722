"""Reactions of supervision to events. declaration.* keeps the consignment ↔ declaration link and pushes
the new release status to the terminal that holds or expects the goods; supervision.movements_applied
tells declarations that cleared goods have left (the one direct call into declarations)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from haiquan.cargo.tables import ConsignmentRow
from haiquan.declarations import service as declarations
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.supervision import webhooks
from haiquan.supervision.tables import DeclarationLinkRow


def on_declaration(uow: UnitOfWork, event: Event) -> None:
    p = event.payload
    number = str(p.get("number") or "")
    if not number:
        return
    s = uow.session
    link = s.get(DeclarationLinkRow, number, with_for_update=True)
    if link is not None and link.event_seq > event.seq:
        return  # an older event arriving late
    if link is None:
        link = DeclarationLinkRow(number=number, gross_mass_kg=Decimal("0"), updated_at=clock.now())
        s.add(link)
    before = link.status if link.status else None
    old_goods = link.goods_id
    link.goods_id = (p.get("transport_document") or None) and str(p["transport_document"]).strip().upper()
    link.containers = [str(c) for c in p.get("containers") or []]
    link.kind, link.office = str(p.get("kind") or ""), str(p.get("office") or "")
    link.status, link.channel = str(p.get("status") or ""), p.get("channel")
    link.package_count = int(p.get("package_count") or 0)
    link.gross_mass_kg = Decimal(str(p.get("gross_mass_kg") or "0"))
    link.event_seq, link.updated_at = event.seq, clock.now()
    s.flush()
    if before != link.status or old_goods != link.goods_id:
        for goods_id in {g for g in (link.goods_id, old_goods) if g}:
            c = s.scalar(
                select(ConsignmentRow).where(
                    ConsignmentRow.goods_id == goods_id, ConsignmentRow.removed.is_(False)
                )
            )
            if c is not None:
                webhooks.enqueue_status(s, c, cause=f"declaration.{p.get('action', '')}")


def on_movements(uow: UnitOfWork, event: Event) -> None:
    numbers = [n for ex in event.payload.get("exits", []) for n in ex.get("declarations", [])]
    if numbers:
        declarations.mark_exited(uow.session, numbers=numbers, actor=event.actor)


def consumers() -> list[Consumer]:
    return [
        Consumer("supervision.declarations", frozenset(), on_declaration, prefixes=("declaration.",)),
        Consumer("supervision.exits", frozenset({"supervision.movements_applied"}), on_movements),
    ]
