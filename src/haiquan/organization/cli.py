"""Admin commands for the organisation: units, officers, enterprises."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from haiquan.declarations.assignment import change_officer
from haiquan.declarations.escalation import escalate_overdue
from haiquan.kit.auth import ALL_SCOPES
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.kit.settings import get_settings
from haiquan.organization import credentials, enterprises, expertise, officers, service, sessions
from haiquan.organization.domain import HierarchyError, Unit, validate_rows
from haiquan.organization.officers import OfficerChange
from haiquan.organization.tables import OfficerRow

console = Console()
unit_app = typer.Typer(help="The unit hierarchy (General Department → departments → sub-departments → teams)")
officer_app = typer.Typer(help="Customs officers")
enterprise_app = typer.Typer(help="Enterprises: declarants, terminal operators, carriers, banks")

DEFAULT_UNITS = Path(__file__).parent / "data" / "units.csv"


def read_units_file(path: Path) -> list[Unit]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "name_vi", "level", "parent"} - set(reader.fieldnames or [])
        if missing:
            raise HierarchyError(f"missing columns: {', '.join(sorted(missing))}", field=sorted(missing)[0])
        return validate_rows(list(reader))


@unit_app.command("load")
def unit_load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)] = DEFAULT_UNITS) -> None:
    """Load (replace) the hierarchy from a CSV with columns code,name_vi,name_en,level,parent."""
    try:
        units = read_units_file(file)
    except HierarchyError as exc:
        fail(f"{file}: {exc}")
    with database().unit_of_work() as uow:
        summary = service.replace_units(uow.session, units=units, actor="cli")
        uow.commit()
    console.print(f"units: {summary}")


@officer_app.command("add")
def officer_add(
    username: Annotated[str, typer.Option(help="Login name")],
    unit: Annotated[str, typer.Option(help="Home unit code, e.g. 01B1")],
    role: Annotated[str, typer.Option(help="officer, team_lead, subdepartment_leader, ...")],
    full_name: Annotated[str, typer.Option(help="Full name")] = "",
) -> None:
    """Add an officer; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        with database().unit_of_work() as uow:
            service.add_officer(
                uow.session,
                username=username,
                unit=unit,
                role=role,
                password=password,
                full_name=full_name,
                actor="cli",
            )
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"officer {username} added at {unit} as {role}")


def _change(username: str, change: OfficerChange, done: str) -> None:
    """Apply one change to an officer and print one line: what happened, or that nothing changed."""
    try:
        with database().unit_of_work() as uow:
            row, recorded, moved = change_officer(uow.session, username=username, change=change, actor="cli")
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    if not recorded:
        console.print(f"officer {username}: no change ({row.unit}, {row.role}, {_state(row)})")
        return
    handed = f"; {moved} open check(s) handed on" if moved else ""
    console.print(f"officer {username} {done}{handed}")


def _state(row: OfficerRow) -> str:
    return ("active" if row.active else "inactive") + (", on the roster" if row.on_roster else ", on leave")


Username = Annotated[str, typer.Argument(help="The officer's login name")]


@officer_app.command("deactivate")
def officer_deactivate(username: Username) -> None:
    """Deactivate an officer: their sessions and tokens stop working at once; open checks are handed on."""
    _change(username, OfficerChange(active=False), "deactivated")


@officer_app.command("reactivate")
def officer_reactivate(username: Username) -> None:
    """Reactivate a deactivated officer (they log in again)."""
    _change(username, OfficerChange(active=True), "reactivated")


@officer_app.command("set-role")
def officer_set_role(
    username: Username,
    role: Annotated[str, typer.Argument(help="officer, team_lead, subdepartment_leader, ...")],
) -> None:
    """Change an officer's role (effective at their next request)."""
    _change(username, OfficerChange(role=role), f"is now {role}")


