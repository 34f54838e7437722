"""The nightly recompute through the command line and the server's duty, on SQLite and PostgreSQL: every
enterprise that owes gets a position; officers list them worst first within their units."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.db import Database
from tests.payments.helpers import TOTAL, registered
from tests.support import World
from tests.taxes.support import IMPORTER, START

runner = CliRunner()


def test_recompute_by_the_command_line_and_the_duty(world: World, app: Any, cli_db: Database) -> None:
    clock.freeze(START)
    registered(world, app, lane="yellow")
    clock.freeze(START + timedelta(days=100))
    done = runner.invoke(cli.app, ["taxes", "recompute"])
    assert done.exit_code == 0, done.output
    assert "1 tax positions recomputed" in done.output
    shown = runner.invoke(cli.app, ["taxes", "account", IMPORTER])
    assert "stage account_freeze" in shown.output
    r = world.client.get("/api/v1/taxes/positions", headers=world.off("gd_leader"))
    assert r.status_code == 200, r.text
    [pos] = r.json()
    assert pos["tax_code"] == IMPORTER
    assert Decimal(pos["aging"]["over_90"]) == TOTAL
    assert pos["stage"] == "account_freeze"
    assert world.client.get("/api/v1/taxes/positions", headers=world.ent(IMPORTER)).status_code == 403
    stage = world.client.get("/api/v1/taxes/positions?stage=reminder", headers=world.off("gd_leader"))
    assert stage.json() == [], stage.text
    assert app.state.taxes_duty.run_once() == 0  # today's positions exist
    clock.freeze(START + timedelta(days=101))
    assert app.state.taxes_duty.run_once() == 1


def test_the_officer_pages_list_positions_and_show_an_account(
    world: World, app: Any, cli_db: Database
) -> None:
    clock.freeze(START)
    registered(world, app, lane="yellow")
    clock.freeze(START + timedelta(days=100))
    assert runner.invoke(cli.app, ["taxes", "recompute"]).exit_code == 0
    page = world.client.get("/taxes", headers=world.off("nb_leader"))
    assert page.status_code == 200, page.text
    assert IMPORTER in page.text
    assert "Nợ thuế quá hạn" in page.text
    account = world.client.get(f"/taxes/accounts/{IMPORTER}", headers=world.off("nb_leader"))
    assert account.status_code == 200
    assert 'id="tx-aging"' in account.text
    assert "Dừng làm thủ tục hải quan" in account.text
    english = world.client.get(f"/taxes/accounts/{IMPORTER}?lang=en", headers=world.off("nb_leader"))
    assert "Customs procedures stopped" in english.text
    assert world.client.get("/taxes", headers=world.ent(IMPORTER)).status_code in (401, 403)
