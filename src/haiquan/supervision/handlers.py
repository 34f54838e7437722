"""Reactions of supervision to events. Each change of a declaration (declarations.catalogue.CHANGES) keeps
the consignment ↔ declaration link and pushes the new release status to the terminal that holds or expects
the goods (`cause`: the event's type); supervision.movements_applied tells declarations that cleared goods
have left (the one direct call into declarations)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow
from haiquan.declarations import service as declarations
from haiquan.declarations.catalogue import CHANGES
from haiquan.declarations.notifications import on_declaration_events
from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork, among, pg_array
from haiquan.kit.outbox import Consumer, Event
from haiquan.supervision import transit_work, webhooks
from haiquan.supervision.catalogue import TRANSIT_NOTIFIED, SupervisionEvent
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
    """A chunk at once. The links the chunk touches are read and locked in one query; a declaration whose
    goods a terminal holds (old goods or new) goes through `_keep_link` event by event, as its new status is
    pushed; every other link is written in its final state by one upsert (no ORM object per link)."""
    s = uow.session
    numbers = sorted({n for n in map(_number, events) if n})
    if not numbers:
        return
    q = select(_LINK.number, _LINK.goods_id, _LINK.event_seq).where(among(s, _LINK.number, numbers))
    known = {n: (g, seq) for n, g, seq in s.execute(q.with_for_update())}
    goods = {_goods_id(ev.payload) for ev in events} | {g for g, _ in known.values()}
    wanted = sorted(g for g in goods if g)
    held: dict[str, ConsignmentRow] = {}
    if wanted:
        cq = select(ConsignmentRow).where(
            among(s, ConsignmentRow.goods_id, wanted), ConsignmentRow.removed.is_(False)
        )
        held = {str(c.goods_id): c for c in s.scalars(cq)}
    pushed = {n for n, (g, _) in known.items() if g in held}
    pushed |= {_number(ev) for ev in events if _goods_id(ev.payload) in held}
    final: dict[str, dict[str, Any]] = {}
    latest = {n: seq for n, (_, seq) in known.items()}
    for ev in events:  # in the chunk's order; an event older than the link's is ignored
        number = _number(ev)
        if number and number not in pushed and latest.get(number, -1) <= ev.seq:
            final[number], latest[number] = _link_values(ev, number), ev.seq
    if final:
        _upsert_links(s, list(final.values()))
    if pushed:
        q2 = select(DeclarationLinkRow).where(among(s, DeclarationLinkRow.number, pushed))
        links: dict[str, DeclarationLinkRow | None] = {link.number: link for link in s.scalars(q2)}
        for ev in events:  # no query per event: the links are flushed before a status is read for a push
            number = _number(ev)
            if number in pushed:
                links[number] = _keep_link(s, ev, number, links.get(number), held)


_LINK = DeclarationLinkRow.__table__.c


def _link_values(event: Event, number: str) -> dict[str, Any]:
    """The link's columns as `_keep_link` leaves them after `event`."""
    p = event.payload
    return {
        "number": number,
        "goods_id": _goods_id(p),
        "containers": [str(c) for c in p.get("containers") or []],
        "kind": str(p.get("kind") or ""),
        "office": str(p.get("office") or ""),
        "status": str(p.get("status") or ""),
        "channel": p.get("channel"),
        "package_count": int(p.get("package_count") or 0),
        "gross_mass_kg": Decimal(str(p.get("gross_mass_kg") or "0")),
        "event_seq": event.seq,
        "updated_at": clock.now(),
    }


UPSERT_LINKS_PG = text(
    "INSERT INTO sv_declaration_links (number, goods_id, containers, kind, office, status, channel, "
    "package_count, gross_mass_kg, event_seq, updated_at) "
    "SELECT n, g, CAST(c AS jsonb), k, o, s, ch, p, m, q, :at FROM unnest("
    "CAST(:n AS varchar[]), CAST(:g AS varchar[]), CAST(:c AS text[]), CAST(:k AS varchar[]), "
    "CAST(:o AS varchar[]), CAST(:s AS varchar[]), CAST(:ch AS varchar[]), CAST(:p AS integer[]), "
    "CAST(:m AS numeric[]), CAST(:q AS bigint[])) AS t(n, g, c, k, o, s, ch, p, m, q) "
    "ON CONFLICT (number) DO UPDATE SET goods_id = excluded.goods_id, containers = excluded.containers, "
    "kind = excluded.kind, office = excluded.office, status = excluded.status, channel = excluded.channel, "
    "package_count = excluded.package_count, gross_mass_kg = excluded.gross_mass_kg, "
    "event_seq = excluded.event_seq, updated_at = excluded.updated_at"
)


