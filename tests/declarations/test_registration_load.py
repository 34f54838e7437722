"""Reading a declaration for registration: who asks and the status are checked on the declaration's row
before any line is read; the lines are read in a statement of their own (one row per line, never a line
joined with its declaration, whose channel reasons may be as many as its lines); at most MAX_LINES lines
in a declaration or an AMA amendment; a declaration of many lines lodged outside the shared batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, update

from haiquan.declarations import registration
from haiquan.declarations.changes import ALONE_LINES
from haiquan.declarations.schemas import MAX_LINES
from haiquan.declarations.tables import DeclarationRow
from tests.declarations.test_flow import force_lane
from tests.declarations.test_group_commit import principal
from tests.support import World, import_declaration

OWNER, OTHER = "0100109106", "0101248141"  # OTHER is also a declarant, and the importer named


def many_lines(n: int) -> list[dict[str, Any]]:
    line = import_declaration()["lines"][0]
    return [dict(line, description=f"Smartphones lot {i}", value="100") for i in range(n)]


def declaration_of(n: int) -> dict[str, Any]:
    body = import_declaration(lines=many_lines(n))
    body["invoice"] = dict(body["invoice"], amount=str(100 * n))
    return body


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL sent to the database meanwhile."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(app.state.db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(app.state.db.engine, "before_cursor_execute", record)


def reading_lines(sent: list[str]) -> list[str]:
    return [s for s in sent if "declaration_lines" in s]


def test_someone_elses_number_is_a_404_without_reading_a_line(world: World, app: Any) -> None:
    number = world.lodge(declaration_of(30)).json()["number"]
    with statements(app) as sent:
        r = world.post(f"/api/v1/declarations/{number}/register", world.ent(OTHER), None)
    assert r.status_code == 404, r.text
    assert r.json()["field"] == "number"
    assert sent
    assert reading_lines(sent) == []


def test_a_registered_declaration_is_a_409_without_reading_a_line(world: World, app: Any) -> None:
    force_lane(app, "yellow")
    number = world.lodge(declaration_of(30)).json()["number"]
    first = world.post(f"/api/v1/declarations/{number}/register", world.ent(OWNER), None)
    assert first.status_code == 200
    assert len(first.json()["lines"]) == 30
    with statements(app) as sent:
        again = world.post(f"/api/v1/declarations/{number}/register", world.ent(OWNER), None)
    assert again.status_code == 409
    assert again.json()["field"] == "status"
    assert reading_lines(sent) == []


def test_more_lines_than_the_cap_are_refused_naming_lines(world: World) -> None:
    r = world.lodge(declaration_of(MAX_LINES + 1))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines"
    assert str(MAX_LINES) in r.json()["detail"].replace(",", "")
    number = world.lodge(import_declaration()).json()["number"]
    ama = {"reason": "more goods found", "lines": many_lines(MAX_LINES + 1)}
    r = world.post(f"/api/v1/declarations/{number}/amendments", world.ent(OWNER), ama)
    assert r.status_code == 422
    assert r.json()["field"] == "lines"


@contextmanager
def reads(session: Any) -> Iterator[list[tuple[str, int, int]]]:
    """Per statement the session ran: its text, the rows it returned, and the channel reasons in them."""
    seen: list[tuple[str, int, int]] = []

    def count(state: Any) -> Any:
        frozen = state.invoke_statement().freeze()
        rows = frozen().mappings().all()
        reasons = sum(len(m.get("channel_reasons") or []) for m in rows)
        seen.append((str(state.statement), len(rows), reasons))
        return frozen()

    event.listen(session, "do_orm_execute", count)
    try:
        yield seen
    finally:
        event.remove(session, "do_orm_execute", count)


def test_the_read_is_two_statements_with_rows_linear_in_lines(world: World, app: Any) -> None:
    """N=200 lines on a declaration to register, and another of 200 lines already registered with a
    channel reason per line: one row per declaration, one per line read, each reason read once (the line x
    declaration join read 200 x 200 reasons)."""
    force_lane(app, "yellow")
    n = 200
    accepted, registered = (world.lodge(declaration_of(n)).json()["number"] for _ in range(2))
    assert (
        world.post(f"/api/v1/declarations/{registered}/register", world.ent(OWNER), None).status_code == 200
    )
    per_line = [{"kind": "value_control", "line": i, "en": "value below the reference"} for i in range(n)]
    with app.state.db.unit_of_work() as uow:
        uow.session.execute(
            update(DeclarationRow).where(DeclarationRow.number == registered).values(channel_reasons=per_line)
        )
        uow.commit()
    owner, other = principal(app, OWNER), principal(app, OTHER)
    wanted = [(owner, accepted), (owner, registered), (other, accepted), (other, registered)]
    with app.state.db.unit_of_work() as uow, reads(uow.session) as seen:
        locked = registration.read_for_registration(uow.session, wanted)
    assert len(seen) == 2  # the declarations, then the lines: whatever the number of lines or askers
    (first, declarations, reasons), (second, lines, _) = seen
    assert "declaration_lines" not in first
    assert "FROM declarations" not in second
    assert (declarations, reasons, lines) == (2, n, n)
    assert len(locked[accepted].lines) == n
    assert locked[registered].lines == []


def test_a_declaration_of_many_lines_is_lodged_outside_the_shared_batch(
    world: World, app: Any, monkeypatch: Any
) -> None:
    writer, batched = app.state.writer, []
    queue = writer.submit_async

    def spy(change: Any, timeout: float | None = None) -> Any:
        batched.append(change)
        return queue(change, timeout)

    monkeypatch.setattr(writer, "submit_async", spy)
    big = world.lodge(declaration_of(ALONE_LINES + 1), key="big-1")
    assert big.status_code == 201
    assert len(big.json()["lines"]) == ALONE_LINES + 1
    again = world.lodge(declaration_of(ALONE_LINES + 1), key="big-1")
    assert again.headers.get("Idempotent-Replay") == "true"
    assert again.json()["number"] == big.json()["number"]
    small = world.lodge(declaration_of(ALONE_LINES), key="small-1")
    assert small.status_code == 201
    assert len(batched) == 1
    assert batched[0].key == "small-1"
    got = world.client.get(f"/api/v1/declarations/{big.json()['number']}", headers=world.ent(OWNER))
    assert got.status_code == 200
    assert len(got.json()["lines"]) == ALONE_LINES + 1
