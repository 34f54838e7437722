"""`haiquan sharing test-events` records the link check's own type (sharing.link_tested): counted in the
per-unit summary like any event, and taken by no consumer that acts on declarations or payments (a link check
once recorded `declaration.registered`, which the payments and the rollups would now take for real)."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.consumers import register_all
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.sharing.catalogue import SharingEvent
from haiquan.sharing.tables import UnitEventTotal
from tests.sharing.test_service_api import seed


def test_link_check_events_are_counted_and_acted_on_by_nothing_else(
    cli_db: Database, settings: Settings
) -> None:
    seed(cli_db)
    args = ["sharing", "test-events", "--unit", "01B1", "--count", "3", "--amount", "1500000"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "3 sharing.link_tested events recorded at 01B1" in result.output
    d = Dispatcher(cli_db)
    register_all(d, settings)
    d.run_once()
    with cli_db.unit_of_work() as uow:
        q = select(UnitEventTotal.count, UnitEventTotal.amount).where(
            UnitEventTotal.unit == "01B1",
            UnitEventTotal.type == SharingEvent.LINK_TESTED,
            UnitEventTotal.dim == "",
        )
        assert [(c, int(a)) for c, a in uow.session.execute(q)] == [(3, 4_500_000)]
    takers = sorted(c.name for c in d.consumers if c.wants(SharingEvent.LINK_TESTED))
    assert takers == ["sharing.agency", "sharing.summary"]
