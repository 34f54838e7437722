"""`haiquan payments bank add|list|disable|enable`: the banks connected to the gateway (payments.banks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.payments import banks

console = Console()
bank_app = typer.Typer(help="Banks connected to the payment gateway", no_args_is_help=True)
ACTOR = "cli:operator"


@bank_app.command("add")
def add(
    code: Annotated[str, typer.Option(help="Bank code, capital letters and digits, e.g. VCB")],
    name: Annotated[str, typer.Option(help="Registered name")],
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the bank, 10 or 13 digits")],
    round_the_clock: Annotated[
        bool, typer.Option("--24-7/--office-hours", help="Confirms payments 24/7, or in office hours only")
    ] = True,
    certificate: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="PEM X.509 certificate for its signed XML confirmations"
        ),
    ] = None,
) -> None:
    """Connect a bank and print its API key once (the key of the bank's enterprise, role `bank`)."""
    try:
        with database().unit_of_work() as uow:
            added = banks.add(uow.session, code=code, name=name, tax_code=tax_code, round_the_clock=round_the_clock,
                              certificate_pem=certificate.read_text() if certificate else None, actor=ACTOR)  # fmt: skip
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    hours = "24/7" if added.bank.round_the_clock else "office hours"
    console.print(f"bank {added.bank.code} ({added.bank.name}, {hours}) connected; API key (shown once):")
    typer.echo(added.api_key)  # alone on its line, for a pipe


@bank_app.command("list")
def listed(all_: Annotated[bool, typer.Option("--all", help="Disabled banks too")] = False) -> None:
    """The banks connected to the gateway."""
    with database().unit_of_work() as uow:
        rows = banks.listed(uow.session, include_disabled=all_)
        table = Table("code", "name", "tax code", "24/7", "XML certificate", "active")
        for b in rows:
            table.add_row(b.code, b.name, b.tax_code, _yes(b.round_the_clock), _yes(bool(b.certificate_pem)),
                          _yes(b.active))  # fmt: skip
    console.print(table if rows else "no bank is connected")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


@bank_app.command("disable")
def disable(
    code: Annotated[str, typer.Option(help="Bank code")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log)")],
) -> None:
    """Refuse a bank's confirmations from now on (what it booked stays)."""
    _set_active(code, reason, active=False)


@bank_app.command("enable")
def enable(
    code: Annotated[str, typer.Option(help="Bank code")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log)")],
) -> None:
    """Take a disabled bank's confirmations again."""
    _set_active(code, reason, active=True)


def _set_active(code: str, reason: str, *, active: bool) -> None:
    if len(reason.strip()) < 3:
        fail("reason: give a reason of 3 characters or more")
    try:
        with database().unit_of_work() as uow:
            row = banks.set_active(
                uow.session, code=code, active=active, reason=reason.strip()[:300], actor=ACTOR
            )
            uow.commit()
            done = f"bank {row.code} {'enabled' if row.active else 'disabled'}"
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(done)


@bank_app.command("revoke-certificate")
def revoke_certificate(
    code: Annotated[str, typer.Option(help="Bank code")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log)")],
) -> None:
    """Revoke a bank's certificate now: its signed XML confirmations are refused until customs registers
    another (`haiquan payments bank-certificate`); its JSON confirmations are not concerned."""
    if len(reason.strip()) < 3:
        fail("reason: give a reason of 3 characters or more")
    try:
        with database().unit_of_work() as uow:
            banks.revoke_certificate(uow.session, code=code, reason=reason.strip()[:300], actor=ACTOR)
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"the certificate of bank {code.strip().upper()} is revoked")
