"""Reference data flowing down three levels (decision 0037): the General Department (00) over Hanoi's
department (01) over a sub-department (01TE), each with its own nats-server and haiquan process on its own
SQLite file (the appliers' PostgreSQL runs are tests/sharing/test_reference.py). A tariff change published at
the top with `haiquan sharing publish-reference --from-database` is used at the sub-department; a large
version travels in parts; an older version is refused and the refusal seen at the top; a node cut off
applies what it missed in order when it returns; a bad document is refused naming its field and does not
block what follows."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import select

from haiquan.kit.tables import OutboxEvent
from haiquan.reference import service as reference_data
from haiquan.reference.tables import TariffLineRow
from haiquan.sharing import reference
from haiquan.sharing.natsconf import client_url, node_user
from haiquan.sharing.tables import NodeReferenceVersion, ReferenceVersion
from tests.federation.harness import ROOT, SECRET, SRC, Node, start_nodes, stop_nodes, wait_for
from tests.federation.reference_docs import national_tariff
from tests.services import nats_server

pytestmark = [pytest.mark.nats, pytest.mark.timeout(300)]
HS8 = "01022100"  # the sample tariff's first line: 0 % MFN


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    nats_server()
    base = tmp_path_factory.mktemp("refdown")
    top = Node("00", base / "n00", None, ["01"])
    dept = Node("01", base / "n01", "00", ["01TE"])
    sub = Node("01TE", base / "n01TE", "01", [])
    nodes = {n.unit: n for n in (top, dept, sub)}
    try:
        top.prepare(None)
        dept.prepare(top.leaf_port)
        sub.prepare(dept.leaf_port)
        assert top.db is not None
        with top.db.unit_of_work() as uow:  # the General Department's own tariff
            reference_data.load_tariff(uow.session)
            uow.commit()
        start_nodes(list(nodes.values()))
        yield nodes
    finally:
        stop_nodes(list(nodes.values()))


def cli(node: Node, *args: str, nats_url: bool = True) -> str:
    assert node.config is not None
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + ROOT, "HAIQUAN_DATABASE_URL": node.db_url,
           "HAIQUAN_SECRET_KEY": SECRET, "HAIQUAN_UNIT": node.unit, "HAIQUAN_CHILD_NODES": ",".join(node.children),
           "HAIQUAN_NATS_URL": node.config.app_url() if nats_url else ""}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "haiquan.cli", *args], env=env, capture_output=True, text=True, timeout=90
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def publish(node: Node, kind: str, version: int, document: dict[str, Any], *, msg_id: str = "") -> int:
    """What the CLI publishes (reference.messages), straight to the top's server; how many messages."""
    msgs = reference.messages(kind, version, document, "officer:gdvc")

    async def go() -> None:
        nc = await nats.connect(client_url("127.0.0.1", node.nats_port, node_user(node.unit), SECRET))
        js = nc.jetstream(timeout=10)
        for mid, body in msgs:
            await js.publish(f"hq.ref.{kind}", body, headers={"Nats-Msg-Id": msg_id + mid})
        await nc.close()

    asyncio.run(go())
    return len(msgs)


def held(node: Node, kind: str) -> int | None:
    assert node.db is not None
    with node.db.engine.connect() as conn:
        return conn.execute(select(ReferenceVersion.version).where(ReferenceVersion.kind == kind)).scalar()


def recorded(node: Node, type_: str, kind: str) -> list[dict[str, Any]]:
    """The node's own sharing events of a kind, in the order it recorded them."""
    assert node.db is not None
    with node.db.engine.connect() as conn:
        q = select(OutboxEvent.payload).where(OutboxEvent.type == type_, OutboxEvent.origin.is_(None))
        rows = [dict(p) for p in conn.execute(q.order_by(OutboxEvent.seq)).scalars()]
    return [r for r in rows if r["kind"] == kind]


def at_top(top: Node, node: str, kind: str) -> NodeReferenceVersion | None:
    assert top.db is not None
    with top.db.sessions() as s:
        row = s.get(NodeReferenceVersion, (node, kind))
        if row is not None:
            s.expunge(row)
        return row


def mfn(node: Node, hs8: str) -> str:
    r = httpx.get(f"http://127.0.0.1:{node.http_port}/api/v1/public/tariff/{hs8}", timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["rates"]["MFN"])


