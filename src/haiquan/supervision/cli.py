"""`haiquan supervision ...`: keys and signing for terminal operators' systems, the alert scan, the
simulator of a carrier and a terminal operator."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from haiquan.kit.cli_support import database

if TYPE_CHECKING:
    from haiquan.kit.auth import Principal

console = Console()
app = typer.Typer(
    help="Automated supervision at ports, airports, warehouses and yards (VASSCM)", no_args_is_help=True
)


@app.command("keygen")
def keygen(
    name: Annotated[
        str,
        typer.Option(
            help="Common name in the certificate: the operator's tax code (customs checks it names them)"
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="Folder for key.pem (private) and cert.pem (register this one)")
    ] = Path("."),
    days: Annotated[int, typer.Option(help="Validity in days")] = 730,
) -> None:
    """Make an RSA-2048 key and a self-signed X.509 certificate for signing XML messages; give cert.pem to
    customs, who register it (`haiquan supervision add-key`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (out / "key.pem").chmod(0o600)
    (out / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    console.print(f"wrote {out / 'key.pem'} (keep it secret) and {out / 'cert.pem'} (customs registers it)")


@app.command("sign")
def sign(
    file: Annotated[Path, typer.Argument(help="A TerminalMessages XML document ('-' for standard input)")],
    key: Annotated[Path, typer.Option(help="Private key (PEM)")],
    key_name: Annotated[str, typer.Option(help="The name the key was registered under")],
    cert: Annotated[Path | None, typer.Option(help="Certificate to embed (optional)")] = None,
) -> None:
    """Sign every Message of a batch (enveloped XML Signature, RSA-SHA256) and print the signed document."""
    from haiquan.supervision.xmlmessages import sign_batch

    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    signed = sign_batch(
        data, key_pem=key.read_bytes(), cert_pem=cert.read_bytes() if cert else None, key_name=key_name
    )
    sys.stdout.buffer.write(signed + b"\n")


OperatorOpt = Annotated[str, typer.Option(help="The operator's tax code")]
KeyNameOpt = Annotated[str, typer.Option(help="Name the operator puts in ds:KeyName")]
CLI_ADMIN = "cli"


def _operator_id(session: object, tax_code: str) -> str:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from haiquan.kit.cli_support import fail
    from haiquan.supervision.tables import OperatorRow

    assert isinstance(session, Session)
    op = session.scalar(select(OperatorRow).where(OperatorRow.tax_code == tax_code))
    if op is None:
        fail(f"no operator with tax code {tax_code}")
    return op.id


def _admin() -> Principal:
    from haiquan.kit.auth import Principal, Scope

    return Principal(kind="officer", id="cli", name=CLI_ADMIN, scope=Scope(units=None), role="administrator")


@app.command("add-key")
def add_key(
    operator: OperatorOpt,
    key_name: KeyNameOpt,
    cert: Annotated[
        Path, typer.Option(help="The operator's X.509 certificate (PEM)", exists=True, dir_okay=False)
    ],
) -> None:
    """Register an operator's signing certificate (customs registers it; it must name the operator's tax
    code as commonName, serialNumber or UID, and not have expired)."""
    from pydantic import ValidationError

    from haiquan.kit.cli_support import fail
    from haiquan.kit.errors import DomainError
    from haiquan.supervision import keys
    from haiquan.supervision.schemas import KeyIn

    admin = _admin()
    try:
        with database().unit_of_work() as uow:
            op_id = _operator_id(uow.session, operator)
            data = KeyIn(key_name=key_name, certificate_pem=cert.read_text())
            row = keys.add_key(uow.session, principal=admin, operator_id=op_id, data=data)
            fingerprint, until = row.fingerprint, row.not_after
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}")
    console.print(f"key {key_name} registered for {operator} (SHA-256 {fingerprint}, valid until {until})")


@app.command("revoke-key")
def revoke_key(
    operator: OperatorOpt,
    key_name: KeyNameOpt,
    reason: Annotated[str, typer.Option(help="Why (audited)")],
) -> None:
    """Revoke an operator's signing certificate now: batches with a message signed with it are refused."""
    from haiquan.kit.cli_support import fail
    from haiquan.kit.errors import DomainError
    from haiquan.supervision import keys

    admin = _admin()
    if len(reason.strip()) < 3:
        fail("reason: give a reason of 3 characters or more")
    try:
        with database().unit_of_work() as uow:
            op_id = _operator_id(uow.session, operator)
            keys.revoke_key(uow.session, principal=admin, operator_id=op_id, key_name=key_name,
                            reason=reason.strip()[:300])  # fmt: skip
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"key {key_name} of {operator} revoked")


@app.command("scan")
def scan(no_declaration_days: Annotated[int, typer.Option(help="Days after arrival")] = 3) -> None:
    """Raise the time-based alerts now: dwell beyond the limit, manifests without declaration, overdue transits."""
    from haiquan.supervision.alerts import scan as run

    with database().unit_of_work() as uow:
        counts = run(uow.session, no_declaration_days=no_declaration_days)
        uow.commit()
    console.print(f"alerts raised: {counts}")


@app.command("simulate")
def simulate(
    url: Annotated[str, typer.Option(help="Base URL of a running haiquan server")],
    carrier_key: Annotated[str, typer.Option(help="API key of a carrier", envvar="HQ_CARRIER_KEY")],
    terminal_key: Annotated[
        str, typer.Option(help="API key of a live terminal operator", envvar="HQ_TERMINAL_KEY")
    ],
    location: Annotated[str, typer.Option(help="The terminal's customs location code")],
    declarant_key: Annotated[
        str | None,
        typer.Option(help="API key of a declarant (to declare some goods)", envvar="HQ_DECLARANT_KEY"),
    ] = None,
    office: Annotated[str, typer.Option(help="Customs office for declarations")] = "03CC",
    vessels: Annotated[int, typer.Option(help="Vessels to play")] = 3,
    containers: Annotated[int, typer.Option(help="Containers per vessel")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
) -> None:
    """Play a carrier and a terminal operator against the public API: vessels arrive, containers gate in,
    some are declared and cleared, most leave, some try to leave early."""
    from haiquan.demo.terminals import Simulator

    sim = Simulator(
        url=url,
        carrier_key=carrier_key,
        terminal_key=terminal_key,
        declarant_key=declarant_key,
        location=location,
        office=office,
        seed=seed,
        say=console.print,
    )
    totals = sim.run(vessels=vessels, containers=containers)
    console.print(f"simulation done: {totals}")
