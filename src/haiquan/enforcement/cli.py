"""`haiquan enforcement report`: the articles' figures for a unit and period, optionally as Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from haiquan.enforcement import export, reports
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError

console = Console()
app = typer.Typer(help="Anti-smuggling and drug enforcement: reports", no_args_is_help=True)
CLI = Principal(kind="officer", id="cli", name="cli", scope=Scope(units=None), unit="00", role="analyst")


@app.command("report")
def report(
    unit: Annotated[str, typer.Option(help="Unit code; the report covers the units under it")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    xlsx: Annotated[Path | None, typer.Option(help="Also write an Excel workbook here")] = None,
    lang: Annotated[str, typer.Option(help="vi or en")] = "vi",
    period: Annotated[str, typer.Option(help="month, quarter or half (displacement sheets)")] = "quarter",
) -> None:
    """Print the articles' sentence and figures for a unit and period."""
    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        fail(f"dates are YYYY-MM-DD: {exc}")
    try:
        with database().unit_of_work() as uow:
            w = reports.window(uow.session, principal=CLI, unit=unit, start=start, end=end)
            summary = reports.summary_report(uow.session, principal=CLI, w=w)
            disp = reports.displacement(
                uow.session, principal=CLI, w=w, period=period, metric="cases", case_field=None
            )
    except DomainError as exc:
        fail(f"{exc.field or 'error'}: {exc.message}")
    console.print(summary["text_en" if lang == "en" else "text_vi"])
    table = Table("category", "grams", "tablets", "pieces", "litres", "value_vnd")
    for row in summary["substances"] + summary["goods"]:
        table.add_row(
            row["category"], *(str(row[k]) for k in ("grams", "tablets", "pieces", "litres", "value_vnd"))
        )
    console.print(table)
    if xlsx is not None:
        xlsx.write_bytes(export.workbook(summary, disp, "en" if lang == "en" else "vi"))
        console.print(f"written {xlsx}")
