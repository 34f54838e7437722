"""`haiquan applications ...`: flag the applications past their legal deadline now (the server also does
it every minute, with the escalations)."""

from __future__ import annotations

import typer
from rich.console import Console

from haiquan.applications import service
from haiquan.kit.cli_support import database

console = Console()
applications_app = typer.Typer(
    help="Traders' applications decided within legal deadlines", no_args_is_help=True
)


@applications_app.command("overdue")
def overdue() -> None:
    """Flag every undecided application past its legal deadline (an event each, once)."""
    with database().unit_of_work() as uow:
        n = service.flag_overdue(uow.session)
        uow.commit()
    console.print(f"{n} applications overdue")
