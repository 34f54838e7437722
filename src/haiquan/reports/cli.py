"""`haiquan reports ...`: export any figure, generate bulk history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.organization.service import load_tree
from haiquan.reports import bulk, exports, queries

console = Console()
reports_app = typer.Typer(help="Reports: exports and bulk history", no_args_is_help=True)


@reports_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help=", ".join(queries.FIGURES))],
    unit: Annotated[str, typer.Option("--unit")] = "00",
    date_from: Annotated[str | None, typer.Option("--from")] = None,
    date_to: Annotated[str | None, typer.Option("--to")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="file.xlsx or file.csv; JSON to stdout if absent")
    ] = None,
) -> None:
    """Export one figure of one unit (the operator sees every unit)."""
    if name not in queries.FIGURES:
        fail(f"unknown report {name}; one of {', '.join(queries.FIGURES)}")
    end = date.fromisoformat(date_to) if date_to else clock.today_vn()
    start = date.fromisoformat(date_from) if date_from else date(end.year, 1, 1)
    with database().unit_of_work() as uow:
        try:
            v = queries.view(
                load_tree(uow.session), Scope(units=None), node=unit, start=start, end=end, home=None
            )
            fn = queries.FIGURES[name]
            data = fn(uow.session, v)
        except DomainError as exc:
            fail(exc.message)
    if out is None:
        console.print_json(json.dumps(data, default=str, ensure_ascii=False))
    elif out.suffix == ".csv":
        out.write_text(exports.to_csv(name, data), encoding="utf-8")
    else:
        out.write_bytes(exports.to_xlsx(name, data))


@reports_app.command("simulate-history")
def simulate_history(
    years: Annotated[int, typer.Option("--years", min=1, max=30)] = 10,
    per_year: Annotated[int, typer.Option("--declarations-per-year", min=1)] = 13_000_000,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """Generate daily rollups for every sub-department (replacing the period's rollups)."""
    from haiquan.demo import history  # simulation: loaded only by this command

    db = database()
    with db.unit_of_work() as uow:
        tree = load_tree(uow.session)
        offices = history.offices_of(tree)
    if not offices:
        fail("no units loaded: run `haiquan unit load` first")
    plan = history.Plan(years=years, per_year=per_year, end=clock.today_vn(), offices=offices, seed=seed)
    rows = history.run(db.engine, plan, tree=tree)
    console.print(f"{rows:,} rollup rows for {len(offices)} offices, {plan.start} → {plan.end}")


@reports_app.command("rebuild-totals")
def rebuild_totals() -> None:
    """Recompute the pre-summed department/nation rows and the running balances from the offices' rows."""
    db = database()
    with db.unit_of_work() as uow:
        tree = load_tree(uow.session)
    console.print(f"{bulk.rebuild_totals(db.engine, tree):,} pre-summed rows written")
