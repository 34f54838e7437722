"""Fuzz every API operation from the OpenAPI schema (schemathesis): no input gives a 5xx, and every
error is application/problem+json."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import create_engine, text

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.support import World, build_world, import_declaration

# CI runs the same derandomised examples every time; HAIQUAN_FUZZ_EXPLORE=1 HAIQUAN_FUZZ_EXAMPLES=200 explores.
EXPLORE = os.environ.get("HAIQUAN_FUZZ_EXPLORE") == "1"
EXAMPLES = int(os.environ.get("HAIQUAN_FUZZ_EXAMPLES", "20"))
# bodies schemathesis has no serializer for, sent as what they are: EDIFACT and CSV text, a workbook's bytes
schemathesis.serializer.alias("application/EDIFACT", "text/plain")
schemathesis.serializer.alias("application/edifact", "text/plain")
schemathesis.serializer.alias("text/csv", "text/plain")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> Iterator[tuple[Any, World]]:
    """On PostgreSQL, in a database of its own: its column types (32-bit integers, varchar lengths) are
    what overflowed into 5xx (issue #25 finding 3); SQLite stores anything."""
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp: Path = tmp_path_factory.mktemp("fuzz")
    name = pg_url.rsplit("/", 1)[1] + "_fuzz"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(pg_url.rsplit("/", 1)[0] + "/" + name)
    db.create_all()
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(Settings(data_dir=tmp, secret_key="f" * 40, run_dispatcher=False), db)
    with TestClient(app) as client:
        world = build_world(app, client)
        world.lodge(import_declaration())
        yield app, world
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_no_input_gives_a_server_error(fuzz_env: tuple[Any, World]) -> None:
    app, world = fuzz_env
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    who = (world.ent("0100109106"), world.off("nb_leader"), world.off("admin"))
    operations = [op.ok() for op in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not EXPLORE,
        )
        def check(case: Any) -> None:
            for headers in who:
                response = case.call(headers=headers)
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
                )
                if response.status_code >= 400:
                    ctype = response.headers.get("content-type", [""])
                    ctype = ctype[0] if isinstance(ctype, list) else ctype
                    assert ctype.startswith("application/problem+json"), response.text

        check()
