"""A regional hub with real processes (decision 0040): the General Department's server (00), one hub
serving two sibling departments (01 and 03: a nats-server each, one haiquan process and database) and a
sub-department node of each (01AB, 03CC), every link on TLS with per-node credentials.

Each department's events land in its own streams; a department's credential opens neither the other's server
nor its streams; in the hub's one database an officer of one department sees that department only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from haiquan.kit.db import Database
from haiquan.kit.migrate import upgrade
from haiquan.kit.outbox import default_subject, quick_event
from haiquan.organization import service as org
from haiquan.organization.domain import UnitTree
from haiquan.sharing import domain
from haiquan.sharing.connect import tls_context
from haiquan.sharing.credentials import Credentials
from haiquan.sharing.domain import NodeLayout, hub_layouts
from haiquan.sharing.natsconf import NodeConfig, hub_app_env, hub_configs
from haiquan.sharing.node import stream_configs
from haiquan.sharing.tlsgen import TlsFiles, ensure_ca, issue_node
from tests.federation.harness import ROOT, SECRET, SRC, NatsProc, free_port, port_open, wait_for
from tests.services import nats_server
from tests.support import PASSWORD, UNITS

pytestmark = [pytest.mark.nats, pytest.mark.timeout(240)]
TREE = UnitTree.build(UNITS)
LINK_TESTED = "sharing.link_tested"


@dataclass
class Region:
    base: Path
    configs: dict[str, NodeConfig]  # per server: 00, 01, 03 (the hub's two), 01AB, 03CC
    servers: list[NatsProc]
    hub_db: Database
    hub_app: subprocess.Popen[bytes] | None = None
    hub_http: int = 0


def issue_credentials(base: Path) -> dict[str, Credentials]:
    """As the operators would: each node makes its own seed; a parent issues its children's leaf passwords,
    copied to the child."""
    c = {name: Credentials(base / f"creds-{name}") for name in ("00", "hub", "01AB", "03CC")}
    c["00"].ensure_nkey("node_00")
    for user in ("node_01", "node_03"):
        c["hub"].ensure_nkey(user)
    for name in ("01AB", "03CC"):
        c[name].ensure_nkey(f"node_{name}")
    for parent, child in (("00", "01"), ("00", "03"), ("hub", "01AB"), ("hub", "03CC")):
        handed, _ = c[parent].ensure_leaf_password(f"leaf_{child}")
        (c["hub" if child in ("01", "03") else child].dir / handed.name).write_text(handed.read_text())
    return c


def build_configs(base: Path) -> dict[str, NodeConfig]:
    creds = issue_credentials(base)
    tls_dir = base / "tls"
    ensure_ca(tls_dir)
    for unit in ("00", "01", "03", "01AB", "03CC"):
        issue_node(tls_dir, unit, ["127.0.0.1"])

    def cfg(layout: NodeLayout, store: Credentials, parent_leaf: int | None) -> NodeConfig:
        return NodeConfig(
            layout=layout,
            secret=SECRET,
            port=free_port(),
            leaf_port=free_port() if layout.children else None,
            parent_url=f"127.0.0.1:{parent_leaf}" if parent_leaf else None,
            store_dir=str(base / f"js-{layout.unit}"),
            credentials=store,
            tls=TlsFiles.in_dir(tls_dir, layout.unit),
        )

    top = cfg(NodeLayout.build(TREE, "00", parent=None, children=["01", "03"]), creds["00"], None)
    assert top.leaf_port is not None
    layouts = hub_layouts(TREE, ["01", "03"], parent="00", children=["01AB", "03CC"])
    hub_base = cfg(layouts[0], creds["hub"], top.leaf_port)
    hub_base.port, hub_base.leaf_port, hub_base.store_dir = free_port() + 0, free_port(), str(base / "js-hub")
    hub = hub_configs(layouts, hub_base)
    for c in hub:  # consecutive ports from the base: free ones here instead
        c.port, c.leaf_port = free_port(), free_port()
        c.tls = TlsFiles.in_dir(tls_dir, c.layout.unit)
    out = {"00": top, "01": hub[0], "03": hub[1]}
    for child, dept in (("01AB", "01"), ("03CC", "03")):
        lay = NodeLayout.build(TREE, child, parent=dept, children=[])
        out[child] = cfg(lay, creds[child], out[dept].leaf_port)
    return out


async def _ensure_streams(c: NodeConfig) -> None:
    nc = await connect(c, f"node_{c.layout.unit}")
    try:
        js = nc.jetstream(timeout=5)
        for sc in stream_configs(c.layout):
            try:
                await js.add_stream(sc)
            except Exception:
                await js.update_stream(sc)
    finally:
        await nc.close()


async def connect(c: NodeConfig, user: str, **over: Any) -> Any:
    assert c.tls is not None
    assert c.credentials is not None
    seed = over.pop("seed", None) or c.credentials.seed_file(user)
    return await nats.connect(
        c.app_url(),
        tls=tls_context(str(c.tls.ca_file)),
        nkeys_seed=str(seed),
        connect_timeout=3,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        **over,
    )


def start_hub_app(r: Region) -> None:
    hub = [r.configs["01"], r.configs["03"]]
    env = {
        **os.environ,
        "PYTHONPATH": SRC + os.pathsep + ROOT,
        "HAIQUAN_DATABASE_URL": str(r.hub_db.engine.url),
        "HAIQUAN_DATA_DIR": str(r.base / "hub"),
        "HAIQUAN_SECRET_KEY": SECRET,
        "HAIQUAN_DISPATCHER_INTERVAL_SECONDS": "0.2",
        **hub_app_env(hub),
    }
    r.hub_http = free_port()
    args = [sys.executable, "-m", "haiquan.cli", "serve", "--port", str(r.hub_http), "--unit", "01,03"]
    args += ["--children", "01AB,03CC", "--parent", "00"]
    log = (r.base / "hub-app.log").open("ab")
    r.hub_app = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    app = r.hub_app
    wait_for(lambda: port_open(r.hub_http) or app.poll() is not None, 60, "the hub's haiquan process")
    assert app.poll() is None, (r.base / "hub-app.log").read_text()[-3000:]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    nats_server()
    base = tmp_path_factory.mktemp("region")
    configs = build_configs(base)
    servers = []
    for name, c in configs.items():
        conf = base / f"nats-{name}.conf"
        conf.write_text(c.render())
        servers.append(NatsProc(conf, c.port, base / f"nats-{name}.log"))
    (base / "hub").mkdir()
    url = f"sqlite:///{base / 'hub' / 'haiquan.db'}"
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        org.add_officer(
            uow.session,
            username="hn_leader",
            unit="01",
            role="department_leader",
            password=PASSWORD,
            actor="test",
        )
        org.add_officer(
            uow.session,
            username="hp_leader",
            unit="03",
            role="department_leader",
            password=PASSWORD,
            actor="test",
        )
        uow.commit()
    r = Region(base, configs, servers, db)
    try:
        for s in servers:
            s.start()
        for name in ("00", "01AB", "03CC"):  # the nodes around the hub (their haiquan processes not needed)
            asyncio.run(_ensure_streams(configs[name]))
        start_hub_app(r)
        yield r
    finally:
        if r.hub_app is not None and r.hub_app.poll() is None:
            r.hub_app.terminate()
            try:
                r.hub_app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                r.hub_app.kill()
                r.hub_app.wait()
        for s in servers:
            s.stop()
        db.dispose()


async def publish_events(c: NodeConfig, unit: str, n: int) -> None:
    nc = await connect(c, f"node_{c.layout.unit}")
    try:
        js = nc.jetstream(timeout=5)
        for i in range(n):
            event_id = uuid.uuid4().hex
            subject = default_subject(LINK_TESTED, unit)
            event = quick_event(
                event_id, 0, LINK_TESTED, 1, unit, subject, datetime.now(UTC), "officer:test", {"n": i}, None
            )
            await js.publish(subject, domain.encode(event), headers={"Nats-Msg-Id": event_id})
    finally:
        await nc.close()


async def stream_subjects(c: NodeConfig, stream: str) -> dict[str, int]:
    nc = await connect(c, f"node_{c.layout.unit}")
    try:
        js = nc.jetstream(timeout=5)
        info = await js.stream_info(stream, subjects_filter=">")
        return dict(info.state.subjects or {})
    finally:
        await nc.close()


def units_in(subjects: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for subject, n in subjects.items():
        unit = domain.unit_of_subject(subject) or "?"
        out[unit] = out.get(unit, 0) + n
    return out


def test_each_department_of_the_hub_keeps_its_own_events(region: Region) -> None:
    c = region.configs
    asyncio.run(publish_events(c["01AB"], "01AB", 12))
    asyncio.run(publish_events(c["03CC"], "03CC", 7))

    def at(server: str, stream: str) -> dict[str, int]:
        return units_in(asyncio.run(stream_subjects(c[server], stream)))

    def holds(server: str, stream: str, expected: dict[str, int]) -> Callable[[], bool]:
        return lambda: all(at(server, stream).get(u) == n for u, n in expected.items())

    for server, stream, expected in (
        ("01", "EV_01", {"01AB": 12}),
        ("03", "EV_03", {"03CC": 7}),
        ("00", "EV_00", {"01AB": 12, "03CC": 7}),  # both at the General Department
    ):
        wait_for(holds(server, stream, expected), 45, f"{stream} to hold {expected}")
    # each department's stream holds its own units' events only (the hub's own, relayed per department, too)
    assert set(at("01", "EV_01")) <= TREE.subtree("01")
    assert set(at("03", "EV_03")) <= TREE.subtree("03")
    assert "03CC" not in at("01", "EV_01")

    def hub_totals(user: str) -> dict[str, int]:
        with httpx.Client(base_url=f"http://127.0.0.1:{region.hub_http}", timeout=10) as client:
            token = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            rows = client.get("/api/v1/sharing/totals", headers=headers).json()
        return {r["unit"]: r["count"] for r in rows if r["type"] == LINK_TESTED and r["dim"] == ""}

    # one hub database, both departments' events applied by the hub's two links; each leader sees its own
    wait_for(lambda: hub_totals("hn_leader") == {"01AB": 12}, 30, "department 01's leader: 01AB only")
    assert hub_totals("hp_leader") == {"03CC": 7}


def test_a_department_credential_opens_neither_the_other_server_nor_its_streams(region: Region) -> None:
    c = region.configs
    assert c["01"].credentials is not None

    async def attempt() -> tuple[str, str]:
        seed = c["01"].credentials.seed_file("node_01")  # type: ignore[union-attr]
        try:
            nc = await connect(c["03"], "node_03", seed=seed)  # department 01's key on department 03's server
            await nc.close()
            other = "connected"
        except Exception as exc:
            other = f"{type(exc).__name__}: {exc}"
        errors: list[str] = []

        async def on_error(exc: Exception) -> None:
            errors.append(str(exc))

        nc = await connect(c["01"], "node_01", error_cb=on_error)
        try:  # department 03's stream, asked from department 01's server through the General Department's
            await nc.jetstream(timeout=2, domain="u03").stream_info("EV_03")
            read = "read"
        except Exception as exc:
            read = f"{type(exc).__name__} {' '.join(errors)}"
        finally:
            await nc.close()
        return other, read

    other, read = asyncio.run(attempt())
    assert "Authorization" in other
    assert read != "read"
    assert "permissions violation" in read.lower()
    # the refusal is department 01's permissions: its server does route to department 03's, since the
    # General Department's stream sources EV_03 over the same leaf links (the first test)


def test_streams_are_the_departments_own(region: Region) -> None:
    c = region.configs

    async def names(cfg: NodeConfig) -> list[str]:
        nc = await connect(cfg, f"node_{cfg.layout.unit}")
        try:
            return sorted([s.config.name or "" async for s in _streams(nc.jetstream(timeout=5))])
        finally:
            await nc.close()

    # events, reference data, and the work routed down to its children and from its parent (decision 0039)
    assert asyncio.run(names(c["01"])) == ["EV_01", "REF_01", "WORKIN_01", "WORK_01"]
    assert asyncio.run(names(c["03"])) == ["EV_03", "REF_03", "WORKIN_03", "WORK_03"]


async def _streams(js: Any) -> Any:
    for s in await js.streams_info():
        yield s
