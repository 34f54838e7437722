"""Migration 0011 folds the inbox table (`federated_events`) into one row per child node, and back: the
counts, last stream sequence and times the status page showed are kept (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, inspect, text

from haiquan.kit.migrate import alembic_config, upgrade

INBOX = """INSERT INTO federated_events (id, node, unit, type, occurred_at, received_at, stream_seq)
VALUES (:id, :node, '01B1', 'declaration.registered', :occurred, :received, :seq)"""
COPY = """INSERT INTO outbox (id, type, version, unit, subject, occurred_at, actor, payload, published_at, origin)
VALUES (:id, 'declaration.registered', 1, '01B1', 'hq.ev.01.01B1.declaration.registered', :occurred, 'x',
'{}', :received, :node)"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    base, name = str(request.getfixturevalue("pg_url")).rsplit("/", 1)
    admin = create_engine(base + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a database of its own: the session's is built without migrations
        conn.execute(text(f'CREATE DATABASE "{name}_m11"'))
    try:
        yield f"{base}/{name}_m11"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_m11" WITH (FORCE)'))
        admin.dispose()


def test_the_inbox_becomes_one_row_per_node_and_comes_back(url: str) -> None:
    upgrade(url, "0010")
    engine = create_engine(url)
    rows = [
        {"id": f"e{i}", "node": node, "seq": seq, "occurred": f"2026-03-01 0{i}:00:00+00:00"}
        | {"received": f"2026-03-01 0{i}:00:05+00:00"}
        for i, (node, seq) in enumerate([("01AB", 7), ("01AB", 9), ("01TE", 3)])
    ]
    with engine.begin() as conn:
        conn.execute(text(INBOX), rows)
        conn.execute(text(COPY), rows)
    upgrade(url, "0011")
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT node, received, last_stream_seq FROM federated_nodes ORDER BY node")
        ).all()
        assert [tuple(r) for r in got] == [("01AB", 2, 9), ("01TE", 1, 3)]
        assert "federated_events" not in _tables(conn)
    command.downgrade(alembic_config(url), "0010")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT id, node FROM federated_events ORDER BY id")).all()
        assert [tuple(r) for r in back] == [("e0", "01AB"), ("e1", "01AB"), ("e2", "01TE")]
        assert "federated_nodes" not in _tables(conn)
    engine.dispose()


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())
