"""Composition: the `haiquan` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from haiquan.agencies.cli import agencies_app
from haiquan.applications.cli import applications_app
from haiquan.cargo.cli import cargo_app
from haiquan.conveyances.cli import conveyances_app
from haiquan.enforcement.cli import app as enforcement_app
from haiquan.kit.audit_cli import audit_app
from haiquan.kit.cli_support import DatabaseGuard, database, fail, require_migrated
from haiquan.kit.settings import REPO_ROOT, get_settings
from haiquan.organization.cli import enterprise_app, officer_app, unit_app
from haiquan.origin.cli import app as origin_app
from haiquan.payments.cli import payments_app, revenue_app
from haiquan.reference.cli import app as reference_app
from haiquan.reports.cli import reports_app
from haiquan.risk.cli import app as risk_app
from haiquan.risk.engine_cli import engine_app
from haiquan.sharing.cli import sharing_app
from haiquan.supervision.cli import app as supervision_app
from haiquan.taxes.cli import taxes_app

console = Console()
app = typer.Typer(
    cls=DatabaseGuard,
    help="haiquan: smart-customs platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema")
docs_app = typer.Typer(help="Documents generated from the code")
app.add_typer(db_app, name="db")
app.add_typer(docs_app, name="docs")
app.add_typer(unit_app, name="unit")
app.add_typer(officer_app, name="officer")
app.add_typer(enterprise_app, name="enterprise")
app.add_typer(audit_app, name="audit")
app.add_typer(reference_app, name="reference")
app.add_typer(risk_app, name="risk")
app.add_typer(enforcement_app, name="enforcement")
app.add_typer(payments_app, name="payments")
app.add_typer(revenue_app, name="revenue")
app.add_typer(reports_app, name="reports")
app.add_typer(engine_app, name="risk-engine")
app.add_typer(supervision_app, name="supervision")
app.add_typer(origin_app, name="origin")
app.add_typer(sharing_app, name="sharing")
app.add_typer(agencies_app, name="agencies")
app.add_typer(applications_app, name="applications")
app.add_typer(taxes_app, name="taxes")
app.add_typer(conveyances_app, name="conveyances")
app.add_typer(cargo_app, name="cargo")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration."""
    from haiquan.kit.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    console.print(f"database at head ({url.split('@')[-1]})")


@docs_app.command("openapi")
def docs_openapi(
    output: Annotated[Path, typer.Option(help="Where to write it")] = REPO_ROOT / "docs" / "openapi.json",
) -> None:
    """Write the OpenAPI description (committed as docs/openapi.json; tests/api/test_openapi.py compares)."""
    from haiquan.app import openapi_document
    from haiquan.kit.openapi import as_text

    output.write_text(as_text(openapi_document()), encoding="utf-8")
    console.print(f"OpenAPI description written to {output}")


WORKER_HEALTHCHECK_S = 30


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (PostgreSQL only); one at a time holds each duty and the federation link"
        ),
    ] = 1,
    unit: Annotated[
        str | None,
        typer.Option(help="Unit this node serves; a regional hub: its departments, 31,32,… (HAIQUAN_UNIT)"),
    ] = None,
    nats: Annotated[
        str | None, typer.Option(help="NATS URL of this node's server (HAIQUAN_NATS_URL)")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="Unit of the parent node (HAIQUAN_PARENT_NODE)")] = None,
    children: Annotated[str | None, typer.Option(help="Child nodes' units (HAIQUAN_CHILD_NODES)")] = None,
) -> None:
    """Serve the API and the pages (a federated node with --unit and --nats)."""
    import os

    import uvicorn

    for name, value in (
        ("UNIT", unit),
        ("NATS_URL", nats),
        ("PARENT_NODE", parent),
        ("CHILD_NODES", children),
    ):
        if value is not None:
            os.environ[f"HAIQUAN_{name}"] = value  # handed to the settings object of the served app
    get_settings.cache_clear()
    require_migrated()

    uvicorn.run(
        "haiquan.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # a worker that does not answer uvicorn's ping in this time is killed as hung (5 s by default: on a
        # loaded machine a worker busy with a federation backlog can miss it, and the link would move)
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        log_level="warning",
        proxy_headers=False,  # the client address is the socket's peer: no X-Forwarded-For decides access
    )


demo_app = typer.Typer(help="Demo data")
app.add_typer(demo_app, name="demo")


