"""`haiquan sharing`: a node's NATS configuration, federation status, agency agreements, reference data."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.kit.settings import get_settings
from haiquan.organization import service as org
from haiquan.sharing import cli_links, cli_status, domain, reference, service
from haiquan.sharing.catalogue import SharingEvent
from haiquan.sharing.connect import connect_options
from haiquan.sharing.credentials import CredentialError, Credentials
from haiquan.sharing.natsconf import NodeConfig, client_url, hub_app_env, hub_configs, node_user
from haiquan.sharing.tlsgen import TlsFiles

console = Console()
sharing_app = typer.Typer(help="Federation over NATS JetStream: node configuration, status, agency feeds")
agreement_app = typer.Typer(help="Agency agreements (administrators; every change is audited)")
sharing_app.add_typer(agreement_app, name="agreement")
cli_links.register(sharing_app)
cli_status.register(sharing_app)


@sharing_app.command("nats-config")
def nats_config(
    unit: Annotated[str, typer.Option(help="The node's unit")],
    parent: Annotated[str, typer.Option(help="Unit of the parent node (a child node)")] = "",
    parent_leaf: Annotated[str, typer.Option(help="host:port of the parent's leaf listener")] = "",
    children: Annotated[str, typer.Option(help="Comma-separated units of the child nodes")] = "",
    port: Annotated[int, typer.Option(help="Client port")] = 4222,
    leaf_port: Annotated[int, typer.Option(help="Leaf listener port (a parent)")] = 7422,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    store_dir: Annotated[str, typer.Option(help="JetStream store directory")] = "",
    agencies: Annotated[str, typer.Option(help="Agencies with feeds here (default: active agreements)")] = "",
    secret: Annotated[str, typer.Option(help="Federation secret (default: HAIQUAN_SECRET_KEY)")] = "",
    out: Annotated[Path | None, typer.Option(help="Write the configuration to this file")] = None,
    credentials: Annotated[
        Path | None,
        typer.Option(help="Credentials directory (haiquan sharing credentials): nkeys, leaf passwords"),
    ] = None,
    tls: Annotated[
        Path | None, typer.Option(help="TLS directory (haiquan sharing tls): TLS on every listener")
    ] = None,
    verify_clients: Annotated[bool, typer.Option(help="With --tls: clients show a certificate too")] = False,
) -> None:
    """Generate a node's nats-server configuration (users and subject permissions included). A regional hub
    (--unit 31,32,…, sibling departments): a server per department, on consecutive ports, into --out DIR."""
    db = database()
    try:
        with db.unit_of_work() as uow:
            tree = org.load_tree(uow.session)
        layouts = domain.hub_layouts(
            tree, domain.hub_units(unit), parent=parent or None, children=_split(children)
        )
    except ValueError as exc:
        fail(str(exc))
    if parent and not parent_leaf:
        fail("a child node needs --parent-leaf HOST:PORT (the parent's leaf listener)")
    hub = len(layouts) > 1
    if hub and out is None:
        fail("a hub has a server per department: name a directory with --out DIR")
    settings = get_settings()
    base = NodeConfig(
        layout=layouts[0],
        secret=secret or settings.effective_secret_key,
        host=host,
        port=port,
        leaf_port=leaf_port,
        parent_url=parent_leaf or None,
        store_dir=store_dir or str(settings.data_dir / ("nats-hub" if hub else f"nats-{layouts[0].unit}")),
        agencies=_agency_codes(db, agencies),
        credentials=Credentials(credentials.resolve()) if credentials is not None else None,
        verify_clients=verify_clients,
    )
    configs = hub_configs(layouts, base)
    for cfg in configs:
        cfg.leaf_port = cfg.leaf_port if cfg.layout.children else None
        cfg.tls = _tls_files(tls, cfg.layout.unit)
    try:
        texts = [cfg.render() for cfg in configs]
    except CredentialError as exc:
        fail(str(exc))
    if out is None:
        typer.echo(texts[0])
        return
    for cfg, text in zip(configs, texts, strict=True):
        path = out / f"nats-{cfg.layout.unit}.conf" if hub else out
        if hub:
            out.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o600)
        console.print(f"wrote {path} (client port {cfg.port})")
    env = " ".join(f"{k}={v!r}" if " " in v else f"{k}={v}" for k, v in hub_app_env(configs).items())
    typer.echo(f"the node connects with {env}")


def _agency_codes(db: Any, agencies: str) -> list[str]:
    if agencies:
        return [a.upper() for a in _split(agencies)]
    with db.unit_of_work() as uow:
        return sorted({a.agency for _, a in service.active_agreements(uow.session)})


def _tls_files(tls: Path | None, unit: str) -> TlsFiles | None:
    if tls is None:
        return None
    files = TlsFiles.in_dir(tls, unit)
    if files.missing():
        fail(f"missing {', '.join(map(str, files.missing()))}: run haiquan sharing tls --nodes {unit}")
    return files


@sharing_app.command("nats-url")
def nats_url(
    unit: Annotated[str, typer.Option(help="The node's unit")],
    port: Annotated[int, typer.Option(help="Client port of the node's nats-server")] = 4222,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    secret: Annotated[str, typer.Option(help="Federation secret (default: HAIQUAN_SECRET_KEY)")] = "",
    tls: Annotated[
        bool, typer.Option(help="The server requires TLS (tls://; set HAIQUAN_NATS_CA_FILE)")
    ] = False,
    nkey: Annotated[
        bool, typer.Option(help="The node signs in with its nkey (HAIQUAN_NATS_NKEY_FILE)")
    ] = False,
) -> None:
    """Print the URL for HAIQUAN_NATS_URL / `serve --nats`: with the node's derived password, or with none
    where the node signs in with its nkey."""
    scheme = "tls" if tls else "nats"
    if nkey:
        typer.echo(f"{scheme}://{host}:{port}")
        return
    url = client_url(host, port, node_user(unit), secret or get_settings().effective_secret_key)
    typer.echo(url.replace("nats://", f"{scheme}://", 1))


@agreement_app.command("add")
def agreement_add(
    agency: Annotated[str, typer.Option(help="Agency code, e.g. BDBP (border guard)")],
    types: Annotated[str, typer.Option(help="Comma-separated event types or prefixes (enforcement.*)")],
    units: Annotated[str, typer.Option(help="Comma-separated units (each with its subtree)")],
    fields: Annotated[str, typer.Option(help="Comma-separated payload fields (empty: non-personal)")] = "",
    title: Annotated[str, typer.Option()] = "",
    actor: Annotated[str, typer.Option(help="Administrator recording the agreement")] = "cli:admin",
) -> None:
    """Record an agency agreement (audited)."""
    with database().unit_of_work() as uow:
        try:
            row = service.create_agreement(
                uow.session,
                agency=agency,
                title=title,
                types=_split(types),
                units=_split(units),
                fields=_split(fields),
                actor=actor,
            )
        except DomainError as exc:
            fail(f"{exc.message} ({exc.field})")
        uow.commit()
    console.print(f"agreement {row.id} for {row.agency}: {', '.join(row.types)} in {', '.join(row.units)}")


@agreement_app.command("list")
def agreement_list() -> None:
    with database().unit_of_work() as uow:
        rows = service.list_agreements(uow.session)
    table = Table()
    for col in ("id", "agency", "types", "units", "fields", "active"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.id, r.agency, ",".join(r.types), ",".join(r.units), ",".join(r.fields), str(r.active))
    console.print(table)


@agreement_app.command("revoke")
def agreement_revoke(agreement_id: str, actor: Annotated[str, typer.Option()] = "cli:admin") -> None:
    with database().unit_of_work() as uow:
        try:
            service.revoke_agreement(uow.session, agreement_id=agreement_id, actor=actor)
        except DomainError as exc:
            fail(exc.message)
        uow.commit()
    console.print(f"agreement {agreement_id} revoked")


@sharing_app.command("publish-reference")
def publish_reference(
    kind: Annotated[
        str, typer.Argument(help="organization, tariff, exchange_rates, risk_profiles, watch_list, ...")
    ],
    file: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="JSON document (or --from-database)")
    ] = None,
    version: Annotated[
        int | None, typer.Option(min=1, help="Version; each node applies only newer ones (default: held + 1)")
    ] = None,
    from_database: Annotated[
        bool, typer.Option("--from-database", help="The document built from this node's own tables")
    ] = False,
    actor: Annotated[str, typer.Option()] = "cli:admin",
) -> None:
    """Publish reference data at the top node; it flows down to every node (applied locally without NATS).
    A large document travels in parts, applied at each node once every part is there (decision 0037)."""
    if not kind.isidentifier() or len(kind) > 40:
        fail("kind must be an identifier of at most 40 characters")
    if (file is None) == (not from_database):
        fail("give a FILE or --from-database (one of them)")
    s = get_settings()
    with database().unit_of_work() as uow:
        have = reference.held(uow.session, kind)  # (a database that is not there says so first)
        try:
            document = (
                reference.export(uow.session, kind)
                if from_database
                else json.loads(file.read_text(encoding="utf-8"))  # type: ignore[union-attr]
            )
            reference.validate(kind, document)
        except reference.BadDocument as exc:
            fail(f"{kind}: {exc}")
        except ValueError as exc:
            fail(f"{file}: not JSON ({exc})")
        version = version or (have or 0) + 1
        if not s.nats_url:
            try:
                applied = reference.apply_reference(
                    uow.session,
                    kind=kind,
                    version=version,
                    document=document,
                    published_by=actor,
                    node=s.unit,
                )
            except reference.BadDocument as exc:
                fail(f"{kind}: {exc}")
            uow.commit()
            org.TREES.invalidate()
            console.print(
                f"{kind} v{version} {'applied' if applied else 'refused: a version as new or newer is held'}"
            )
            return
    msgs = reference.messages(kind, version, document, actor)
    try:
        asyncio.run(asyncio.wait_for(_publish_all(s.nats_url, f"{domain.REF_PREFIX}.{kind}", msgs), 60))
    except Exception as exc:
        fail(f"could not publish to {s.nats_url.split('@')[-1]}: {exc or type(exc).__name__}")
    console.print(f"{kind} v{version} published to {domain.REF_PREFIX}.{kind} ({len(msgs)} message(s))")


async def _publish_all(url: str, subject: str, msgs: list[tuple[str, bytes]]) -> None:
    import nats

    nc = await nats.connect(
        url,
        connect_timeout=3,
        max_reconnect_attempts=0,
        allow_reconnect=False,
        **connect_options(get_settings()),
    )
    try:
        js = nc.jetstream(timeout=10)
        for msg_id, body in msgs:
            await js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})
    finally:
        await nc.close()


@sharing_app.command("test-events")
def send_test_events(
    unit: Annotated[str, typer.Option(help="Unit the events belong to (served by this node)")],
    count: Annotated[int, typer.Option(min=1, max=100_000)] = 10,
    amount: Annotated[int, typer.Option(min=0, help="VND each event adds to the summary's amount")] = 0,
    actor: Annotated[str, typer.Option()] = "cli:link-test",
) -> None:
    """Record test events (sharing.link_tested: they travel and are counted like any other, and nothing
    else acts on them; audited)."""
    from haiquan.kit import audit, outbox

    event = SharingEvent.LINK_TESTED
    with database().unit_of_work() as uow:
        if org.TREES.get(uow.session).get(unit) is None:
            fail(f"unknown unit {unit}")
        for n in range(1, count + 1):
            payload = {"n": n, "count": count, "amount": str(amount)}
            outbox.record(uow.session, type=event, unit=unit, actor=actor, payload=payload)
        audit.append(
            uow.session,
            actor=actor,
            action="sharing.test_events",
            target=event,
            unit=unit,
            detail={"count": count},
        )
        uow.commit()
    console.print(f"{count} {event} events recorded at {unit}")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
