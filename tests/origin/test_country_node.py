"""End to end with the test country node: `haiquan origin country-node keygen` makes Thailand's key,
customs registers its certificate (`haiquan origin add-key`), `example` and `sign` make a signed batch of
two, `send` delivers it to the served application over HTTP; a declaration naming one of them gets ATIGA."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import cli_support, clock
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.reference.tables import TariffLineRow
from haiquan.tariff import service as tariff_service
from tests.origin.conftest import GATEWAY, NOW, tshirts
from tests.support import World, build_world

runner = CliRunner()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, World, Database]]:
    from haiquan.app import create_app

    db = Database(f"sqlite:///{tmp_path / 'node.db'}")
    db.create_all()
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(Settings(data_dir=tmp_path, secret_key="n" * 40, run_dispatcher=False), db)
    world = build_world(app, TestClient(app))
    with db.unit_of_work() as uow:
        uow.session.add(TariffLineRow(hs8="61091010", description_vi="Áo phông", description_en="T-shirts",
                                      unit="PCE", mfn_rate=Decimal(20), vat_rate=Decimal(8), excise_rate=Decimal(0),
                                      export_rate=Decimal(0), preferential={"ATIGA": "0"}))  # fmt: skip
        _, world.keys[GATEWAY] = org.add_enterprise(uow.session, tax_code=GATEWAY, name="ASW gateway",
                                                    roles=["asw_gateway"], actor="test")  # fmt: skip
        uow.commit()
    tariff_service.invalidate()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    cli_support._db = db
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", world, db
    cli_support._db = None
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    db.dispose()


def invoke(*args: str) -> str:
    r = runner.invoke(cli.app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_the_country_node_signs_and_sends_a_batch(
    served: tuple[str, World, Database], tmp_path: Path
) -> None:
    base, world, _ = served
    node = tmp_path / "th"
    invoke("origin", "country-node", "keygen", "--country", "TH", "--out", str(node))
    invoke("origin", "add-key", "--country", "TH", "--key-name", "TH-DFT-1", "--cert", str(node / "cert.pem"))
    for n in ("TH2026-0001234", "TH2026-0001235"):
        (tmp_path / f"{n}.json").write_text(invoke("origin", "country-node", "example", "--number", n))
    batch = tmp_path / "batch.xml"
    invoke("origin", "country-node", "sign", str(tmp_path / "TH2026-0001234.json"),
           str(tmp_path / "TH2026-0001235.json"), "--key", str(node / "key.pem"), "--key-name", "TH-DFT-1",
           "--out", str(batch))  # fmt: skip
    url = f"{base}/api/v1/origin/certificates"
    answer = json.loads(invoke("origin", "country-node", "send", str(batch), "--url", url,
                               "--api-key", world.keys[GATEWAY]))  # fmt: skip
    assert answer["certificates"] == ["TH2026-0001234", "TH2026-0001235"]
    again = runner.invoke(cli.app, ["origin", "country-node", "send", str(batch), "--url", url,
                                    "--api-key", world.keys[GATEWAY]])  # fmt: skip
    assert again.exit_code == 1
    assert "duplicate_certificate" in again.output
    clock.freeze(NOW)
    r = world.lodge(tshirts("TH2026-0001235"))
    assert r.json()["lines"][0]["applied_scheme"] == "ATIGA", r.text
