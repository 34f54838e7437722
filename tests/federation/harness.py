"""Real processes for federation tests: nats-server per node (free ports) and haiquan nodes served by
uvicorn on their own SQLite files. Every process started here is stopped by its own handle."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haiquan.kit import outbox
from haiquan.kit.db import Database
from haiquan.kit.migrate import upgrade
from haiquan.organization import service as org
from haiquan.organization.domain import UnitTree
from haiquan.sharing.credentials import Credentials
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.natsconf import NodeConfig
from haiquan.sharing.tlsgen import TlsFiles
from tests.support import UNITS

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
SECRET = "federation-test-secret-" + "y" * 20
SRC = str(Path(__file__).resolve().parents[2] / "src")
ROOT = str(Path(__file__).resolve().parents[2])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class NatsProc:
    conf: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-c", str(self.conf)], stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        proc = self.proc
        wait_for(lambda: port_open(self.port) or proc.poll() is not None, 15, f"nats-server on {self.port}")
        assert proc.poll() is None, self.log.read_text()[-2000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@dataclass
class Node:
    unit: str
    dir: Path
    parent: str | None
    children: list[str]
    nats_port: int = field(default_factory=free_port)
    leaf_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    nats: NatsProc | None = None
    app: subprocess.Popen[bytes] | None = None
    db: Database | None = None
    config: NodeConfig | None = None
    database_url: str = ""  # empty: a SQLite file in the node's directory
    credentials: Credentials | None = None  # None: passwords derived from SECRET (decision 0040)
    tls: TlsFiles | None = None

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.dir / 'haiquan.db'}"

    def prepare(self, parent_leaf_port: int | None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        upgrade(self.db_url)  # as an installation does: `serve` refuses a database not migrated
        self.db = Database(self.db_url)
        with self.db.unit_of_work() as uow:
            org.replace_units(uow.session, units=UNITS, actor="test")
            uow.commit()
        tree = UnitTree.build(UNITS)
        layout = NodeLayout.build(tree, self.unit, parent=self.parent, children=self.children)
        self.config = NodeConfig(
            layout=layout,
            secret=SECRET,
            port=self.nats_port,
            leaf_port=self.leaf_port if self.children else None,
            parent_url=f"127.0.0.1:{parent_leaf_port}" if parent_leaf_port else None,
            store_dir=str(self.dir / "js"),
            agencies=["BDBP"] if not self.parent else [],
            credentials=self.credentials,
            tls=self.tls,
        )
        conf = self.dir / "nats.conf"
        conf.write_text(self.config.render())
        self.nats = NatsProc(conf, self.nats_port, self.dir / "nats.log")

    def start_app(self) -> None:
        assert self.config is not None
        env = {
            **os.environ,
            "PYTHONPATH": SRC + os.pathsep + ROOT,
            "HAIQUAN_DATABASE_URL": self.db_url,
            "HAIQUAN_DATA_DIR": str(self.dir),
            "HAIQUAN_SECRET_KEY": SECRET,
            "HAIQUAN_DISPATCHER_INTERVAL_SECONDS": "0.2",
            **self.config.app_env(),
        }
        args = [sys.executable, "-m", "haiquan.cli", "serve", "--port", str(self.http_port)]
        args += ["--unit", self.unit, "--nats", self.config.app_url()]
        args += ["--children", ",".join(self.children), "--parent", self.parent or ""]
        self.app = subprocess.Popen(
            args, env=env, stdout=(self.dir / "app.log").open("ab"), stderr=subprocess.STDOUT
        )
        app = self.app
        wait_for(lambda: port_open(self.http_port) or app.poll() is not None, 60, f"haiquan node {self.unit}")
        assert app.poll() is None, (self.dir / "app.log").read_text()[-3000:]

    def kill_app(self, sig: int = signal.SIGTERM) -> None:
        if self.app is not None and self.app.poll() is None:
            self.app.send_signal(sig)
            try:
                self.app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.app.kill()
                self.app.wait()
        self.app = None

    def record(self, n: int, *, unit: str, type: str, payload: Callable[[int], dict[str, Any]]) -> list[str]:
        """Commit n events (as a service would, one transaction per change)."""
        assert self.db is not None
        ids = []
        for i in range(n):
            with self.db.unit_of_work() as uow:
                event_id = outbox.record(
                    uow.session, type=type, unit=unit, actor="officer:test", payload=payload(i)
                )
                uow.commit()
                ids.append(event_id)
        return ids

    def stop(self) -> None:
        self.kill_app()
        if self.nats is not None:
            self.nats.stop()
        if self.db is not None:
            self.db.dispose()


def start_nodes(nodes: list[Node]) -> None:
    """The nats-servers, then the nodes one after the other, the department first. (Started side by side,
    the department's agency feed stayed empty in one run of three of test_agency_receives_only_its_agreed_feed:
    to look into before nodes may come up in any order.)"""
    for n in nodes:
        assert n.nats is not None
        n.nats.start()
    for n in nodes:
        n.start_app()


def stop_nodes(nodes: list[Node]) -> None:
    """Every node asked to stop at once, then each waited for (a node's graceful stop takes seconds)."""
    for n in nodes:
        if n.app is not None and n.app.poll() is None:
            n.app.send_signal(signal.SIGTERM)
    for n in nodes:
        if n.app is not None:
            try:
                n.app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                n.app.kill()
                n.app.wait()
            n.app = None
        n.stop()
