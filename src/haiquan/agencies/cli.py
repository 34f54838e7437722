"""`haiquan agencies ...`: load the requirements table, let an enterprise's system or an officer account
speak for an agency, flag overdue permits now (the server also does it every minute)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from haiquan.agencies import service
from haiquan.agencies.requirements import RequirementsFileError
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.organization import service as org
from haiquan.organization.officers import by_username

console = Console()
agencies_app = typer.Typer(help="Other agencies' permits and inspections", no_args_is_help=True)
ACTOR = "cli"


@agencies_app.command("load")
def load(
    file: Annotated[
        Path | None, typer.Argument(dir_okay=False, help="CSV (default: the shipped sample)")
    ] = None,
) -> None:
    """Replace the requirements table (which HS lines need which agency's permit or inspection)."""
    try:
        with database().unit_of_work() as uow:
            total = service.load_requirements(uow.session, path=file, actor=ACTOR)
            uow.commit()
    except RequirementsFileError as exc:
        fail(str(exc))
    console.print(f"{total} requirements loaded")


@agencies_app.command("member")
def member(
    agency: Annotated[str, typer.Option(help="PPD, DAH, VFA, STAMEQ, DAV or MOIT")],
    units: Annotated[str, typer.Option(help="Offices served, comma-separated, or *")],
    tax_code: Annotated[str | None, typer.Option(help="The agency's system (an enterprise)")] = None,
    username: Annotated[str | None, typer.Option(help="An officer account of the agency's staff")] = None,
) -> None:
    """Let an enterprise (its API keys) or an officer account speak for an agency."""
    if (tax_code is None) == (username is None):
        fail("give --tax-code or --username")
    try:
        with database().unit_of_work() as uow:
            s = uow.session
            key = (
                f"enterprise:{org.enterprise_by_tax_code(s, tax_code).id}"
                if tax_code
                else f"officer:{by_username(s, username or '').id}"
            )
            offices = [u.strip().upper() for u in units.split(",") if u.strip()]
            service.set_member(s, principal_key=key, agency=agency, units=offices, actor=ACTOR)
            uow.commit()
    except DomainError as exc:
        fail(exc.message)
    console.print(f"{key} speaks for {agency} ({units})")


@agencies_app.command("overdue")
def overdue() -> None:
    """Flag every undecided permit past its agency's deadline (an event each, once)."""
    with database().unit_of_work() as uow:
        n = service.flag_overdue(uow.session)
        uow.commit()
    console.print(f"{n} permits overdue")
