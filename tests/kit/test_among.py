"""`among` (column IN values) finds exactly the rows whose value is in the list, whatever the values hold:
on PostgreSQL the list travels as one array literal (kit/db.pg_array), which must quote what PostgreSQL's
array syntax gives a meaning to."""

from __future__ import annotations

from sqlalchemy import insert, select

from haiquan.kit import clock
from haiquan.kit.db import Database, among, pg_array
from haiquan.kit.tables import EventConsumption

AWKWARD = ['a"b', "c\\d", "x,y", "{z}", " lead", "NULL", "Hải quan", "", "plain"]


def test_an_array_literal_quotes_every_element() -> None:
    assert pg_array([]) == "{}"
    assert pg_array(["a", "b"]) == '{"a","b"}'
    assert pg_array(['a"b', "c\\d", None]) == '{"a\\"b","c\\\\d",NULL}'
    assert pg_array([1, 2]) == '{"1","2"}'


def test_among_finds_exactly_the_values_given(db: Database) -> None:
    ids = [*AWKWARD, "other", "more"]
    with db.unit_of_work() as uow:
        uow.session.execute(
            insert(EventConsumption),
            [{"consumer": "t", "event_id": i, "applied_at": clock.now()} for i in ids],
        )
        uow.commit()
    col = EventConsumption.event_id
    with db.unit_of_work() as uow:
        found = set(uow.session.scalars(select(col).where(among(uow.session, col, AWKWARD))))
        none = list(uow.session.scalars(select(col).where(among(uow.session, col, []))))
    assert found == set(AWKWARD)
    assert none == []
