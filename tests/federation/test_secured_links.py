"""Links secured (decision 0040): a department (01) and two sub-department nodes on TLS with per-node
credentials. 01AB holds the leaf password the department issued it: its leaf connects and its events reach
the department. 01TE holds a password of its own making: the department refuses its leaf, its events stay
home. A client without TLS, or with an nkey the server does not know, is refused."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from haiquan.sharing.connect import tls_context
from haiquan.sharing.credentials import Credentials, new_user_seed
from haiquan.sharing.tlsgen import TlsFiles, ensure_ca, issue_node
from tests.federation.harness import Node, start_nodes, stop_nodes, wait_for
from tests.federation.test_federation import LODGED, declaration, federated
from tests.services import nats_server

pytestmark = [pytest.mark.nats, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    nats_server()
    base = tmp_path_factory.mktemp("secured")
    tls_dir = base / "tls"
    ensure_ca(tls_dir)
    creds = {u: Credentials(base / f"creds{u}") for u in ("01", "01AB", "01TE")}
    for unit, store in creds.items():
        issue_node(tls_dir, unit, ["127.0.0.1"])
        store.ensure_nkey(f"node_{unit}")
    creds["01"].ensure_nkey("agency_BDBP")
    for child in ("01AB", "01TE"):
        creds["01"].ensure_leaf_password(f"leaf_{child}")
    handed = (base / "creds01" / "leaf_01AB.pass").read_text()
    (base / "creds01AB" / "leaf_01AB.pass").write_text(handed)  # as the operator copies it
    creds["01TE"].ensure_leaf_password("leaf_01TE")  # not the one the department holds
    dept = Node("01", base / "n01", None, ["01AB", "01TE"], credentials=creds["01"])
    subs = [Node(u, base / f"n{u}", "01", [], credentials=creds[u]) for u in ("01AB", "01TE")]
    nodes = {n.unit: n for n in (dept, *subs)}
    for n in nodes.values():
        n.tls = TlsFiles.in_dir(tls_dir, n.unit)
    try:
        dept.prepare(None)
        for s in subs:
            s.prepare(dept.leaf_port)
        start_nodes(list(nodes.values()))
        yield nodes
    finally:
        stop_nodes(list(nodes.values()))


def log_lines(node: Node, text: str) -> int:
    log = (node.dir / "nats.log").read_text(errors="replace")
    return sum(1 for line in log.splitlines() if text in line)


def test_the_right_credential_over_tls_carries_events_up(secured: dict[str, Node]) -> None:
    dept, nb = secured["01"], secured["01AB"]
    assert dept.config is not None
    assert "tls://" in dept.config.app_url()
    ids = nb.record(20, unit="01B1", type=LODGED, payload=declaration)
    wait_for(lambda: federated(dept) >= len(ids), 60, "the department to receive 01AB's events")
    text = (nb.dir / "nats.log").read_text(errors="replace")
    assert "Leafnode connection created" in text
    assert "TLS" in (dept.dir / "nats.log").read_text(errors="replace")


def test_a_wrong_leaf_credential_is_refused_and_nothing_arrives(secured: dict[str, Node]) -> None:
    dept, tn = secured["01"], secured["01TE"]
    before = federated(dept)
    tn.record(10, unit="01TE", type=LODGED, payload=declaration)
    refused = "Leafnode connection closed: Authentication Failure"
    wait_for(
        lambda: log_lines(dept, refused) >= 2, 30, "the department's server to refuse 01TE's leaf (twice)"
    )
    assert log_lines(tn, "Leafnode Error 'Authorization Violation'") >= 1  # as 01TE's server hears it
    assert log_lines(secured["01AB"], "Authorization Violation") == 0
    time.sleep(3)
    assert federated(dept) == before  # none of 01TE's events
    from sqlalchemy import func, select

    from haiquan.kit.tables import OutboxEvent

    assert tn.db is not None
    with tn.db.engine.connect() as conn:  # published to its own server, still there
        q = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.unit == "01TE")
        assert conn.execute(q).scalar() == 10


def test_a_client_without_tls_is_refused(secured: dict[str, Node]) -> None:
    dept = secured["01"]
    with socket.create_connection(("127.0.0.1", dept.nats_port), timeout=5) as s:
        info = s.recv(4096).decode()
        assert '"tls_required":true' in info
        s.sendall(b'CONNECT {"verbose":false}\r\nPING\r\n')
        reply = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        assert b"PONG" not in reply  # never served; the server closes (after its TLS handshake timeout)


def test_a_server_certificate_not_of_the_federation_or_an_unknown_nkey_is_refused(
    secured: dict[str, Node], tmp_path: Path
) -> None:
    dept = secured["01"]
    assert dept.tls is not None
    assert dept.credentials is not None
    url = f"tls://127.0.0.1:{dept.nats_port}"
    seed = dept.credentials.seed_file("node_01")

    async def attempt(**options: Any) -> str:
        try:
            nc = await nats.connect(
                url, connect_timeout=3, allow_reconnect=False, max_reconnect_attempts=0, **options
            )
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        await nc.close()
        return "connected"

    ca = str(dept.tls.ca_file)
    assert asyncio.run(attempt(tls=tls_context(ca), nkeys_seed=str(seed))) == "connected"
    no_ca = asyncio.run(attempt(tls=ssl.create_default_context(), nkeys_seed=str(seed)))
    assert "CERTIFICATE_VERIFY_FAILED" in no_ca or "certificate verify failed" in no_ca
    other = tmp_path / "other.nk"
    other.write_text(new_user_seed())
    assert "Authorization" in asyncio.run(attempt(tls=tls_context(ca), nkeys_seed=str(other)))
