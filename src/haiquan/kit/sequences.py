"""Gap-tolerant counters: PostgreSQL native sequences, a counter row on SQLite (writes are serialised there)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"bad sequence name {name!r}")
    return name


def next_value(session: Session, name: str) -> int:
    seq = f"hq_seq_{_check(name)}"
    if session.get_bind().dialect.name == "postgresql":
        if _missing(session, seq):
            session.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {seq}"))
        return int(session.execute(text(f"SELECT nextval('{seq}')")).scalar_one())
    row = session.execute(
        text("UPDATE sequence_counters SET value = value + 1 WHERE name = :n RETURNING value"), {"n": name}
    ).scalar()
    if row is None:
        session.execute(text("INSERT INTO sequence_counters (name, value) VALUES (:n, 1)"), {"n": name})
        return 1
    return int(row)


_known: set[str] = set()


def _missing(session: Session, seq: str) -> bool:
    if seq in _known:
        return False
    exists = session.execute(text("SELECT to_regclass(:s)"), {"s": seq}).scalar()
    if exists is not None:
        _known.add(seq)
        return False
    return True
