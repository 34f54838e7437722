"""The declaration links supervision keeps from declaration.* events: a chunk applied at once
(on_declarations) leaves the same links as the events applied one by one (on_declaration), an older
event arriving late included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from haiquan.kit.db import Database
from haiquan.kit.outbox import Event, default_subject
from haiquan.supervision.handlers import on_declaration, on_declarations
from haiquan.supervision.tables import DeclarationLinkRow


def ev(seq: int, number: str, status: str, **payload: Any) -> Event:
    t, unit = f"declaration.{status}", "01B1"
    body = {"number": number, "status": status, "office": unit, **payload}
    at = datetime(2026, 3, 1, 2, seq, tzinfo=UTC)
    return Event(f"e{seq:031d}", seq, t, 1, unit, default_subject(t, unit), at, "officer:x", body)


EVENTS = [
    ev(1, "100000000001", "registered", channel="green", package_count=3),
    ev(2, "100000000002", "registered", channel="red"),
    ev(4, "100000000001", "cleared", channel="green", package_count=3, gross_mass_kg="12.5"),
    ev(3, "100000000001", "registered"),  # older than the one applied: ignored
    ev(5, "", "registered"),  # no number: nothing to keep
]


def links(db: Database) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(DeclarationLinkRow).order_by(DeclarationLinkRow.number)).all()
    return [(r.number, r.status, r.channel, r.package_count, str(r.gross_mass_kg), r.event_seq) for r in rows]


def test_a_chunk_at_once_leaves_the_links_one_by_one_would(db: Database) -> None:
    with db.unit_of_work() as uow:
        for e in EVENTS:
            on_declaration(uow, e)
        uow.commit()
    one_by_one = links(db)
    with db.unit_of_work() as uow:
        uow.session.execute(delete(DeclarationLinkRow))
        uow.commit()
    with db.unit_of_work() as uow:
        on_declarations(uow, EVENTS)
        uow.commit()
    assert links(db) == one_by_one
    assert one_by_one == [
        ("100000000001", "cleared", "green", 3, "12.5", 4),
        ("100000000002", "registered", "red", 0, "0", 2),
    ]


def test_a_chunk_updates_the_links_an_earlier_chunk_left(db: Database) -> None:
    """Links already stored are read with their sequence: a later event replaces one, an older one does
    not (the upsert writes only each link's final state)."""
    late = ev(0, "100000000002", "registered", channel="yellow")  # older than the stored link: ignored
    for chunk in (EVENTS[:2], [*EVENTS[2:], late]):
        with db.unit_of_work() as uow:
            on_declarations(uow, chunk)
            uow.commit()
    assert links(db) == [
        ("100000000001", "cleared", "green", 3, "12.5", 4),
        ("100000000002", "registered", "red", 0, "0", 2),
    ]
