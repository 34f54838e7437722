"""The OpenAPI description the API tests read (built once per module: it depends on the code only)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    from haiquan.app import openapi_document

    return openapi_document()
