"""Composition: the `haiquan` command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from haiquan.kit import audit
from haiquan.kit.cli_support import database, fail
from haiquan.kit.settings import get_settings
from haiquan.organization.cli import enterprise_app, officer_app, unit_app
from haiquan.sharing.cli import sharing_app

console = Console()
app = typer.Typer(
    help="haiquan: smart-customs platform", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema")
audit_app = typer.Typer(help="The tamper-evident audit log")
app.add_typer(db_app, name="db")
app.add_typer(unit_app, name="unit")
app.add_typer(officer_app, name="officer")
app.add_typer(enterprise_app, name="enterprise")
app.add_typer(audit_app, name="audit")
app.add_typer(sharing_app, name="sharing")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration."""
    from haiquan.kit.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    console.print(f"database at head ({url.split('@')[-1]})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain and name the first broken entry."""
    with database().unit_of_work() as uow:
        count, broken = audit.verify(uow.session)
    if broken is not None:
        fail(
            f"audit chain broken at entry seq={broken.seq} id={broken.id}: {broken.reason} ({count} checked)",
            1,
        )
    console.print(f"audit log intact: {count} entries verified")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only)")] = 1,
    unit: Annotated[str | None, typer.Option(help="Unit this node serves (HAIQUAN_UNIT)")] = None,
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

    uvicorn.run(
        "haiquan.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


def main() -> None:
    from haiquan.kit.logging import configure

    s = get_settings()
    configure(s.log_level, s.log_json)
    app()


if __name__ == "__main__":
    main()
