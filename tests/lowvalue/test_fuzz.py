"""Fuzz the low-value operations from the OpenAPI schema (schemathesis) as the express company that owns
them, an officer and another enterprise: no input gives a 5xx, every error is application/problem+json.
(tests/api/test_fuzz.py covers every operation, but not as a carrier, so never past the role check.)"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.lowvalue.test_api import EXPRESS
from tests.support import World


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_no_input_gives_a_server_error(app: Any, world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    who = (world.ent(EXPRESS), world.off("nb_leader"), world.ent("0100109106"))
    operations = [op.ok() for op in schema.get_all_operations()]  # type: ignore[union-attr]
    mine = [op for op in operations if op.path.startswith("/api/v1/lowvalue/")]
    assert len(mine) == 7
    for op in mine:

        @given(case=op.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
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
