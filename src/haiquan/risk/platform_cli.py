"""`haiquan risk train --from-database`: a challenger trained from the platform's labels, compared with
the champion on the later held-out period; the comparison is stored for an analyst's decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from haiquan.kit import clock
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.risk import retraining
from haiquan.risk.learned.training import TrainConfig

console = Console()
ROWS = (
    "precision",
    "duty_per_inspection",
    "fraud_captured",
    "critical_captured",
    "declarations",
    "inspected",
)


def train_from_database(model_dir: Path, cutoff: str | None, test_days: int, seed: int) -> None:
    if cutoff is None:
        cut = clock.now() - timedelta(days=test_days)
    else:
        try:
            cut = datetime.strptime(cutoff, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            fail(f"--cutoff {cutoff!r}: expected YYYY-MM-DD", 2)
    try:
        with database().unit_of_work() as uow:
            row = retraining.train_and_compare(
                uow.session, cutoff=cut, test_to=cut + timedelta(days=test_days), model_dir=model_dir,
                actor="cli:analyst", config=TrainConfig(seed=seed, fraud_rounds=150, critical_rounds=100),
            )  # fmt: skip
            uow.commit()
    except DomainError as exc:
        fail(str(exc), 2)
    table = Table(
        "figure", "challenger", "champion", title=f"comparison {row.id} (challenger {row.challenger})"
    )
    for name in ROWS:
        ours, theirs = row.metrics["challenger"].get(name), row.metrics["champion"].get(name)
        table.add_row(name, _fmt(ours), _fmt(theirs))
    console.print(table)
    console.print(
        f"champion: {row.metrics['champion_source']}; inspected share {row.metrics['inspected_share']:.1%}"
    )
    console.print(
        "promotion is an analyst's decision: POST /api/v1/risk/comparisons/{id}/decision or /risk/comparisons"
    )


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