def _upsert_links(s: Session, rows: list[dict[str, Any]]) -> None:
    """On PostgreSQL one statement of column arrays (the same text whatever the number of links; an
    executemany would send a statement per link); elsewhere executemany."""
    if s.get_bind().dialect.name != "postgresql":
        stmt = sqlite_insert(cast(Table, DeclarationLinkRow.__table__))
        replaced = {k: stmt.excluded[k] for k in rows[0] if k != "number"}
        s.execute(stmt.on_conflict_do_update(index_elements=["number"], set_=replaced), rows)
        return
    columns = {"n": "number", "g": "goods_id", "k": "kind", "o": "office", "s": "status", "ch": "channel"}
    columns |= {"p": "package_count", "m": "gross_mass_kg", "q": "event_seq"}
    params: dict[str, Any] = {key: pg_array(r[name] for r in rows) for key, name in columns.items()}
    params["c"] = pg_array(json.dumps(r["containers"]) for r in rows)
    s.execute(UPSERT_LINKS_PG, params | {"at": clock.now()})


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
    if link is not None and link.event_seq > event.seq:
        return link  # an older event arriving late
    if link is None:
        link = DeclarationLinkRow(number=number, gross_mass_kg=Decimal("0"), updated_at=clock.now())
        s.add(link)
    before = link.status if link.status else None
    old_goods = link.goods_id
    for column, value in _link_values(event, number).items():
        if column != "number":  # the key stays
            setattr(link, column, value)
    if before != link.status or old_goods != link.goods_id:
        for goods_id in {g for g in (link.goods_id, old_goods) if g}:
            c = held.get(goods_id) if held is not None else _consignment(s, goods_id)
            if c is not None:
                s.flush()  # the status pushed is read from the links, this one included
                webhooks.enqueue_status(s, c, cause=event.type)
    return link


def _consignment(s: Session, goods_id: str) -> ConsignmentRow | None:
    q = select(ConsignmentRow).where(ConsignmentRow.goods_id == goods_id, ConsignmentRow.removed.is_(False))
    return s.scalar(q)


def on_movements(uow: UnitOfWork, event: Event) -> None:
    numbers = [n for ex in event.payload.get("exits", []) for n in ex.get("declarations", [])]
    if numbers:
        declarations.mark_exited(uow.session, numbers=numbers, actor=event.actor)


# what the trader's notification of its transit carries (its `number` is the transit's, TR + 10 digits)
TRANSIT_KEYS = (
    "number", "status", "transit_id", "transport", "departure_office", "destination_office", "deadline",
    "outcome", "note",
)  # fmt: skip


def on_transit_events(uow: UnitOfWork, events: list[Event]) -> None:
    """The trader hears of its transit's acceptance, refusal, arrival and passed deadline (`status`
    transit_<event>), pulled with its declarations' notifications and pushed to its webhook."""
    named = [
        replace(ev, payload=dict(ev.payload) | {"status": SupervisionEvent(ev.type).name.lower()})
        for ev in events
    ]
    on_declaration_events(uow, named, keys=TRANSIT_KEYS)


def on_transit_event(uow: UnitOfWork, event: Event) -> None:
    on_transit_events(uow, [event])


def consumers() -> list[Consumer]:
    return [
        Consumer("supervision.declarations", CHANGES, on_declaration, many=on_declarations),
        Consumer("supervision.exits", frozenset({SupervisionEvent.MOVEMENTS_APPLIED}), on_movements),
        Consumer(
            "supervision.transit_notifications", TRANSIT_NOTIFIED, on_transit_event, many=on_transit_events
        ),
    ]


transit_work.register()  # transits that cross nodes: routed and applied by sharing/work (decision 0039)