@demo_app.command("seed")
def demo_seed(
    declarations: Annotated[int, typer.Option(help="How many demo declarations")] = 300,
) -> None:
    """Load units, reference data, officers, enterprises and declarations (idempotent)."""
    import os

    from rich.table import Table

    from haiquan.demo.world import DEMO_PASSWORD, seed

    settings = get_settings()
    try:  # before anything is committed: the API keys printed below must have somewhere to go
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the data directory {settings.data_dir}: {exc.strerror}", 1)
    if not os.access(settings.data_dir, os.W_OK):
        fail(f"the data directory {settings.data_dir} is not writable (the demo's API keys go there)", 1)
    result = seed(database(), settings, declarations_count=declarations)
    if result.already:
        console.print(
            f"demo data already present; officers log in with password [bold]{DEMO_PASSWORD}[/bold]"
        )
        console.print(f"API keys of the demo enterprises: {settings.data_dir / 'demo-credentials.json'}")
        return
    table = Table(title=f"Demo officers — password: {DEMO_PASSWORD}")
    for col in ("username", "unit", "role"):
        table.add_column(col)
    for row in result.officers:
        table.add_row(*row)
    console.print(table)
    staff = Table(title=f"Demo trader portal staff (/portal/login) — password: {DEMO_PASSWORD}")
    for col in ("username", "enterprise", "role"):
        staff.add_column(col)
    for row in result.staff:
        staff.add_row(*row)
    console.print(staff)
    console.print(
        f"{result.declarations} declarations; API keys in {settings.data_dir / 'demo-credentials.json'}"
    )
    console.print('The demo bank Vietcombank (VCB) confirms payments with api_keys["bank:VCB"] of that file')
    from haiquan.demo.story import describe

    for line in describe(result.vessel):
        console.print(line, highlight=False, soft_wrap=True)


@app.command("simulate")
def simulate(
    url: Annotated[str, typer.Option(help="Base URL of a running haiquan")] = "http://127.0.0.1:8000",
    rate: Annotated[float, typer.Option(help="Declarations per second")] = 2.0,
    duration: Annotated[float, typer.Option(help="Seconds to run")] = 60.0,
    api_key: Annotated[
        list[str] | None, typer.Option(help="Declarant API keys (default: the demo's)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
    years: Annotated[int | None, typer.Option(help="Instead: generate N years of history in bulk")] = None,
    declarations_per_year: Annotated[int, typer.Option(help="With --years: volume per year")] = 13_000_000,
    drift_year: Annotated[
        Path | None,
        typer.Option(help="Instead: write a year with fraud patterns drifting by quarter (KCS CSV)"),
    ] = None,
) -> None:
    """Drive realistic declarant traffic through the public HTTP API (lodge + register); with --years,
    bulk-generate history for the dashboards (daily rollups of every office, with a progress bar)."""
    if drift_year is not None:  # issue #21: benchmarks/risk_drift.py reads the same generator
        from haiquan.demo.drift import simulate_year

        simulate_year(seed=seed).to_csv(drift_year, index=False)
        console.print(f"a simulated year with drifting fraud patterns written to {drift_year}")
        return
    if years is not None:
        from haiquan.reports.cli import simulate_history

        simulate_history(years=years, per_year=declarations_per_year, seed=seed)
        return
    import json
    import random
    import time

    import httpx
    from rich.progress import Progress

    from haiquan.demo.traffic import Stats, one, tariff_codes

    keys = list(api_key or [])
    if not keys:
        creds = get_settings().data_dir / "demo-credentials.json"
        if not creds.exists():
            fail("no --api-key given and no demo credentials: run `haiquan demo seed` first")
        data = json.loads(creds.read_text())
        keys = [k for tax, k in data["api_keys"].items() if tax in ("0100109106", "0101248141", "0302098785")]
    rng, codes, stats = random.Random(seed), tariff_codes(), Stats()
    clients = [httpx.Client(base_url=url, headers={"Authorization": f"Bearer {k}"}, timeout=10) for k in keys]
    total = max(1, int(rate * duration))
    start = time.monotonic()
    with Progress() as progress:
        task = progress.add_task(f"Simulating {rate:g} declarations/s", total=total)
        for i in range(total):
            wait = start + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            one(rng.choice(clients), rng, codes, stats)
            progress.advance(task)
    for c in clients:
        c.close()
    console.print(f"channels: {dict(stats.channels)}  statuses: {dict(stats.statuses)}")
    console.print(
        f"latency p50 {stats.percentile(50):.1f} ms, p99 {stats.percentile(99):.1f} ms; errors: {dict(stats.errors)}"
    )


def main() -> None:
    from haiquan.kit.logging import configure
    from haiquan.reference import holidays
    from haiquan.reference.domain import ReferenceFileError

    s = get_settings()
    configure(s.log_level, s.log_json)
    try:
        holidays.install(s)  # the public holidays the legal time limits skip
    except ReferenceFileError as exc:
        console.print(f"[red]error:[/red] HAIQUAN_HOLIDAYS_FILE: {exc}")
        raise SystemExit(2) from exc
    app()


if __name__ == "__main__":
    main()