def test_a_tariff_change_at_the_general_department_is_used_two_levels_down(tree: dict[str, Node]) -> None:
    top, dept, sub = tree["00"], tree["01"], tree["01TE"]
    assert top.db is not None
    with top.db.unit_of_work() as uow:  # the rate changed at the General Department
        line = uow.session.get(TariffLineRow, HS8)
        assert line is not None
        line.mfn_rate = 7  # type: ignore[assignment]
        uow.commit()
    out = cli(top, "sharing", "publish-reference", "tariff", "--from-database")
    assert "tariff v1 published" in out, out
    for node in (top, dept, sub):
        wait_for(lambda n=node: held(n, "tariff") == 1, 60, f"tariff v1 at {node.unit}")  # type: ignore[misc]
    assert float(mfn(sub, HS8)) == 7.0  # looked up at the sub-department, by its own process
    # the sub-department's event came up two levels: the top knows its version
    wait_for(
        lambda: (r := at_top(top, "01TE", "tariff")) is not None and r.version == 1,
        60,
        "01TE's version at 00",
    )
    status = json.loads(cli(top, "sharing", "status", "--json", nats_url=False))
    got = {(v["node"], v["kind"]): v["version"] for v in status["references"]}
    assert got[("00", "tariff")] == got[("01", "tariff")] == got[("01TE", "tariff")] == 1


def test_a_full_tariff_travels_in_parts_and_an_older_version_is_refused(tree: dict[str, Node]) -> None:
    top, sub = tree["00"], tree["01TE"]
    doc = national_tariff()
    doc["lines"][0] = doc["lines"][0] | {"hs8": HS8, "mfn_rate": "9"}
    assert publish(top, "tariff", 2, doc) > 10  # over NATS's 1 MiB max_payload whole: in parts
    wait_for(lambda: held(sub, "tariff") == 2, 90, "the full tariff at 01TE")
    assert float(mfn(sub, HS8)) == 9.0
    assert sub.db is not None
    with sub.db.engine.connect() as conn:
        assert len(conn.execute(select(TariffLineRow.hs8)).all()) == 11_000

    publish(top, "tariff", 1, {"lines": doc["lines"][:5]}, msg_id="again-")  # older than the one held
    wait_for(lambda: any(e["why"] == "older" for e in recorded(sub, "sharing.reference_refused", "tariff")), 60,
             "the refusal at 01TE")  # fmt: skip
    assert held(sub, "tariff") == 2
    assert float(mfn(sub, HS8)) == 9.0
    wait_for(lambda: (r := at_top(top, "01TE", "tariff")) is not None and r.refused >= 1, 60, "refusal at 00")


def test_a_node_cut_off_applies_what_it_missed_in_order(tree: dict[str, Node]) -> None:
    top, dept, sub = tree["00"], tree["01"], tree["01TE"]
    assert dept.nats is not None
    rates = [{"currency": "USD", "valid_from": "2026-12-01", "vnd_per_unit": "25000"}]
    publish(top, "exchange_rates", 1, {"rates": rates})
    wait_for(lambda: held(sub, "exchange_rates") == 1, 60, "exchange rates v1 at 01TE")
    # the department applies from its own stream, which 01TE sources apart: 01TE may hold v1 first
    wait_for(lambda: held(dept, "exchange_rates") == 1, 60, "exchange rates v1 at 01")
    dept.nats.stop()  # the department's server is gone: 01 and 01TE are cut off from the top
    for v in (2, 3):
        publish(top, "exchange_rates", v, {"rates": [rates[0] | {"vnd_per_unit": str(25000 + v)}]})
    wait_for(lambda: held(top, "exchange_rates") == 3, 30, "v3 at the top")
    assert held(sub, "exchange_rates") == 1
    assert held(dept, "exchange_rates") == 1
    dept.nats.start()
    for node in (dept, sub):
        wait_for(lambda n=node: held(n, "exchange_rates") == 3, 120, f"v3 at {node.unit}")  # type: ignore[misc]
        applied = [e["version"] for e in recorded(node, "sharing.reference_applied", "exchange_rates")]
        assert applied == [1, 2, 3]  # v2 then v3, in order: nothing refused, nothing skipped
        assert recorded(node, "sharing.reference_refused", "exchange_rates") == []


def test_a_bad_document_is_refused_naming_the_field_and_blocks_nothing(tree: dict[str, Node]) -> None:
    top, sub = tree["00"], tree["01TE"]
    entry = {"id": "w1", "kind": "hs_code", "value": "8703", "reason": "r", "source": "GDVC", "unit": "00",
             "added_by": "officer:gdvc"}  # fmt: skip
    publish(top, "watch_list", 1, {"entries": [entry | {"kind": "planet"}]})
    publish(top, "watch_list", 2, {"entries": [entry]})
    wait_for(lambda: held(sub, "watch_list") == 2, 60, "watch list v2 at 01TE")
    (bad,) = recorded(sub, "sharing.reference_refused", "watch_list")
    assert (bad["version"], bad["why"], bad["field"]) == (1, "bad", "entries.0.kind")
    assert [e["version"] for e in recorded(sub, "sharing.reference_applied", "watch_list")] == [2]