@officer_app.command("set-fields")
def officer_set_fields(
    username: Username,
    fields: Annotated[
        str, typer.Argument(help="comma-separated: tax,supervision,audit,it,risk,inspection,customs_control")
    ],
) -> None:
    """Set an officer's expert fields (the audit queue routes to officers with `audit`)."""
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    try:
        with database().unit_of_work() as uow:
            row = expertise.set_fields(
                uow.session, username=username, fields=wanted, actor="cli:administrator"
            )
            uow.commit()
            console.print(f"{row.username}: {', '.join(row.expert_fields or []) or '(none)'}")
    except DomainError as exc:
        fail(exc.message, 2)


@officer_app.command("move")
def officer_move(username: Username, unit: Annotated[str, typer.Argument(help="New home unit code")]) -> None:
    """Move an officer to another unit (their scope follows at their next request)."""
    _change(username, OfficerChange(unit=unit), f"moved to {unit}")


@officer_app.command("leave")
def officer_leave(username: Username) -> None:
    """Take an officer off the roster (leave): no new checks; their open checks are handed on at once."""
    _change(username, OfficerChange(on_roster=False), "taken off the roster")


@officer_app.command("return")
def officer_return(username: Username) -> None:
    """Put an officer back on the roster after leave."""
    _change(username, OfficerChange(on_roster=True), "back on the roster")


@officer_app.command("revoke-sessions")
def officer_revoke_sessions(username: Username) -> None:
    """End every session of an officer now (a lost phone, a shared screen): their tokens and cookies are
    refused from the next request; they log in again."""
    try:
        with database().unit_of_work() as uow:
            row = officers.by_username(uow.session, username)
            count = sessions.revoke_all(uow.session, officer=row, reason="revoked", actor="cli")
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"{count} session(s) of {username} ended")


@officer_app.command("escalate-overdue")
def officer_escalate_overdue() -> None:
    """Escalate the checks past their legal time limit to the team lead now (servers do it every minute)."""
    with database().unit_of_work() as uow:
        count = escalate_overdue(uow.session)
        uow.commit()
    console.print(f"{count} overdue check(s) escalated")


@enterprise_app.command("add")
def enterprise_add(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế, 10 or 13 digits")],
    name: Annotated[str, typer.Option(help="Registered name")],
    role: Annotated[
        list[str], typer.Option(help="declarant, terminal_operator, carrier, bank, asw_gateway (repeatable)")
    ],
) -> None:
    """Register an enterprise and print its API key once."""
    try:
        with database().unit_of_work() as uow:
            ent, key = service.add_enterprise(
                uow.session, tax_code=tax_code, name=name, roles=role, actor="cli"
            )
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"enterprise {ent.tax_code} ({ent.name}) registered; API key (shown once):")
    typer.echo(key)  # alone on its line, for a pipe


@enterprise_app.command("revoke-keys")
def enterprise_revoke_keys(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")],
) -> None:
    """Revoke every API key of an enterprise (a leaked key, a system retired); `enterprise new-key` issues
    another. Takes effect at once here, within 5 s in running servers."""
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            count = credentials.revoke_all(uow.session, enterprise=ent, actor="cli")
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"{count} API key(s) of {tax_code} revoked")


@enterprise_app.command("new-key")
def enterprise_new_key(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")],
    scope: Annotated[
        list[str] | None, typer.Option(help="read, write, manage (repeatable; default: all three)")
    ] = None,
    expires: Annotated[
        datetime | None, typer.Option(help="When it stops working, in UTC (e.g. 2027-01-31)")
    ] = None,
    label: Annotated[str, typer.Option(help="What it is for")] = "",
) -> None:
    """Issue another API key and print it once. The enterprise's other keys keep working: deploy the new
    one, then `enterprise revoke-key` the old one (rotation without downtime)."""
    until = expires.replace(tzinfo=UTC) if expires is not None else None  # typer reads no offset
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            key, row = credentials.issue_key(uow.session, enterprise=ent, actor="cli", label=label,
                                             scopes=scope or ALL_SCOPES, expires_at=until)  # fmt: skip
            key_id = row.key_id
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"a new API key {key_id} for {tax_code} (shown once):")
    typer.echo(key)  # alone on its line, for a pipe


