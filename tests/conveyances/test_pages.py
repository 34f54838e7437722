"""Officers' pages: arrivals and departures of their units (Vietnamese first, English), and the people
flagged, for targeting officers only, each view audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from haiquan.kit.tables import AuditEntry
from tests.conveyances.helpers import CARRIER, TARGETING, arrival, conveyance_world
from tests.support import World


def _page(world: World, who: str, path: str) -> Any:
    return world.client.get(path, headers=world.off(who))


def test_officers_see_their_units_arrivals_and_targeting_officers_the_flagged(world: World, app: Any) -> None:
    conveyance_world(world, app)
    watch = {"name": "Phạm Thị Khach1", "reason": "Smuggling gold", "source": "case 7/2026"}
    assert world.post("/api/v1/conveyance-watchlist", world.off(TARGETING), watch).status_code == 201
    assert world.post("/api/v1/conveyances", world.ent(CARRIER), arrival()).status_code == 201
    r = _page(world, "hp_officer", "/conveyances")
    assert r.status_code == 200
    assert "Phương tiện xuất cảnh, nhập cảnh" in r.text
    assert "VINALINES GLORY" in r.text
    assert "Nghi vấn" not in r.text
    assert "Arrivals and departures" in _page(world, "hp_officer", "/conveyances?lang=en").text
    assert "VINALINES GLORY" not in _page(world, "nb_officer1", "/conveyances").text
    assert _page(world, "hp_officer", "/conveyances/screening").status_code == 403
    r = _page(world, TARGETING, "/conveyances/screening")
    assert r.status_code == 200
    assert "Khach1" in r.text
    assert "Smuggling gold" in r.text
    with app.state.db.unit_of_work() as uow:
        actors = uow.session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "conveyances.screening_read")
        ).all()
    assert list(actors) == [f"officer:{TARGETING}"]
