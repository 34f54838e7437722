"""The low-value path has its own writer, its own admission gate, and can be served elsewhere."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from haiquan.kit.settings import Settings
from haiquan.lowvalue import repository
from haiquan.lowvalue.runtime import LOCAL_HOSTS
from tests.lowvalue.test_api import EXPRESS, item, manifest, send
from tests.services import need_service
from tests.support import World


def test_its_own_writer_and_gate(app: Any, world: World) -> None:
    lv = app.state.lowvalue
    assert lv.writer is not app.state.writer
    assert lv.writer.name == "hq-lowvalue-writer"
    assert send(world, manifest([item(1)])).status_code == 200
    lv.gate.active, lv.gate.queue = lv.gate.limit, 0  # as many bulks in progress as admitted, none may wait
    busy = send(world, manifest([item(2)]))
    assert (busy.status_code, busy.json()["code"]) == (503, "busy")
    assert busy.headers["Retry-After"] == "1"
    lv.gate.active = 0
    assert send(world, manifest([item(2)])).json()["new"] == 1


def test_a_bulk_wholly_rejected_leaves_no_manifest(world: World) -> None:
    out = send(world, manifest([item(1, value="0")])).json()
    assert (out["manifest_id"], out["accepted"], out["rejected"]) == (None, 0, 1)


def test_workers_that_do_not_serve_low_value_send_callers_elsewhere(world: World, settings: Settings) -> None:
    world.client.app.state.lowvalue.settings = settings.model_copy(update={"lowvalue_serve": False})  # type: ignore[attr-defined]
    r = send(world, manifest([item(1)]))
    assert (r.status_code, r.json()["code"]) == (503, "lowvalue_elsewhere")
    got = world.client.get("/api/v1/lowvalue/parcels", headers=world.ent(EXPRESS))
    assert got.status_code == 503


def test_a_parcel_lodged_meanwhile_by_another_worker_is_a_409_and_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def clash(*_: Any, **__: Any) -> None:
        raise IntegrityError("COPY lowvalue_parcels", {}, Exception("duplicate key value"))

    monkeypatch.setattr(repository, "insert_parcels", clash)
    r = send(world, manifest([item(1)]))
    assert (r.status_code, r.json()["code"]) == (409, "concurrent_bulk")
    monkeypatch.undo()
    assert world.client.get("/api/v1/lowvalue/parcels", headers=world.ent(EXPRESS)).json()["items"] == []
    assert send(world, manifest([item(1)])).json()["new"] == 1


def test_a_bulk_beyond_the_limit_is_refused_at_once_not_queued() -> None:
    """None wait by default: a waiting bulk would be checked and written later, competing for the CPU."""
    assert Settings().lowvalue_admission_queue == 0


def test_the_low_value_connections_server_processes_are_niced_where_allowed(pg_url: str) -> None:
    """On a dedicated worker (HAIQUAN_LOWVALUE_NICE) the PostgreSQL server processes of its own connections
    run at the lowered priority too (the bulk's COPY and index upkeep run there), where the database is on
    this host and this process may renice them; never the commercial connections."""
    from sqlalchemy import text

    from haiquan.kit.db import Database
    from haiquan.lowvalue.runtime import _database

    main = Database(pg_url)
    lv = _database(Settings(database_url=pg_url, lowvalue_nice=7), main)
    try:

        def nice_of(db: Database) -> int:
            with db.reading() as uow:
                pid = int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            return os.getpriority(os.PRIO_PROCESS, pid)

        if lv.engine.url.host not in LOCAL_HOSTS or os.geteuid() != 0:
            need_service("the database is not on this host, or this user may not renice its processes")
        assert nice_of(lv) == 7
        assert nice_of(main) == 0
    finally:
        lv.dispose()
        main.dispose()
