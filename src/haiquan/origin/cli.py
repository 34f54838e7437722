"""`haiquan origin ...`: customs registers and revokes the ASEAN countries' e-Form D signing certificates,
runs the duty (claims past their legal period, outgoing certificates to send); and `country-node`, a test
country node standing in for a partner's issuing authority and its ASW gateway: keygen, an example
certificate as JSON, sign (JSON to a signed EFormD, several to a batch), send (POST to a URL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from haiquan.kit.cli_support import database

if TYPE_CHECKING:
    from haiquan.kit.auth import Principal

console = Console()
app = typer.Typer(help="ASEAN e-C/O (ATIGA e-Form D): countries' keys, the duty, a test country node",
                  no_args_is_help=True)  # fmt: skip
node = typer.Typer(help="A test country node: keygen, example, sign, send", no_args_is_help=True)
app.add_typer(node, name="country-node")
CLI_ADMIN = "cli"
CountryOpt = Annotated[str, typer.Option(help="ISO 3166 alpha-2 of the ASEAN member, e.g. TH")]
KeyNameOpt = Annotated[str, typer.Option(help="The name the signatures carry in ds:KeyName")]


def _admin() -> Principal:
    from haiquan.kit.auth import Principal, Scope

    return Principal(kind="officer", id="cli", name=CLI_ADMIN, scope=Scope(units=None), role="administrator")


@app.command("add-key")
def add_key(
    country: CountryOpt,
    key_name: KeyNameOpt,
    cert: Annotated[
        Path, typer.Option(help="The country's X.509 certificate (PEM)", exists=True, dir_okay=False)
    ],
    endpoint: Annotated[str | None, typer.Option(help="Where our outgoing e-Form D go")] = None,
) -> None:
    """Register a country's e-Form D signing certificate (RSA of 2048 bits or more, not expired)."""
    from pydantic import ValidationError

    from haiquan.kit.cli_support import fail
    from haiquan.kit.errors import DomainError
    from haiquan.kit.settings import get_settings
    from haiquan.origin import keys, repository
    from haiquan.origin.schemas import CountryKeyIn

    try:
        with database().unit_of_work() as uow:
            repository.unscoped_country_keys(uow.session, [country.upper()])  # the database first
            data = CountryKeyIn(country=country.upper(), key_name=key_name, certificate_pem=cert.read_text(),
                                endpoint=endpoint)  # fmt: skip
            row = keys.register(
                uow.session, principal=_admin(), data=data, development=get_settings().development
            )
            fingerprint, until = row.fingerprint, row.not_after
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}")
    console.print(
        f"key {key_name} registered for {country.upper()} (SHA-256 {fingerprint}, valid until {until})"
    )


@app.command("revoke-key")
def revoke_key(
    country: CountryOpt, key_name: KeyNameOpt, reason: Annotated[str, typer.Option(help="Why")]
) -> None:
    """Revoke a country's certificate now: e-Form D signed with it are refused."""
    from haiquan.kit.cli_support import fail
    from haiquan.kit.errors import DomainError
    from haiquan.origin import keys

    try:
        with database().unit_of_work() as uow:
            keys.revoke(
                uow.session, principal=_admin(), country=country.upper(), key_name=key_name, reason=reason
            )
            uow.commit()
    except DomainError as exc:
        fail(f"{exc.field or ''}: {exc.message}")
    console.print(f"key {key_name} of {country.upper()} revoked")


@app.command("run-duty")
def run_duty() -> None:
    """Once: claims past their legal period go to MFN; outgoing certificates are sent."""
    from haiquan.kit.settings import get_settings
    from haiquan.origin.duty import OriginDuty

    expired, sent = OriginDuty(database(), get_settings()).run_once()
    console.print(f"claims sent to MFN: {expired}; outgoing certificates delivered: {sent}")


@node.command("keygen")
def node_keygen(
    country: CountryOpt,
    out: Annotated[
        Path, typer.Option(help="Folder for key.pem (private) and cert.pem (customs registers it)")
    ] = Path("."),
    name: Annotated[
        str, typer.Option(help="Common name of the issuing authority")
    ] = "e-C/O issuing authority",
    days: Annotated[int, typer.Option(help="Validity in days")] = 730,
) -> None:
    """An RSA-3072 key and a self-signed certificate naming the country (C=...)."""
    from haiquan.origin.signer import keygen

    key, cert = keygen(country.upper(), name, days)
    out.mkdir(parents=True, exist_ok=True)
    (out / "key.pem").write_bytes(key)
    (out / "key.pem").chmod(0o600)
    (out / "cert.pem").write_bytes(cert)
    console.print(f"wrote {out / 'key.pem'} (keep it secret) and {out / 'cert.pem'} (customs registers it)")


@node.command("example")
def node_example(number: Annotated[str, typer.Option(help="Certificate number")] = "TH2026-0001234") -> None:
    """Print an example certificate as JSON (T-shirts from Thailand), to edit and sign."""
    from haiquan.origin.building import example

    sys.stdout.write(json.dumps(example(number), ensure_ascii=False, indent=2) + "\n")


@node.command("sign")
def node_sign(
    files: Annotated[
        list[Path], typer.Argument(help="Certificates as JSON (one object, or a list); several: a batch")
    ],
    key: Annotated[Path, typer.Option(help="Private key (PEM)", exists=True, dir_okay=False)],
    key_name: KeyNameOpt,
    cert: Annotated[Path | None, typer.Option(help="Certificate to embed (optional)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output)")] = None,
) -> None:
    """Sign certificates given as JSON: one gives an EFormD, several an EFormDBatch."""
    from haiquan.origin import building, eformd

    docs: list[dict[str, object]] = []
    for f in files:
        data = json.loads(f.read_text())
        docs.extend(data if isinstance(data, list) else [data])
    key_pem, cert_pem = key.read_bytes(), cert.read_bytes() if cert else None
    signed = [
        eformd.sign(building.build(d), key_pem=key_pem, cert_pem=cert_pem, key_name=key_name) for d in docs
    ]
    body = signed[0] if len(signed) == 1 else eformd.batch_of(signed)
    if out is None:
        sys.stdout.buffer.write(body)
    else:
        out.write_bytes(body)
        console.print(f"wrote {len(signed)} signed certificate(s) to {out}")


@node.command("send")
def node_send(
    file: Annotated[Path, typer.Argument(help="A signed EFormD or EFormDBatch", exists=True, dir_okay=False)],
    url: Annotated[str, typer.Option(help="e.g. http://127.0.0.1:8000/api/v1/origin/certificates")],
    api_key: Annotated[str, typer.Option(envvar="HAIQUAN_API_KEY", help="The ASW gateway's API key")],
) -> None:
    """POST a signed document (application/xml); prints the answer; exit 1 unless it was accepted."""
    import httpx

    r = httpx.post(url, content=file.read_bytes(), timeout=60.0,
                   headers={"Content-Type": "application/xml", "Authorization": f"Bearer {api_key}"})  # fmt: skip
    sys.stdout.write(r.text + "\n")
    if r.status_code >= 300:
        raise typer.Exit(1)
