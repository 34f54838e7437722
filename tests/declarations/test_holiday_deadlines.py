"""The legal time limit of a check skips public holidays (the shipped holidays file), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from haiquan.kit import clock
from tests.declarations.test_flow import force_lane
from tests.support import World, import_declaration


def test_a_documents_check_registered_before_tet_is_due_after_it(world: World, app: Any) -> None:
    force_lane(app, "yellow")
    clock.freeze(datetime(2026, 2, 13, 9, 30, tzinfo=UTC))  # Friday 16:30 in Viet Nam; Tết 16-20/2/2026
    number = world.lodge(import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    due = datetime.fromisoformat(r.json()["check_deadline"].replace("Z", "+00:00"))
    # 30 minutes on Friday, then Monday 23/2 from 07:00 (not Monday 16/2, the eve of Tết)
    assert clock.to_vn(due) == datetime(2026, 2, 23, 8, 30, tzinfo=clock.VN)
