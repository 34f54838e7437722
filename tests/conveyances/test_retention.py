"""People's data is anonymised after the retention period by `haiquan conveyances purge` (with its progress
bar), batch by batch; reports and their versions stay; a purged report can no longer be amended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.conveyances.tables import ConveyanceVersionRow, PersonRow, ScreeningHitRow
from haiquan.kit import clock
from tests.conveyances.helpers import CARRIER, TARGETING, arrival, conveyance_world
from tests.support import World


def test_purge_anonymises_people_past_the_retention_period(world: World, app: Any, cli_db: Any) -> None:
    conveyance_world(world, app)
    watch = {"name": "Pham Thi Khach0", "reason": "test", "source": "test"}
    assert world.post("/api/v1/conveyance-watchlist", world.off(TARGETING), watch).status_code == 201
    now = datetime.now(UTC)
    old = [
        arrival(reference=f"OLD-{i}", scheduled_at=(now - timedelta(days=120 + i)).isoformat())
        for i in range(3)
    ]
    ids = [world.post("/api/v1/conveyances", world.ent(CARRIER), b).json()["id"] for b in old]
    recent = world.post("/api/v1/conveyances", world.ent(CARRIER), arrival(reference="NEW")).json()["id"]
    with cli_db.unit_of_work() as uow:
        assert (
            uow.session.scalar(select(func.count()).select_from(ScreeningHitRow)) == 12
        )  # Khach0, and Khach1-2 (fuzzy)
    result = CliRunner().invoke(cli.app, ["conveyances", "purge", "--days", "90", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "15 persons of 3 reports anonymised (retention 90 days)" in result.output
    with cli_db.unit_of_work() as uow:
        s = uow.session
        gone = s.scalars(select(PersonRow).where(PersonRow.conveyance_id.in_(ids))).all()
        assert {(p.family_name, p.document_number, p.date_of_birth, p.anonymised) for p in gone} == {
            ("", "", None, True)
        }
        assert {p.nationality for p in gone} == {"VNM"}  # kept for statistics
        kept = s.scalars(select(PersonRow).where(PersonRow.conveyance_id == recent)).all()
        assert all(p.family_name for p in kept)
        assert s.scalar(select(func.count()).select_from(ScreeningHitRow)) == 3
        assert s.scalar(select(func.count()).select_from(ConveyanceVersionRow)) == 4
    r = world.client.get(f"/api/v1/conveyances/{ids[0]}", headers=world.ent(CARRIER))
    assert r.json()["persons_purged"] is True
    r = world.client.put(f"/api/v1/conveyances/{ids[0]}", json=old[0], headers=world.ent(CARRIER))
    assert r.status_code == 409
    again = CliRunner().invoke(cli.app, ["conveyances", "purge", "--days", "90"])
    assert "0 persons of 0 reports" in again.output
    clock.freeze(now + timedelta(days=200))
    later = CliRunner().invoke(cli.app, ["conveyances", "purge"])  # the settings' 90 days
    assert "5 persons of 1 reports" in later.output
