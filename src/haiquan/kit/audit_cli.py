"""`haiquan audit ...`: verify the chain (against signed checkpoints too), take a checkpoint, export the log
and check an export without the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.console import Console
from rich.progress import Progress

from haiquan.kit import audit, audit_export, checkpoints
from haiquan.kit.checkpoints import CheckpointError
from haiquan.kit.cli_support import database, fail
from haiquan.kit.settings import get_settings

console = Console()
audit_app = typer.Typer(help="The tamper-evident audit log")

PublicKeyOption = Annotated[
    Path | None,
    typer.Option("--public-key", help="PEM public key to check signatures with (default: this node's key)"),
]


def _trusted(given: Path | None) -> Ed25519PublicKey | None:
    """The key signatures are checked with: the one given, else this node's own (when this machine has it)."""
    try:
        if given is not None:
            return checkpoints.load_public_key(given.read_bytes())
        path = checkpoints.key_path(get_settings())
        return checkpoints.load_or_create_key(path).public_key() if path.exists() else None
    except (OSError, CheckpointError) as exc:
        fail(f"public key: {exc}", 2)


def _stored(path: Path | None) -> list[checkpoints.Checkpoint]:
    try:
        return checkpoints.read(path or checkpoints.store_path(get_settings()))
    except (OSError, CheckpointError) as exc:
        fail(f"checkpoints: {exc}", 2)


@audit_app.command("verify")
def audit_verify(
    offline: Annotated[
        Path | None, typer.Option("--offline", help="Check this export file instead of the database")
    ] = None,
    checkpoint_file: Annotated[
        Path | None, typer.Option("--checkpoints", help="Signed checkpoints (default: this node's file)")
    ] = None,
    public_key: PublicKeyOption = None,
) -> None:
    """Walk the hash chain and name the first broken entry; then check it against the signed checkpoints, so
    that deleted last entries or a rewritten history with recomputed hashes are found too."""
    if offline is not None:
        _verify_offline(offline, checkpoint_file, public_key)
        return
    stored = _stored(checkpoint_file)
    with database().unit_of_work() as uow:
        count, broken = audit.verify(uow.session)
        if broken is not None:
            fail(
                f"audit chain broken at entry seq={broken.seq} id={broken.id}: {broken.reason} ({count} checked)",
                1,
            )
        hashes, last = checkpoints.hashes_at(uow.session, sorted({cp.seq for cp in stored}))
    if not stored:
        console.print(f"audit log intact: {count} entries verified (no signed checkpoint yet: take one with "
                      "`haiquan audit checkpoint`)")  # fmt: skip
        return
    trusted = _trusted(public_key)
    if trusted is None:
        fail("no public key to check the checkpoints with: pass --public-key", 2)
    mismatch = checkpoints.check(stored, trusted, hashes, last)
    if mismatch is not None:
        fail(f"audit log contradicts a signed {mismatch}", 1)
    console.print(f"audit log intact: {count} entries verified, {len(stored)} signed checkpoints agree")


def _verify_offline(export: Path, checkpoint_file: Path | None, public_key: Path | None) -> None:
    trusted = _trusted(public_key)
    extra = checkpoints.read(checkpoint_file) if checkpoint_file is not None else []
    try:
        report = audit_export.verify_file(export, trusted, extra)
    except (OSError, CheckpointError) as exc:
        fail(f"{export}: {exc}", 2)
    if report.problem is not None:
        fail(f"{export}: {report.problem} ({report.entries} entries checked)", 1)
    console.print(
        f"{export}: {report.entries} entries verified, {report.checkpoints} signed checkpoints agree"
    )
    if report.key_from_export:
        console.print("[yellow]signatures were checked with the key written in the export itself: pass "
                      "--public-key with a key you hold to know who signed it[/yellow]")  # fmt: skip


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head now and append it to the checkpoint file (also done daily by the server)."""
    settings = get_settings()
    cp = checkpoints.checkpoint_now(database(), settings)
    if cp is None:
        console.print("the audit log is empty: nothing to sign")
        return
    console.print(f"checkpoint seq={cp.seq} hash={cp.hash[:16]}… signed by key {cp.key_id} → "
                  f"{checkpoints.store_path(settings)}")  # fmt: skip


@audit_app.command("public-key")
def audit_public_key() -> None:
    """Print this node's checkpoint public key (PEM), for auditors and `verify --public-key`."""
    key = checkpoints.load_or_create_key(checkpoints.key_path(get_settings()))
    typer.echo(checkpoints.public_pem(key.public_key()), nl=False)


@audit_app.command("export")
def audit_export_cmd(
    out: Annotated[Path, typer.Option("--out", help="File to write (JSON lines)")],
) -> None:
    """Write the whole log, with the signed checkpoints and a new one of its head, to a file that
    `haiquan audit verify --offline` checks without the database."""
    settings = get_settings()
    key = checkpoints.load_or_create_key(checkpoints.key_path(settings))
    known = _stored(None)
    with database().unit_of_work() as uow:
        final = checkpoints.take(uow.session, key, settings.unit)
        total = final.seq if final is not None else 0
        with out.open("w", encoding="utf-8") as f, Progress(console=console, transient=True) as bar:
            task = bar.add_task("exporting the audit log", total=final.entries if final else 0)
            count = audit_export.write(
                uow.session, f, node=settings.unit, public_pem=checkpoints.public_pem(key.public_key()),
                known=known, final=final, progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
    if final is not None:
        checkpoints.append(checkpoints.store_path(settings), final)
    console.print(
        f"{count} entries (up to seq={total}) and {len(known) + (final is not None)} checkpoints → {out}"
    )
