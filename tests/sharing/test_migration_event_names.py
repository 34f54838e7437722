"""Migration 0013a gives the events stored under the declarations' former names (commands) their names as
facts: the outbox's type and subject, the per-unit summary (a day held under both names is added up) and the
agency agreements; and back (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from haiquan.kit.migrate import alembic_config, upgrade

OUTBOX = """INSERT INTO outbox (id, type, version, unit, subject, occurred_at, actor, payload)
VALUES (:id, :type, 1, '01B1', :subject, '2026-03-01 02:00:00+00:00', 'x', '{}')"""
TOTAL = """INSERT INTO unit_event_totals (unit, day, type, dim, count, amount)
VALUES ('01B1', :day, :type, :dim, :count, :amount)"""
AGREEMENT = """INSERT INTO agency_agreements (id, agency, title, types, units, fields, active, created_by,
created_at) VALUES ('a1', 'MOH', 'MOH', :types, '["01"]', '[]', true, 'x', '2026-03-01 02:00:00+00:00')"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    base, name = str(request.getfixturevalue("pg_url")).rsplit("/", 1)
    admin = create_engine(base + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a database of its own: the session's is built without migrations
        conn.execute(text(f'CREATE DATABASE "{name}_m13a"'))
    try:
        yield f"{base}/{name}_m13a"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_m13a" WITH (FORCE)'))
        admin.dispose()


def _seed(url: str) -> None:
    engine = create_engine(url)
    events = [("e1", "declaration.register"), ("e2", "declaration.clear"), ("e3", "payment.confirmed")]
    with engine.begin() as conn:
        conn.execute(text(OUTBOX), [{"id": i, "type": t, "subject": f"hq.ev.01.01B1.{t}"} for i, t in events])
        conn.execute(
            text(TOTAL),
            [
                {"day": "2026-03-01", "type": "declaration.register", "dim": "", "count": 3, "amount": 30},
                {"day": "2026-03-01", "type": "declaration.registered", "dim": "", "count": 2, "amount": 5},
                {"day": "2026-03-02", "type": "declaration.register", "dim": "", "count": 7, "amount": 70},
            ],
        )
        conn.execute(text(AGREEMENT), {"types": '["declaration.register", "enforcement.*"]'})
    engine.dispose()


def test_stored_types_take_their_names_as_facts_and_back(url: str) -> None:
    upgrade(url, "0012e")
    _seed(url)
    upgrade(url, "0013a")
    engine = create_engine(url)
    with engine.connect() as conn:
        outbox = conn.execute(text("SELECT id, type, subject FROM outbox ORDER BY id")).all()
        assert [tuple(r) for r in outbox] == [
            ("e1", "declaration.registered", "hq.ev.01.01B1.declaration.registered"),
            ("e2", "declaration.cleared", "hq.ev.01.01B1.declaration.cleared"),
            ("e3", "payment.confirmed", "hq.ev.01.01B1.payment.confirmed"),
        ]
        totals = conn.execute(
            text("SELECT CAST(day AS VARCHAR(10)), type, count, amount FROM unit_event_totals ORDER BY day")
        ).all()
        assert [(d, t, c, int(a)) for d, t, c, a in totals] == [
            ("2026-03-01", "declaration.registered", 5, 35),
            ("2026-03-02", "declaration.registered", 7, 70),
        ]
        types = conn.execute(text("SELECT types FROM agency_agreements")).scalar_one()
        assert _listed(types) == ["declaration.registered", "enforcement.*"]
    command.downgrade(alembic_config(url), "0012e")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT type, subject FROM outbox ORDER BY id")).all()
        assert [tuple(r) for r in back][:2] == [
            ("declaration.register", "hq.ev.01.01B1.declaration.register"),
            ("declaration.clear", "hq.ev.01.01B1.declaration.clear"),
        ]
        types = conn.execute(text("SELECT types FROM agency_agreements")).scalar_one()
        assert _listed(types) == ["declaration.register", "enforcement.*"]
    engine.dispose()


def _listed(value: Any) -> list[str]:
    """A JSON column as read: text on SQLite, a list on PostgreSQL."""
    return sorted(json.loads(value) if isinstance(value, str) else value)
