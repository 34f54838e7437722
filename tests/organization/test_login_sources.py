"""The sources officers logged in from are shared by the workers (issue #25 finding 4): an address blocked
for spraying on one worker still lets in an officer who logged in from it on another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.login_sources import PRUNE_EVERY, REMEMBER_GOOD, KnownSources
from haiquan.kit.tables import LoginKnownSource
from tests.conftest import forget_apps
from tests.support import PASSWORD, World

OFFICE = ("192.0.2.1", 5000)  # an office's shared address


def _login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_an_officer_known_on_one_worker_passes_a_source_blocked_on_another(
    world: World, app: Any, db: Database
) -> None:
    from haiquan.app import create_app

    second = create_app(app.state.settings, db)  # a second worker on the same database
    try:
        with TestClient(app, client=OFFICE) as a, TestClient(second, client=OFFICE) as b:
            assert _login(a, "nb_officer1", PASSWORD).status_code == 200  # worker A sees the login
            limit = second.state.logins.policy.source_failures
            for n in range(limit):  # spraying from the same address, on worker B
                assert _login(b, f"user{n}", "wrong-password").status_code == 401
            refused = _login(b, "someone", "wrong-password")
            assert refused.status_code == 429
            assert refused.json()["code"] == "login_throttled"
            assert _login(b, "nb_officer1", PASSWORD).status_code == 200  # known: whichever worker
            assert _login(b, "nb_officer2", PASSWORD).status_code == 429  # never logged in from there
            assert _login(b, "someone_else", "wrong-password").status_code == 429
    finally:
        forget_apps()


def _count(db: Database) -> int:
    with db.reading() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(LoginKnownSource)) or 0)


def test_a_source_is_forgotten_after_thirty_days_and_pruned(db: Database) -> None:
    ticks = [0.0]
    known = KnownSources(db, monotonic=lambda: ticks[0])
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    clock.freeze(start)
    known.remember("nb_leader", "10.0.0.7")
    known.remember("nb_leader", "10.0.0.7")  # an upsert: still one row
    known.remember("nb_officer1", "10.0.0.8")
    assert _count(db) == 2
    clock.freeze(start + timedelta(days=29))
    assert known.age("nb_leader", "10.0.0.7") == 29 * 86400
    assert known.age("nb_leader", "10.0.0.9") is None  # another address
    known.remember("nb_officer1", "10.0.0.8")  # logs in again: remembered afresh
    clock.freeze(start + timedelta(seconds=REMEMBER_GOOD + 1))
    assert known.age("nb_leader", "10.0.0.7") is None  # too old: ignored before it is pruned
    assert known.age("nb_officer1", "10.0.0.8") is not None
    known.remember("nb_officer2", "10.0.0.9")  # within the hour since the last pruning: none
    assert _count(db) == 3
    ticks[0] += PRUNE_EVERY
    known.remember("nb_officer2", "10.0.0.9")  # prunes the forgotten entries, in one statement
    assert _count(db) == 2
    assert known.age("nb_officer1", "10.0.0.8") is not None


class Unreachable(KnownSources):
    def __init__(self) -> None:
        pass

    def remember(self, username: str, source: str) -> None:
        raise OSError("database down")

    def age(self, username: str, source: str) -> float | None:
        raise OSError("database down")


def test_without_the_database_a_blocked_source_stays_blocked_and_a_login_stands() -> None:
    from haiquan.kit.logins import LoginPolicy, LoginThrottle

    t = LoginThrottle(LoginPolicy(source_failures=2), now=lambda: 100.0, known=Unreachable())
    t.succeeded("nb_officer1", "192.0.2.1")  # remembered by this worker only
    t.failed("a", "192.0.2.1")
    t.failed("b", "192.0.2.1")
    assert t.wait("nb_officer1", "192.0.2.1") is None
    refused = t.wait("nb_officer2", "192.0.2.1")
    assert refused is not None
    assert refused[1] == "source_blocked"
