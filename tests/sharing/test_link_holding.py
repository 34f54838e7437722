"""One process per node database holds the link (sharing/holding): the others stand by, one takes over once
the holder lets go or loses its database session, and the holder is written where every worker reads it.
Two processes are played here by two HeldLinks on their own Database objects (the advisory lock and the
file lock are per connection and per open file, not per process); tests/federation/test_scaleout.py kills
real workers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership
from haiquan.sharing import metrics as m
from haiquan.sharing import repository
from haiquan.sharing.holding import DUTY, HOST, HeldLink
from tests.conftest import reset_postgres
from tests.support import World


@dataclass
class FakeLink:
    running: bool = False
    starts: int = 0

    def start(self) -> None:
        self.running, self.starts = True, self.starts + 1

    def stop(self) -> None:
        self.running = False


def held(db: Database, pid: int, grace: float = 0.0) -> tuple[HeldLink, FakeLink]:
    link = FakeLink()
    return HeldLink(Database(db.url), link, Leadership(Database(db.url), DUTY), grace=grace, pid=pid), link


def holder(db: Database) -> repository.Holder | None:
    with db.reading() as uow:
        return repository.unscoped_link_holder(uow.session, duty=DUTY)


def test_one_process_holds_the_link_and_another_takes_over_when_it_lets_go(db: Database) -> None:
    first, link1 = held(db, pid=101)
    second, link2 = held(db, pid=102)
    first.tick()
    second.tick()
    assert link1.running
    assert not link2.running
    assert first.holding
    assert not second.holding
    h = holder(db)
    assert h is not None
    assert (h.host, h.pid) == (HOST, 101)
    assert m.LINK_HELD._value.get() == 1
    first._give_up()  # a clean stop: the link stopped, the row gone, the lock released
    assert not link1.running
    assert holder(db) is None
    second.tick()  # its next look, within a second
    assert link2.running
    h = holder(db)
    assert h is not None
    assert h.pid == 102
    second._give_up()


def test_a_holder_that_loses_its_database_session_stops_its_link(pg_database: Database) -> None:
    """PostgreSQL only: a file lock is lost only with its process."""
    db = pg_database
    reset_postgres(db)
    first, link1 = held(db, pid=201)
    first.tick()
    assert link1.running
    conn: Any = first.leadership._conn
    with db.engine.connect() as admin:  # the server ends the holder's session (as a restart would)
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        admin.commit()
    first.tick()
    assert not link1.running
    assert not first.holding
    second, link2 = held(db, pid=202, grace=0.3)
    second.tick()
    assert not link2.running  # the row names another process, which may not have noticed yet: it waits
    time.sleep(0.35)
    second.tick()
    assert link2.running
    second._give_up()
    first._give_up()


def test_the_status_names_the_holder_from_any_worker(
    world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world.client.app.state.settings, "nats_url", "nats://127.0.0.1:1")  # type: ignore[attr-defined]
    leader = world.off("hn_leader")
    assert world.client.get("/api/v1/sharing/status", headers=leader).json()["link_holder"] is None
    with db.unit_of_work() as uow:  # another worker (or host) holds it
        repository.unscoped_note_link_holder(uow.session, duty=DUTY, host="host-b", pid=4242, taken=True)
        uow.commit()
    got = world.client.get("/api/v1/sharing/status", headers=leader).json()["link_holder"]
    assert (got["host"], got["pid"], got["here"]) == ("host-b", 4242, False)
    assert got["silent_s"] < 5
    page = world.client.get("/sharing?lang=en", headers=leader).text
    assert "Link held by" in page
    assert "host-b" in page
    assert "Tiến trình giữ liên kết" in world.client.get("/sharing?lang=vi", headers=leader).text
