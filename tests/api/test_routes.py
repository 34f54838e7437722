"""Routers are included hottest first, which is only safe while no path of one router can be taken by
another: every documented operation, with its parameters filled in, is matched by exactly one router."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Match


def test_every_operation_is_matched_by_exactly_one_router(app: Any) -> None:
    operations = [(m.upper(), p) for p, item in app.openapi()["paths"].items() for m in item]
    assert len(operations) >= 60
    for method, path in operations:
        concrete = re.sub(r"\{[^}]+\}", "ZZ9", path)
        scope = {"type": "http", "path": concrete, "method": method, "root_path": "", "headers": []}
        full = [r for r in app.router.routes if r.matches(dict(scope))[0] == Match.FULL]
        assert len(full) == 1, (method, path, full)
