"""`haiquan sharing credentials` and `haiquan sharing tls`: the secrets that secure a node's links
(decision 0040). Neither needs the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from haiquan.kit.cli_support import fail
from haiquan.sharing.credentials import CredentialError, Credentials
from haiquan.sharing.natsconf import agency_user, leaf_user, node_user
from haiquan.sharing.tlsgen import ensure_ca, issue_node

console = Console()


def credentials(
    unit: Annotated[str, typer.Option(help="The node's unit (a regional hub: its departments, 31,32,…)")],
    dir: Annotated[Path, typer.Option("--dir", help="The node's credentials directory")],
    children: Annotated[str, typer.Option(help="Child nodes: a leaf password for each (a parent)")] = "",
    agencies: Annotated[
        str, typer.Option(help="Agencies: an nkey for each (its seed goes to the agency)")
    ] = "",
    rotate: Annotated[bool, typer.Option(help="Replace the named credentials with new ones")] = False,
) -> None:
    """Generate a node's NATS credentials: its own nkey (node_<UNIT>.nk), a leaf password per child
    (leaf_<CHILD>.pass to hand to the child, leaf_<CHILD>.bcrypt kept) and an nkey per agency. Existing
    files are kept unless --rotate."""
    store = Credentials(dir)
    for served in _split(unit):  # a hub: a seed per department, each signing in to its own server
        path, made = store.ensure_nkey(node_user(served), rotate=rotate)
        console.print(f"{'wrote' if made else 'kept'} {path} (the node's seed: HAIQUAN_NATS_NKEY_FILE)")
    for child in _split(children):
        path, made = store.ensure_leaf_password(leaf_user(child), rotate=rotate)
        what = "wrote" if made else "kept"
        console.print(f"{what} {path}: copy it to node {child}'s credentials directory, then delete it here")
    for agency in _split(agencies):
        path, made = store.ensure_nkey(agency_user(agency.upper()), rotate=rotate)
        console.print(
            f"{'wrote' if made else 'kept'} {path}: give it to {agency.upper()}, then delete it here"
        )


def tls(
    dir: Annotated[Path, typer.Option("--dir", help="Where the CA and the nodes' certificates are written")],
    nodes: Annotated[str, typer.Option(help="Comma-separated units: a certificate for each")],
    hosts: Annotated[str, typer.Option(help="Host names and addresses the nodes' servers answer on")] = (
        "127.0.0.1,localhost"
    ),
    rotate: Annotated[
        bool, typer.Option(help="New certificates for the named nodes (the CA is kept)")
    ] = False,
    rotate_ca: Annotated[
        bool, typer.Option(help="A new CA too (every node then needs a new certificate)")
    ] = False,
) -> None:
    """Generate the federation's CA (ca.pem, ca-key.pem) if missing and a certificate per node
    (<UNIT>.pem, <UNIT>-key.pem), valid for --hosts as a server and as a leaf client."""
    ca, made = ensure_ca(dir, rotate=rotate_ca)
    console.print(f"{'wrote' if made else 'kept'} {ca} (every node; ca-key.pem stays with the issuer)")
    for unit in _split(nodes):
        try:
            files, made = issue_node(dir, unit, _split(hosts), rotate=rotate or rotate_ca)
        except (CredentialError, ValueError) as exc:
            fail(str(exc))
        console.print(f"{'wrote' if made else 'kept'} {files.cert_file} and {files.key_file.name}")


def register(app: typer.Typer) -> None:
    app.command("credentials")(credentials)
    app.command("tls")(tls)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
