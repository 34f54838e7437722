"""Registration reads a declaration's lines only for a caller who may register it, by a statement of their own
(never the declaration's columns again on every line), and a declaration has at most MAX_LINES lines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from haiquan.declarations.schemas import MAX_LINES
from haiquan.kit.db import Database
from tests.support import World, import_declaration


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def lines(n: int) -> list[dict[str, str]]:
    line = import_declaration()["lines"][0]
    return [dict(line, description=f"Smartphones, model {i}", value="100") for i in range(n)]


def reads_lines(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().startswith("select") and "declaration_lines" in s]


def test_a_declaration_outside_the_callers_scope_is_refused_before_its_lines_are_read(
    world: World, client: TestClient, db: Database
) -> None:
    body = import_declaration(lines=lines(40), invoice=dict(import_declaration()["invoice"], amount="4000"))
    number = world.lodge(body).json()["number"]
    other = world.ent("0101248141")
    with statements(db) as seen:
        r = world.post(f"/api/v1/declarations/{number}/register", other, None)
    assert r.status_code == 404, r.text
    assert reads_lines(seen) == []


def test_lines_are_read_on_their_own_once_and_not_again_for_a_registered_declaration(
    world: World, client: TestClient, db: Database
) -> None:
    body = import_declaration(lines=lines(40), invoice=dict(import_declaration()["invoice"], amount="4000"))
    number = world.lodge(body).json()["number"]
    mine = world.ent("0100109106")
    with statements(db) as seen:
        r = world.post(f"/api/v1/declarations/{number}/register", mine, None)
    assert r.status_code == 200, r.text
    assert len(r.json()["lines"]) == 40
    joined = [s for s in reads_lines(seen) if "channel_reasons" in s]
    assert joined == [], "the declaration's columns were read again on every line"
    with statements(db) as seen:
        again = world.post(f"/api/v1/declarations/{number}/register", mine, None)
    assert again.status_code == 409, again.text
    assert reads_lines(seen) == []


def test_a_declaration_has_at_most_max_lines_lines(world: World, client: TestClient) -> None:
    r = world.lodge(import_declaration(lines=lines(MAX_LINES + 1)))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines"
    assert client.get("/api/v1/declarations", headers=world.ent("0100109106")).json()["items"] == []
