"""`haiquan payments ...` (bank reconciliation, certificates) and `haiquan revenue ...` (budget estimates,
figures, refunds, write-offs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from haiquan.kit import clock
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.organization.service import load_tree
from haiquan.payments import banks, budget, ledger, reconcile, service
from haiquan.payments.bank_cli import bank_app
from haiquan.payments.domain import RevenueFigures

console = Console()
payments_app = typer.Typer(
    help="Bank payments: banks, reconciliation, bank certificates", no_args_is_help=True
)
revenue_app = typer.Typer(
    help="Revenue: budget estimates, figures, refunds, write-offs", no_args_is_help=True
)
ACTOR = "cli:operator"
payments_app.add_typer(bank_app, name="bank")


@payments_app.command("reconcile")
def reconcile_cmd(
    bank: Annotated[str, typer.Option("--bank", help="Bank code, e.g. VCB")],
    day: Annotated[str, typer.Option("--date", help="The bank day, YYYY-MM-DD (Vietnam time)")],
    file: Annotated[
        Path, typer.Option("--file", exists=True, dir_okay=False, help="The bank's statement CSV")
    ],
) -> None:
    """List every difference between a bank's statement and the confirmations booked; exit 1 if any."""
    try:
        d = date.fromisoformat(day)
        lines = reconcile.read_statement(file)
        with database().unit_of_work() as uow:
            diffs = reconcile.run(uow.session, bank=bank, day=d, statement=lines, actor=ACTOR)
            uow.commit()
    except (DomainError, ValueError) as exc:
        fail(getattr(exc, "message", str(exc)))
    table = Table("difference", "transaction", "bank amount", "customs amount", "detail")
    for x in diffs:
        table.add_row(
            x.kind, x.transaction_id, str(x.bank_amount or ""), str(x.customs_amount or ""), x.detail
        )
    console.print(table if diffs else f"{bank} {d}: {len(lines)} statement lines, no differences")
    if diffs:
        console.print(f"{len(diffs)} differences")
        raise typer.Exit(1)


@payments_app.command("bank-certificate")
def bank_certificate(
    bank: Annotated[str, typer.Option("--bank")],
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, help="PEM X.509 certificate")],
) -> None:
    """Register the certificate that verifies a bank's signed XML confirmations (customs registers it; it
    must name the bank's tax code and not have expired; it replaces the one before)."""
    try:
        with database().unit_of_work() as uow:
            banks.set_certificate(uow.session, code=bank, pem=file.read_text(), actor=ACTOR)
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"certificate registered for {bank}")


@revenue_app.command("target")
def target(
    action: Annotated[str, typer.Argument(help="set or show")],
    unit: Annotated[str, typer.Option("--unit")],
    year: Annotated[int, typer.Option("--year")],
    amount: Annotated[
        str | None, typer.Option("--amount", help="VND, e.g. 23300000000000 or 23300bn")
    ] = None,
) -> None:
    """`target set --unit 01 --year 2020 --amount 23300bn` or `target show --unit 01 --year 2020`."""
    with database().unit_of_work() as uow:
        tree = load_tree(uow.session)
        if action == "set":
            if amount is None:
                fail("--amount is required")
            try:
                budget.set_target(
                    uow.session, tree=tree, unit=unit, year=year, amount=parse_vnd(amount), actor=ACTOR
                )
            except DomainError as exc:
                fail(exc.message)
            uow.commit()
        elif action != "show":
            fail("action is set or show")
        est = budget.estimate(tree, budget.targets(uow.session, year), unit)
        units = tree.subtree(unit)
        b = ledger.balances(uow.session, offices=units)
    f = RevenueFigures(est, b["treasury"], -b["refunds_payable"], Decimal(0))
    console.print(f"{unit} {year}: estimate {est:,.0f} VND; treasury balance {f.collected:,.0f}; "
                  f"refunds due {f.refunds_due:,.0f}; {f.pct_of_estimate}% of the estimate, "
                  f"{f.pct_after_refunds}% after refunds")  # fmt: skip


def parse_vnd(text: str) -> Decimal:
    t = text.strip().lower().replace(",", "").replace("_", "")
    factor = Decimal(10**9) if t.endswith("bn") else Decimal(1)
    return Decimal(t.removesuffix("bn")) * factor


@revenue_app.command("refund")
def refund_cmd(
    declaration: Annotated[str, typer.Option("--declaration")],
    amount: Annotated[str, typer.Option("--amount")],
) -> None:
    """Book a refund paid to the trader (from what the ledger holds as refundable)."""
    with database().unit_of_work() as uow:
        try:
            service.refund_paid(uow.session, number=declaration, amount=parse_vnd(amount), actor=ACTOR)
        except DomainError as exc:
            fail(exc.message)
        uow.commit()
    console.print(f"refund of {amount} booked on {declaration} ({clock.today_vn()})")


@revenue_app.command("write-off")
def write_off_cmd(
    declaration: Annotated[str, typer.Option("--declaration")],
    amount: Annotated[str, typer.Option("--amount")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Write off a debt by decision."""
    with database().unit_of_work() as uow:
        try:
            service.write_off_debt(
                uow.session, number=declaration, amount=parse_vnd(amount), reason=reason, actor=ACTOR
            )
        except DomainError as exc:
            fail(exc.message)
        uow.commit()
    console.print(f"{amount} written off on {declaration}")
