"""Rows a transaction writes at commit, many at a time.

History rows, outbox events and audit entries are appended, never read back in the transaction that writes
them. Instead of an ORM object each (a unit-of-work flush costs ~0.2 ms per object), they are kept here as
plain dicts and inserted at commit, one executemany per table, tables in foreign-key order, rows in the
order they were added (so outbox sequence numbers follow program order). The unit of work's `commit()`
(kit.db) writes them as one of its named steps, then seals the audit chain (kit.audit).

Nothing reads them back before then: a transaction that must see what it wrote calls `flush_rows` first.
In tests (`refuse_reads_of_buffered_rows`) a statement that reads a table with rows still buffered raises.

A batch of several requests in one transaction (kit.groupcommit) marks the buffer before each request and
rolls it back to the mark when that request is refused, so a refusal leaves nothing behind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import TableClause
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.util import find_tables

from haiquan.kit.sql import Base

_KEY = "haiquan_pending"


@dataclass
class Buffer:
    rows: list[tuple[Table, dict[str, Any]]] = field(default_factory=list)
    statements: list[tuple[Executable, list[dict[str, Any]]]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Mark:
    rows: int
    statements: int
    audit: int


def of(session: Session) -> Buffer:
    buf: Buffer | None = session.info.get(_KEY)
    if buf is None:
        buf = session.info[_KEY] = Buffer()
    return buf


def add(session: Session, table: Table, row: dict[str, Any]) -> None:
    of(session).rows.append((table, row))


def add_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    of(session).rows.extend((table, r) for r in rows)


def add_statement(session: Session, statement: Executable, params: list[dict[str, Any]]) -> None:
    """An update whose result is not read (e.g. rows locked earlier in the transaction), executed at
    commit after the buffered rows."""
    of(session).statements.append((statement, params))


def add_audit(session: Session, entry: dict[str, Any]) -> None:
    of(session).audit.append(entry)


def mark(session: Session) -> Mark:
    buf = of(session)
    return Mark(len(buf.rows), len(buf.statements), len(buf.audit))


def rollback_to(session: Session, at: Mark) -> None:
    buf = of(session)
    del buf.rows[at.rows :]
    del buf.statements[at.statements :]
    del buf.audit[at.audit :]


def take_audit(session: Session) -> list[dict[str, Any]]:
    buf = of(session)
    entries, buf.audit = buf.audit, []
    return entries


def discard(session: Session) -> None:
    session.info.pop(_KEY, None)


_ORDER: dict[str, int] = {}


def _rank(table: Table) -> int:
    if not _ORDER:
        _ORDER.update({t.name: i for i, t in enumerate(Base.metadata.sorted_tables)})
    return _ORDER.get(table.name, len(_ORDER))


def is_empty(session: Session) -> bool:
    """Whether the transaction has buffered no rows and no statements."""
    buf: Buffer | None = session.info.get(_KEY)
    return buf is None or not (buf.rows or buf.statements)


def flush_rows(session: Session) -> None:
    """Insert the buffered rows, then run the buffered statements, now (the ORM's own pending objects must
    be flushed first by the caller)."""
    buf: Buffer | None = session.info.get(_KEY)
    if buf is None:
        return
    rows, buf.rows = buf.rows, []
    statements, buf.statements = buf.statements, []
    _insert_all(session, rows)
    for statement, params in statements:
        session.execute(statement, params)


def _insert_all(session: Session, rows: list[tuple[Table, dict[str, Any]]]) -> None:
    by_table: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    for table, row in rows:
        by_table[table].append(row)
    for table in sorted(by_table, key=_rank):
        _insert(session, table, by_table[table])


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    # executemany needs the same keys in every row: one statement per run of rows of the same shape, so
    # that rows keep their order (outbox and history sequence numbers follow it).
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].keys() != rows[start].keys():
            session.execute(insert(table).inline(), rows[start:i])  # inline: no RETURNING of keys
            start = i


# A savepoint rolled back (session.begin_nested(), e.g. the Dispatcher applying one event of a chunk) drops
# what was buffered inside it; a rollback of the whole transaction drops everything.
_MARKS = "haiquan_pending_marks"


@event.listens_for(Session, "after_transaction_create")
def _on_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[id(transaction)] = mark(session)


@event.listens_for(Session, "after_soft_rollback")
def _on_savepoint_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        if previous.parent is None:
            discard(session)
        return
    at = session.info.get(_MARKS, {}).get(id(previous))
    if at is not None:
        rollback_to(session, at)


@event.listens_for(Session, "after_transaction_end")
def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_MARKS, None)


class BufferedRowsLost(RuntimeError):
    """A commit that did not go through `UnitOfWork.commit()`, which writes the buffered rows."""


@event.listens_for(Session, "before_commit")
def _refuse_commit_with_rows_left(session: Session) -> None:
    # Writes nothing: the rows are written by UnitOfWork.commit(). A transaction committed around it would
    # drop them silently; it fails instead. (A savepoint's release keeps them for the outer commit.)
    if session.in_nested_transaction():
        return
    buf: Buffer | None = session.info.get(_KEY)
    if buf is not None and (buf.rows or buf.statements or buf.audit):
        raise BufferedRowsLost(
            "rows buffered for the commit (kit.pending) would be lost: commit through UnitOfWork.commit()"
        )


class BufferedRead(RuntimeError):
    """A statement read a table whose rows this transaction has buffered and not written yet."""


def refuse_reads_of_buffered_rows() -> None:
    """From now on, in every session, a SELECT, UPDATE or DELETE touching a table with rows still buffered
    raises `BufferedRead` (it would not see them). For tests (tests/conftest.py): the check walks every
    statement, which production does not pay for."""
    if not event.contains(Session, "do_orm_execute", _check_read):
        event.listen(Session, "do_orm_execute", _check_read)


def buffered_tables(session: Session) -> set[str]:
    """The tables this transaction has rows or statements buffered for."""
    buf: Buffer | None = session.info.get(_KEY)
    if buf is None:
        return set()
    names = {table.name for table, _ in buf.rows}
    names.update(t.name for stmt, _ in buf.statements for t in _tables(stmt))
    return names


def _tables(statement: Executable) -> list[TableClause]:
    return [t for t in find_tables(statement, include_crud=True) if isinstance(t, TableClause)]  # type: ignore[arg-type]


SEES_BUFFERED = "haiquan_sees_buffered"
"""Execution option of a read whose caller adds the rows the transaction has buffered itself (`buffered`):
the test-time check below lets it through."""


def buffered(session: Session, table: Table) -> list[dict[str, Any]]:
    """The rows buffered for `table` in this transaction, in the order added (not written yet)."""
    buf: Buffer | None = session.info.get(_KEY)
    return [] if buf is None else [row for t, row in buf.rows if t is table]


def _check_read(state: ORMExecuteState) -> None:
    if state.is_insert or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(SEES_BUFFERED):
        return
    waiting = buffered_tables(state.session)
    if not waiting:
        return
    read = waiting & {t.name for t in _tables(state.statement)}
    if read:
        raise BufferedRead(
            f"this statement reads {', '.join(sorted(read))} while rows for it are buffered for the commit "
            "(kit.pending) and not written: it would not see them. Write them first (pending.flush_rows) "
            "or use what the transaction already holds."
        )