@enterprise_app.command("staff-add")
def enterprise_staff_add(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")],
    username: Annotated[str, typer.Option(help="The staff member's login name on the trader portal")],
    role: Annotated[str, typer.Option(help="admin, declarant, accountant or viewer")] = "admin",
    full_name: Annotated[str, typer.Option(help="Full name")] = "",
) -> None:
    """Add a trader portal account under an enterprise (its first admin, who adds the others on the portal);
    the password is read from standard input."""
    from haiquan.portal import service as portal

    password = sys.stdin.readline().rstrip("\n")
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            portal.add_staff(uow.session, enterprise=ent, username=username, role=role, password=password,
                             full_name=full_name, actor="cli")  # fmt: skip
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"portal account {username} added to {tax_code} as {role}")


@enterprise_app.command("keys")
def enterprise_keys(tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")]) -> None:
    """An enterprise's API keys: id, label, scopes, created, expires, revoked (never the keys themselves)."""
    table = Table("key id", "label", "scopes", "created", "expires", "revoked")
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            for r in credentials.keys_of(uow.session, ent.id):
                table.add_row(r.key_id, r.label, " ".join(credentials.scopes_of(r)), _day(r.created_at),
                              _day(r.expires_at), _day(r.revoked_at))  # fmt: skip
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(table)


def _day(at: datetime | None) -> str:
    return at.isoformat(timespec="minutes") if at else "-"


@enterprise_app.command("revoke-key")
def enterprise_revoke_key(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")],
    key_id: Annotated[str, typer.Option(help="The key's id (hq_<key id>_...; `enterprise keys` lists them)")],
) -> None:
    """Revoke one API key now (within 5 s in running servers); the enterprise's other keys keep working."""
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            credentials.revoke_key(uow.session, enterprise=ent, key_id=key_id, actor="cli")
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"API key {key_id} of {tax_code} revoked")


@enterprise_app.command("rotate-webhook-secret")
def enterprise_rotate_webhook_secret(
    tax_code: Annotated[str, typer.Option(help="Mã số thuế of the enterprise")],
) -> None:
    """Make a new webhook signing secret and print it once; the old one also signs deliveries for
    HAIQUAN_WEBHOOK_SECRET_OVERLAP_HOURS (X-Haiquan-Signature-Previous)."""
    try:
        with database().unit_of_work() as uow:
            ent = service.enterprise_by_tax_code(uow.session, tax_code)
            secret, until = credentials.rotate_webhook_secret(
                uow.session,
                enterprise=ent,
                overlap_hours=get_settings().webhook_secret_overlap_hours,
                actor="cli",
            )
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"a new webhook secret for {tax_code} (shown once; the old one signs until {_day(until)}):")
    typer.echo(secret)


TaxCodeOpt = Annotated[str, typer.Option(help="Mã số thuế of the enterprise")]
ReasonOpt = Annotated[str, typer.Option(help="Why (recorded, audited and named in the refusals it gets)")]


def _standing(tax_code: str, status: str, reason: str, done: str) -> None:
    try:
        with database().unit_of_work() as uow:
            ent, kind = enterprises.set_status(
                uow.session, tax_code=tax_code, status=status, reason=reason, actor="cli"
            )
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(
        f"enterprise {ent.tax_code} {done}" if kind else f"enterprise {ent.tax_code} was already {status}"
    )


@enterprise_app.command("suspend")
def enterprise_suspend(tax_code: TaxCodeOpt, reason: ReasonOpt) -> None:
    """Suspend an enterprise: it lodges and registers nothing until reinstated (it still reads its records)."""
    _standing(tax_code, "suspended", reason, "suspended")


@enterprise_app.command("reinstate")
def enterprise_reinstate(tax_code: TaxCodeOpt, reason: ReasonOpt) -> None:
    """Reinstate a suspended enterprise (a dissolved one is not reinstated)."""
    _standing(tax_code, "active", reason, "reinstated")


@enterprise_app.command("dissolve")
def enterprise_dissolve(tax_code: TaxCodeOpt, reason: ReasonOpt) -> None:
    """Record that an enterprise is dissolved: it lodges and registers nothing, for good."""
    _standing(tax_code, "dissolved", reason, "dissolved")
