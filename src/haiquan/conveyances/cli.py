"""`haiquan conveyances purge`: anonymise crew and passenger data past the retention period, with a
progress bar, one transaction per batch."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from haiquan.conveyances import retention
from haiquan.conveyances.retention import Purged
from haiquan.kit.cli_support import database
from haiquan.kit.settings import get_settings

console = Console()
conveyances_app = typer.Typer(help="Conveyances: crew and passenger data", no_args_is_help=True)


@conveyances_app.command("purge")
def purge(
    days: Annotated[
        int | None, typer.Option(min=1, help="Retention in days (default: HAIQUAN_PASSENGER_RETENTION_DAYS)")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Reports per transaction")] = 200,
) -> None:
    """Anonymise the crew and passengers of movements older than the retention period."""
    keep = days or get_settings().passenger_retention_days
    db = database()
    with db.unit_of_work() as uow:
        total = retention.pending(uow.session, days=keep)

    def run_batch() -> Purged:
        with db.unit_of_work() as uow:
            done = retention.purge_batch(uow.session, days=keep, batch=batch, actor="cli")
            uow.commit()
        return done

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"Anonymising people older than {keep} days", total=total)
        done = retention.purge_all(run_batch, on_batch=lambda d: progress.advance(task, d.reports))
    console.print(f"{done.persons} persons of {done.reports} reports anonymised (retention {keep} days)")
