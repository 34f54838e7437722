"""`haiquan reference ...`: load the reference files, look up a rate or a tariff line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.cli_support import database, fail
from haiquan.reference import domain, service
from haiquan.reference.domain import ReferenceFileError

console = Console()
app = typer.Typer(
    help="Reference data: HS nomenclature, national tariff lines, exchange rates", no_args_is_help=True
)

T = TypeVar("T")
FileOption = Annotated[Path | None, typer.Option(dir_okay=False, help="CSV file (default: the shipped one)")]


@app.command("load")
def load(hs: FileOption = None, tariff: FileOption = None, rates: FileOption = None) -> None:
    """Load (upsert) the HS nomenclature, the tariff lines and the exchange rates in one transaction."""
    steps: list[tuple[str, Path, Callable[..., dict[str, int]]]] = [
        ("HS nomenclature", hs or domain.HS_FILE, service.load_hs),
        ("tariff lines", tariff or domain.TARIFF_FILE, service.load_tariff),
        ("exchange rates", rates or domain.RATES_FILE, service.load_exchange_rates),
    ]
    results: list[tuple[str, Path, dict[str, int]]] = []
    try:
        with database().unit_of_work() as uow, Progress(console=console, transient=True) as progress:
            task = progress.add_task("loading reference data", total=len(steps))
            for label, path, loader in steps:
                progress.update(task, description=f"loading {label} ({path.name})")
                results.append((label, path, loader(uow.session, path=path)))
                progress.advance(task)
            uow.commit()
    except ReferenceFileError as exc:
        fail(str(exc))
    table = Table("data", "file", "added", "changed", "unchanged", "total")
    for label, path, counts in results:
        table.add_row(
            label,
            path.name,
            *(str(counts[k]) for k in ("added", "changed", "unchanged", "total")),
        )
    console.print(table)


def _session_call(fn: Callable[[Session], T]) -> T:
    with database().unit_of_work() as uow:
        return fn(uow.session)


@app.command("rate")
def rate(
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. USD")],
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today in Viet Nam)")] = None,
) -> None:
    """The customs exchange rate of a currency on a date (the latest rate valid from that date or before)."""
    try:
        day = date.fromisoformat(on) if on else clock.today_vn()
    except ValueError:
        fail(f"--date {on!r} is not a date (YYYY-MM-DD)")
    entry = _session_call(lambda s: service.exchange_rate_entry(s, currency=currency, on=day))
    if entry is None:
        fail(f"no {currency.upper()} rate on {day}", 1)
    valid_from, amount = entry
    since = "" if valid_from == date.min else f" (valid from {valid_from})"
    console.print(f"1 {currency.upper()} = {amount.normalize():f} VND on {day}{since}")


@app.command("tariff")
def tariff(
    hs8: Annotated[str, typer.Argument(help="8-digit national code, e.g. 85171300 or 8517.13.00")],
) -> None:
    """Show a national tariff line with its rates (percent)."""
    line = _session_call(lambda s: service.tariff_line(s, hs8=hs8))
    if line is None:
        fail(f"no tariff line {hs8}", 1)
    console.print(f"[bold]{line.hs8}[/bold] {line.description_vi} / {line.description_en} ({line.unit})")
    table = Table("tax", "rate %")
    for label, value in (
        ("MFN import", line.mfn_rate),
        ("VAT", line.vat_rate),
        ("excise", line.excise_rate),
        ("export", line.export_rate),
        *((f"{k} preferential", service.preferential_rate(line, k)) for k in sorted(line.preferential)),
    ):
        table.add_row(label, "" if value is None else f"{value.normalize():f}")
    console.print(table)
