"""Reactions of supervision to events. declaration.* keeps the consignment ↔ declaration link and pushes
the new release status to the terminal that holds or expects the goods; supervision.movements_applied
tells declarations that cleared goods have left (the one direct call into declarations)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow
from haiquan.declarations import service as declarations
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork, among
from haiquan.kit.outbox import Consumer, Event
from haiquan.supervision import webhooks
from haiquan.supervision.tables import DeclarationLinkRow


def _number(event: Event) -> str:
    return str(event.payload.get("number") or "")


def on_declaration(uow: UnitOfWork, event: Event) -> None:
    number = _number(event)
    if not number:
        return
    s = uow.session
    link = s.get(DeclarationLinkRow, number, with_for_update=True)
    _keep_link(s, event, number, link)
    s.flush()


def on_declarations(uow: UnitOfWork, events: list[Event]) -> None:
    """A chunk at once: the links read (and locked) in one query, written by one flush at commit."""
    s = uow.session
    numbers = sorted({n for n in map(_number, events) if n})
    links: dict[str, DeclarationLinkRow | None] = {}
    if numbers:
        q = select(DeclarationLinkRow).where(among(s, DeclarationLinkRow.number, numbers)).with_for_update()
        links = {link.number: link for link in s.scalars(q)}
    goods = {_goods_id(ev.payload) for ev in events} | {link.goods_id for link in links.values() if link}
    wanted = sorted(g for g in goods if g)
    held: dict[str, ConsignmentRow] = {}
    if wanted:
        cq = select(ConsignmentRow).where(
            among(s, ConsignmentRow.goods_id, wanted), ConsignmentRow.removed.is_(False)
        )
        held = {str(c.goods_id): c for c in s.scalars(cq)}
    for ev in events:  # no query per event: the links are flushed before a status is read for a push
        number = _number(ev)
        if number:
            links[number] = _keep_link(s, ev, number, links.get(number), held)


def _goods_id(p: dict[str, object]) -> str | None:
    doc = p.get("transport_document")
    return str(doc).strip().upper() if doc else None


def _keep_link(
    s: Session,
    event: Event,
    number: str,
    link: DeclarationLinkRow | None,
    held: dict[str, ConsignmentRow] | None = None,
) -> DeclarationLinkRow:
    """The link as the event leaves it; a new status or goods is pushed to the terminal. `held`: the
    consignments of the chunk's goods, read at once (else each is read here)."""
    p = event.payload
    if link is not None and link.event_seq > event.seq:
        return link  # an older event arriving late
    if link is None:
        link = DeclarationLinkRow(number=number, gross_mass_kg=Decimal("0"), updated_at=clock.now())
        s.add(link)
    before = link.status if link.status else None
    old_goods = link.goods_id
    link.goods_id = _goods_id(p)
    link.containers = [str(c) for c in p.get("containers") or []]
    link.kind, link.office = str(p.get("kind") or ""), str(p.get("office") or "")
    link.status, link.channel = str(p.get("status") or ""), p.get("channel")
    link.package_count = int(p.get("package_count") or 0)
    link.gross_mass_kg = Decimal(str(p.get("gross_mass_kg") or "0"))
    link.event_seq, link.updated_at = event.seq, clock.now()
    if before != link.status or old_goods != link.goods_id:
        for goods_id in {g for g in (link.goods_id, old_goods) if g}:
            c = held.get(goods_id) if held is not None else _consignment(s, goods_id)
            if c is not None:
                s.flush()  # the status pushed is read from the links, this one included
                webhooks.enqueue_status(s, c, cause=f"declaration.{p.get('action', '')}")
    return link


def _consignment(s: Session, goods_id: str) -> ConsignmentRow | None:
    q = select(ConsignmentRow).where(ConsignmentRow.goods_id == goods_id, ConsignmentRow.removed.is_(False))
    return s.scalar(q)


def on_movements(uow: UnitOfWork, event: Event) -> None:
    numbers = [n for ex in event.payload.get("exits", []) for n in ex.get("declarations", [])]
    if numbers:
        declarations.mark_exited(uow.session, numbers=numbers, actor=event.actor)


def consumers() -> list[Consumer]:
    return [
        Consumer(
            "supervision.declarations",
            frozenset(),
            on_declaration,
            prefixes=("declaration.",),
            many=on_declarations,
        ),
        Consumer("supervision.exits", frozenset({"supervision.movements_applied"}), on_movements),
    ]
