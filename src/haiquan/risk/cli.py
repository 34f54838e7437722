"""Command line for the risk engine; the main CLI mounts this app as ``haiquan risk``."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from haiquan.risk.learned.kcs import ID_COLUMN, KcsFormatError, read_kcs
from haiquan.risk.learned.model import ModelFormatError, RiskModel
from haiquan.risk.learned.training import TrainConfig, train

app = typer.Typer(
    help="Risk engine: train and apply the learned fraud score on KCS-format declaration files."
)
console = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=2)


def _metrics_table(model: RiskModel, seconds: float) -> Table:
    table = Table(title="Learned fraud score")
    table.add_column("figure")
    table.add_column("value", justify="right")
    window = model.metadata["train_window"]
    table.add_row(
        "training window", f"{window['first_date']} .. {window['last_date']} ({window['rows']} rows)"
    )
    table.add_row("blend weight (critical head)", f"{model.blend_weight:g}")
    table.add_row("training seconds", f"{seconds:.1f}")
    for name, value in model.metadata.get("valid_metrics", {}).items():
        table.add_row(f"valid {name}", f"{value:.4f}")
    return table


@app.command("train")
def train_command(
    train_path: Path | None = typer.Option(None, "--train", help="labelled KCS CSV used for training"),
    model_path: Path = typer.Option(
        ..., "--model", help="where to write the model file (a folder with --from-database)"
    ),
    valid_path: Path | None = typer.Option(
        None, "--valid", help="later labelled KCS CSV, for the report only"
    ),
    seed: int = typer.Option(0, "--seed", help="random seed of the boosters"),
    from_database: bool = typer.Option(
        False,
        "--from-database",
        help="train from the platform's declarations and labels, compare with the champion",
    ),
    cutoff: str | None = typer.Option(
        None, "--cutoff", help="with --from-database: YYYY-MM-DD (default: 90 days ago)"
    ),
    test_days: int = typer.Option(
        90, "--test-days", help="with --from-database: the held-out period after the cut-off"
    ),
) -> None:
    """Train the learned fraud score and write a versioned model file."""
    if from_database:
        from haiquan.risk.platform_cli import train_from_database

        train_from_database(model_path, cutoff, test_days, seed)
        return
    if train_path is None:
        raise _fail("give --train FILE, or --from-database")
    try:
        frame = read_kcs(train_path, require_labels=True)
        valid = read_kcs(valid_path, require_labels=True) if valid_path else None
    except KcsFormatError as exc:
        raise _fail(str(exc)) from exc
    started = time.perf_counter()
    with console.status("training…") as status:
        model = train(frame, TrainConfig(seed=seed), valid=valid, progress=lambda m: status.update(m))
    seconds = time.perf_counter() - started
    model.metadata["training_seconds"] = round(seconds, 2)
    model.save(model_path)
    console.print(_metrics_table(model, seconds))
    console.print(f"model written to {model_path}")


@app.command("score")
def score_command(
    model_path: Path = typer.Option(..., "--model", help="model file written by `train`"),
    input_path: Path = typer.Option(..., "--input", help="KCS CSV to score (labels not needed)"),
    output_path: Path = typer.Option(..., "--output", help="CSV written with `Declaration ID,score`"),
) -> None:
    """Score declarations; higher score = more likely fraud."""
    try:
        model = RiskModel.load(model_path)
        frame = read_kcs(input_path)
    except (ModelFormatError, KcsFormatError) as exc:
        raise _fail(str(exc)) from exc
    scores = model.score(frame)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({ID_COLUMN: frame[ID_COLUMN], "score": scores}).to_csv(output_path, index=False)
    console.print(f"{len(frame)} declarations scored into {output_path}")


if __name__ == "__main__":
    app()
