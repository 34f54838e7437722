"""Records, not only totals (issue #24, decision 0038), with real nats-servers: a declaration lodged and
registered at a sub-department node through its API (the real producer) is opened by the department's
leader at the department node, with its lane and when it last changed; after the sub-department's
nats-server is killed the department still opens it (a local table, not a live call)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from haiquan.organization import service as org
from tests.federation.harness import Node, start_nodes, stop_nodes, wait_for
from tests.federation.test_federation import drop_databases, node_databases
from tests.services import nats_server
from tests.support import (
    ENTERPRISES,
    OFFICERS,
    PASSWORD,
    REPRESENTATIONS,
    grant_representation,
    import_declaration,
    load_reference,
)

pytestmark = [pytest.mark.nats, pytest.mark.timeout(240)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Node, Node, dict[str, str]]]:
    """The department (01) and one sub-department node (01AB), each with officers, enterprises and the
    reference data a declaration needs (SQLite files, then PostgreSQL databases); the enterprises' API keys
    at the sub-department."""
    nats_server()
    base = tmp_path_factory.mktemp("records")
    pg = request.param == "postgresql"
    urls = node_databases(request.getfixturevalue("pg_url"), ("01r", "01abr")) if pg else {}
    dept = Node("01", base / "n01", None, ["01AB"], database_url=urls.get("01r", ""))
    sub = Node("01AB", base / "n01AB", "01", [], database_url=urls.get("01abr", ""))
    keys: dict[str, str] = {}
    try:
        dept.prepare(None)
        sub.prepare(dept.leaf_port)
        for node in (dept, sub):
            keys |= people(node)
        start_nodes([dept, sub])
        yield dept, sub, keys
    finally:
        stop_nodes([dept, sub])
        if urls:
            drop_databases(urls)


def people(node: Node) -> dict[str, str]:
    db = node.db
    assert db is not None
    load_reference(db)
    keys = {}
    with db.unit_of_work() as uow:
        for username, unit, role in OFFICERS:
            org.add_officer(
                uow.session, username=username, unit=unit, role=role, password=PASSWORD, actor="t"
            )
        for tax, name, roles in ENTERPRISES:
            _, keys[tax] = org.add_enterprise(uow.session, tax_code=tax, name=name, roles=roles, actor="t")
        uow.commit()
    with db.unit_of_work() as uow:
        for principal, agent in REPRESENTATIONS:
            grant_representation(uow.session, principal=principal, representative=agent)
        uow.commit()
    return keys


def officer(client: httpx.Client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_department_opens_a_sub_departments_declaration_even_with_the_link_down(
    pair: tuple[Node, Node, dict[str, str]],
) -> None:
    dept, sub, keys = pair
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{sub.http_port}", timeout=30) as at_sub,
        httpx.Client(base_url=f"http://127.0.0.1:{dept.http_port}", timeout=30) as at_dept,
    ):
        trader = {"Authorization": f"Bearer {keys['0100109106']}"}
        lodged = at_sub.post("/api/v1/declarations", json=import_declaration(), headers=trader)
        assert lodged.status_code == 201, lodged.text
        number = lodged.json()["number"]
        registered = at_sub.post(f"/api/v1/declarations/{number}/register", headers=trader)
        assert registered.status_code == 200, registered.text
        lane = registered.json()["channel"]
        leader = officer(at_dept, "hn_leader")
        url = f"/api/v1/sharing/records/declaration/{number}"

        def registered_there() -> dict[str, Any] | None:
            r = at_dept.get(url, headers=leader)
            return r.json() if r.status_code == 200 and r.json()["status"] != "lodged" else None

        seen = wait_for(registered_there, 60, "the department to hold the registered declaration")
        assert (seen["origin"], seen["unit"], seen["summary"]["lane"]) == ("01AB", "01AB", lane)
        history = [h["type"] for h in seen["history"]]
        assert history[:2] == ["declaration.lodged", "declaration.registered"]
        assert seen["updated_at"]
        assert seen["received_at"] >= seen["updated_at"]
        # the sub-department's own view of the same declaration: the same status
        own = at_sub.get(f"/api/v1/declarations/{number}", headers=officer(at_sub, "nb_leader")).json()
        assert own["status"] == seen["status"]

        assert sub.nats is not None
        assert sub.nats.proc is not None
        sub.nats.proc.send_signal(signal.SIGKILL)  # the sub-department's server is gone: the link is down
        sub.nats.proc.wait()
        sub.nats.proc = None
        again = at_dept.get(url, headers=leader)
        assert again.status_code == 200
        assert (again.json()["updated_at"], again.json()["status"]) == (seen["updated_at"], seen["status"])
        page = at_dept.get(f"/sharing/records/declaration/{number}?lang=en", headers=leader)
        assert page.status_code == 200
        assert "Last updated:" in page.text
        assert "(from node 01AB)" in page.text
        listed = at_dept.get("/api/v1/sharing/records?kind=declaration", headers=leader).json()
        assert number in [i["reference"] for i in listed["items"]]
        other = officer(at_dept, "hp_leader")  # another department: not its record
        assert at_dept.get(url, headers=other).status_code == 404
