"""Gap-tolerant counters: PostgreSQL native sequences (created on first use, outside the caller's
transaction, safe when several workers race to create one), a counter row on SQLite (writes are
serialised there)."""

from __future__ import annotations

import re
import threading

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")
_known: set[tuple[int, str]] = set()
_lock = threading.Lock()


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"bad sequence name {name!r}")
    return name


def next_value(session: Session, name: str) -> int:
    return next_values(session, name, 1)[0]


def next_values(session: Session, name: str, count: int) -> list[int]:
    """`count` new values of the counter, in increasing order, in one round trip."""
    if count < 1:
        return []
    seq = f"hq_seq_{_check(name)}"
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        engine = bind if isinstance(bind, Engine) else bind.engine
        _ensure(engine, seq)
        if count == 1:
            return [int(session.execute(text(f"SELECT nextval('{seq}')")).scalar_one())]
        got = session.execute(text(f"SELECT nextval('{seq}') FROM generate_series(1, :n)"), {"n": count})
        return sorted(int(v) for v in got.scalars())
    top = session.execute(
        text("UPDATE sequence_counters SET value = value + :k WHERE name = :n RETURNING value"),
        {"k": count, "n": name},
    ).scalar()
    if top is None:
        session.execute(
            text("INSERT INTO sequence_counters (name, value) VALUES (:n, :k)"), {"n": name, "k": count}
        )
        top = count
    return list(range(int(top) - count + 1, int(top) + 1))


def _ensure(engine: Engine, seq: str) -> None:
    key = (id(engine), seq)
    if key in _known:
        return
    with _lock:
        if key in _known:
            return
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # found on the search path (an engine whose own schema comes first shares public's numbers)
            if conn.execute(text("SELECT to_regclass(:s)"), {"s": seq}).scalar() is not None:
                _known.add(key)
                return
            try:
                conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {seq}"))
            except DBAPIError:
                # Another process created it between IF NOT EXISTS and the catalogue insert: it exists now.
                if conn.execute(text("SELECT to_regclass(:s)"), {"s": seq}).scalar() is None:
                    raise
        _known.add(key)
