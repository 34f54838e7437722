"""Every event a producer records while a test runs is checked against its type's catalogue entry
(kit/catalogue.check_payload: the keys its TypedDict names, each of its type, as the payload travels): a
schema in docs/schemas/events that drifted from what the code records fails the test that recorded it.
Producers pass catalogue members; names a test records itself (plain strings) are left alone."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import pytest

from haiquan.kit import catalogue, outbox


@pytest.fixture(autouse=True)
def _payloads_match_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    problems: list[str] = []
    row_for = outbox.row_for

    def checked(
        *, type: str, unit: str, actor: str, payload: dict[str, Any], version: int = 1
    ) -> dict[str, Any]:
        if isinstance(type, StrEnum):
            try:
                catalogue.check_payload(type, payload)
            except catalogue.PayloadError as exc:
                problems.append(str(exc))
        return row_for(type=type, unit=unit, actor=actor, payload=payload, version=version)

    monkeypatch.setattr(outbox, "row_for", checked)
    yield
    if problems:
        shown = "\n".join(sorted(set(problems))[:10])
        pytest.fail(f"events recorded with payloads their catalogue does not describe:\n{shown}")
