"""`haiquan cargo ...`: close the write-off of the manifests past their legal period now (the server also
does it every minute, with the escalations)."""

from __future__ import annotations

from collections.abc import Iterable

import typer
from rich.console import Console
from rich.progress import track

from haiquan.cargo import writeoff
from haiquan.cargo.tables import ManifestRow
from haiquan.kit.cli_support import database
from haiquan.kit.settings import get_settings

console = Console()
cargo_app = typer.Typer(help="Cargo manifests and their write-off", no_args_is_help=True)


def _progress(manifests: list[ManifestRow]) -> Iterable[ManifestRow]:
    return track(manifests, description="Writing off", console=console, disable=len(manifests) < 20)


@cargo_app.command("writeoff-close")
def writeoff_close() -> None:
    """Close every manifest past its legal period (settings.writeoff_days after arrival), each once: its
    discrepancy report, an alert when a bill is undischarged or over-discharged, an event."""
    with database().unit_of_work() as uow:
        reports = writeoff.close_all_due(uow.session, days=get_settings().writeoff_days, each=_progress)
        uow.commit()
    wrong = sum(1 for r in reports if r.undischarged or r.over_discharged)
    console.print(f"{len(reports)} manifests written off, {wrong} with discrepancies")
