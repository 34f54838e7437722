"""The database's vocabulary: column types, the declarative base, ids, the engine, and statement helpers
(dialect-aware inserts, IN lists, pipelines). Plain building blocks: the transaction is kit.db's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Numeric,
    String,
    Table,
    TypeDecorator,
    any_,
    create_engine,
    event,
    literal,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Insert as pg_insert_type
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as sqlite_insert_type
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """VND and foreign amounts as exact decimals (18 digits, 4 decimals)."""

    impl = Numeric(22, 4, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else plain(Decimal(str(value)))


def plain(value: Decimal) -> Decimal:
    """Drop the storage scale: 1954023067.0000 → 1954023067, 340.5000 → 340.5 (never exponent notation)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Money(),
        dict[str, Any]: JSONType,
    }


def new_id() -> str:
    """A UUID version 7 (RFC 9562) as 32 hex digits: 48 bits of Unix time in milliseconds, then 74 random
    bits. Ids made later sort later, so each index on an id grows at its right edge instead of at random
    pages (every table's primary key, the outbox's unique id at every node, the consumers' rows): decision
    0014. The same column type and text form as the uuid4 ids made before."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10))  # 80 bits: 12 for rand_a, 62 for rand_b, 6 unused
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | (rand >> 68) << 64 | 0b10 << 62 | rand & (1 << 62) - 1
    return f"{value:032x}"


def id_column_type() -> String:
    return String(32)


@dataclass(frozen=True)
class PoolLimits:
    """How many connections one process opens and how long a caller waits for one (then 503, never a
    hung worker), and the longest statement on PostgreSQL (0: none; the served application sets it, the
    command line does not). Sized against the admission limit: docs/operations.md#overload-and-abuse."""

    size: int = 24
    overflow: int = 24
    timeout: float = 5.0
    statement_timeout_ms: int = 0

    @classmethod
    def of(cls, settings: Any) -> PoolLimits:
        return cls(
            size=settings.db_pool_size,
            overflow=settings.db_max_overflow,
            timeout=settings.db_pool_timeout_seconds,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )


def make_engine(url: str, *, echo: bool = False, pool: PoolLimits | None = None) -> Engine:
    pool = pool or PoolLimits()
    sizing: dict[str, Any] = {
        "pool_size": pool.size,
        "max_overflow": pool.overflow,
        "pool_timeout": pool.timeout,
    }
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            sizing = {}  # one shared in-memory database: SQLAlchemy's own single-connection pool
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **sizing
        )
        _sqlite_events(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if pool.statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(pool.statement_timeout_ms)}"
    # No pre-ping: it costs a round trip on every checkout. A connection the server dropped fails its first
    # statement; SQLAlchemy then discards the pool and the request answers 503 (kit.errors), the next works.
    return create_engine(url, echo=echo, pool_recycle=1800, connect_args=connect_args, **sizing)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # Take the write lock at BEGIN so concurrent writers queue instead of failing on upgrade;
        # a reading() unit of work (autocommit) takes no lock at all.
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    # Let SQLAlchemy not emit its own BEGIN (pysqlite's legacy transaction control).
    @event.listens_for(engine, "connect")
    def _sqlite_autocommit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None


def insert_for(session: Session, table: Table) -> pg_insert_type | sqlite_insert_type:
    """An INSERT into `table` in the session's dialect, with its ON CONFLICT clauses (PostgreSQL or SQLite)."""
    return pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)


def add_up(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows, or add their figures (every column that is not in the primary key) to the rows
    already there: one statement given every row (executemany), compiled once per shape."""
    if not rows:
        return
    stmt = insert_for(session, table)
    keys = [c.name for c in table.primary_key.columns]
    figures = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + stmt.excluded[c] for c in figures}
    )
    session.execute(stmt, rows)


def among(session: Session, column: Any, values: Iterable[str]) -> Any:
    """`column IN values` (values: text); on PostgreSQL one array parameter (`= ANY(:array)`): the
    statement's text stays the same whatever the number of values, so neither SQLAlchemy nor psycopg parse
    and cache a new statement for every list length (psycopg spent ~3 ms splitting a query of 200
    placeholders). The array goes as one text literal (`pg_array`)."""
    vals = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(pg_array(vals), TextArray()))
    return column.in_(vals)


class TextArray(TypeDecorator[str]):
    """A bound `pg_array` literal, sent as it is and rendered `%(p)s::VARCHAR[]`: PostgreSQL reads the
    parameter as an array once (a CAST of a text parameter is instead evaluated row by row where the
    planner does not use an index: a seq scan then parsed the array for every row)."""

    impl = postgresql.ARRAY(String())
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None  # the literal as it is (ARRAY's own processor would make a list of its characters)


def pg_array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal (`{"a","b",NULL}`) to bind as one text parameter read as an array:
    psycopg's own adaptation of a Python list looked at every string with a regular expression, a sixth
    of the dispatcher's time. Every element is quoted (backslashes and quotes escaped); None is NULL."""
    items = list(values)
    if None not in items:  # the usual case, in a few C-level passes: no text holds a NUL (kit/inbound)
        raw = "\x00".join(map(str, items))
        if '"' not in raw and "\\" not in raw:
            return '{"' + raw.replace("\x00", '","') + '"}' if items else "{}"
    parts = []
    for v in items:
        if v is None:
            parts.append("NULL")
        else:
            text = str(v).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"


@contextmanager
def pipelined(session: Session) -> Iterator[Any]:
    """Statements whose results are not read, sent without waiting for each answer (psycopg pipeline
    mode: one round trip for all of them; an error is raised when the block ends). Never read a result
    through SQLAlchemy inside: it would see none. Yields the psycopg connection, whose own cursors may
    read (a fetch waits for everything sent before it); elsewhere (SQLite) a plain block yielding None."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        yield None
        return
    conn = session.connection()
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.pipeline():
            yield raw
    except dialect.loaded_dbapi.Error as exc:
        # psycopg raises at the sync, outside SQLAlchemy: wrap it as SQLAlchemy would (IntegrityError,
        # OperationalError -> 503 ...), and drop the connection if the server went away.
        lost = dialect.is_disconnect(exc, raw, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            None, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from exc
