"""`haiquan taxes ...`: recompute every enterprise's tax position from the ledger now (the server's duty
does it once a day), and show one enterprise's account."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from haiquan.kit import clock
from haiquan.kit.cli_support import database
from haiquan.kit.settings import get_settings
from haiquan.taxes import repository, service
from haiquan.taxes.domain import account

console = Console()
taxes_app = typer.Typer(help="Tax accounts: aging, late interest, enforcement stages", no_args_is_help=True)


@taxes_app.command("recompute")
def recompute(
    on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD; default: today in Vietnam)")] = None,
) -> None:
    """Recompute every enterprise's aging, late interest and stage from the ledger (nightly)."""
    day = date.fromisoformat(on) if on else None
    started = time.perf_counter()
    with database().unit_of_work() as uow, Progress(console=console, transient=True) as bar:
        task = bar.add_task("tax positions", total=None)
        n = service.recompute(uow.session, on=day, rate_per_day=get_settings().tax_late_interest_per_day,
                              progress=lambda k: bar.advance(task, k), actor="cli")  # fmt: skip
        uow.commit()
    console.print(f"{n} tax positions recomputed in {time.perf_counter() - started:.1f} s")


@taxes_app.command("account")
def show(tax_code: Annotated[str, typer.Argument(help="The enterprise's tax code")]) -> None:
    """One enterprise's account today: debts, aging, interest, stage."""
    with database().unit_of_work() as uow:
        debts = repository.unscoped_debts(uow.session, [tax_code]).get(tax_code, [])
        acc = account(debts, clock.today_vn(), get_settings().tax_late_interest_per_day)
    console.print(f"{tax_code}: outstanding {acc.outstanding}, overdue {acc.overdue}, interest {acc.interest}, "
                  f"over 90 days {acc.blocking}, stage {acc.stage.stage.value}")  # fmt: skip
    for i in acc.items:
        console.print(f"  {i.key} {i.regime.value} due {i.due} {i.amount} ({i.days_overdue} days)")
