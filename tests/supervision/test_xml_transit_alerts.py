"""Signed XML messages, transit under customs control, alerts from the scan, acknowledgement and closing,
webhooks to the terminal, the registry's ranking and the officers' pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from haiquan.kit import clock
from haiquan.supervision.cli import app as cli
from haiquan.supervision.tables import TerminalWebhookRow
from tests.supervision.helpers import (
    CARRIER,
    LOCATION,
    TERMINAL,
    bill,
    connect_terminal,
    container,
    manifest,
    msg,
    send,
)
from tests.supervision.test_flow import declare_and_clear
from tests.support import World

NS = "urn:haiquan:supervision:terminal-message:1"
C1, C2 = container(11), container(12)


def keys(tmp: Path, name: str) -> tuple[Path, Path]:
    r = CliRunner().invoke(cli, ["keygen", "--out", str(tmp / name), "--name", name])
    assert r.exit_code == 0, r.output
    return tmp / name / "key.pem", tmp / name / "cert.pem"


def xml_batch(*messages: str) -> bytes:
    return f'<TerminalMessages xmlns="{NS}">{"".join(messages)}</TerminalMessages>'.encode()


def xml_msg(mid: str, kind: str, cont: str, seal: str, extra: str = "") -> str:
    at = dt.datetime.now(dt.UTC).isoformat()
    return (
        f"<Message><MessageId>{mid}</MessageId><Kind>{kind}</Kind><Location>{LOCATION}</Location><At>{at}</At>"
        f"<CargoType>container</CargoType><Container>{cont}</Container><Seal>{seal}</Seal>{extra}</Message>"
    )


def sign(tmp: Path, data: bytes, key: Path, key_name: str) -> bytes:
    src = tmp / "batch.xml"
    src.write_bytes(data)
    r = CliRunner().invoke(cli, ["sign", str(src), "--key", str(key), "--key-name", key_name])
    assert r.exit_code == 0, r.output
    return r.stdout_bytes


def test_signed_xml_is_verified_per_message(world: World, client: TestClient, tmp_path: Path) -> None:
    op = connect_terminal(world)
    world.post(
        "/api/v1/manifests",
        world.ent(CARRIER),
        manifest([bill("HPX1", [(C1, "S1")]), bill("HPX2", [(C2, "S2")])]),
    )
    key, cert = keys(tmp_path, TERMINAL)  # the certificate names the operator's tax code
    other_key, _ = keys(tmp_path, "other")
    r = world.post(  # customs registers it
        f"/api/v1/terminal-operators/{op}/keys",
        world.off("hp_leader"),
        {"key_name": "gate-2026", "certificate_pem": cert.read_text()},
    )
    assert r.status_code == 201, r.text
    good = sign(
        tmp_path,
        xml_batch(xml_msg("X1", "gate_in", C1, "S1"), xml_msg("X2", "gate_in", C2, "S2")),
        key,
        "gate-2026",
    )
    tampered = good.replace(b"<Seal>S2</Seal>", b"<Seal>S9</Seal>")
    r = client.post(
        "/api/v1/terminal-messages",
        content=tampered,
        headers={**world.ent(TERMINAL), "Content-Type": "application/xml"},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["status"] for x in out["results"]] == ["applied", "error"]
    assert out["results"][1]["errors"][0]["code"] == "broken_signature"
    unknown = sign(tmp_path, xml_batch(xml_msg("X3", "gate_in", C2, "S2")), other_key, "not-registered")
    r = client.post(
        "/api/v1/terminal-messages",
        content=unknown,
        headers={**world.ent(TERMINAL), "Content-Type": "application/xml"},
    )
    assert r.json()["results"][0]["errors"][0]["code"] == "unknown_key"
    wrong_key = sign(tmp_path, xml_batch(xml_msg("X4", "gate_in", C2, "S2")), other_key, "gate-2026")
    r = client.post(
        "/api/v1/terminal-messages",
        content=wrong_key,
        headers={**world.ent(TERMINAL), "Content-Type": "application/xml"},
    )
    assert r.json()["results"][0]["errors"][0]["code"] == "broken_signature"
    schema_bad = sign(
        tmp_path,
        xml_batch(xml_msg("X5", "gate_in", C2, "S2", "<PackageCount>-3</PackageCount>")),
        key,
        "gate-2026",
    )
    r = client.post(
        "/api/v1/terminal-messages",
        content=schema_bad,
        headers={**world.ent(TERMINAL), "Content-Type": "application/xml"},
    )
    assert r.json()["results"][0]["errors"][0]["code"] == "schema"
    r = client.post(
        "/api/v1/terminal-messages",
        content=good,
        headers={**world.ent(TERMINAL), "Content-Type": "application/xml"},
    )
    assert [x["status"] for x in r.json()["results"]] == ["duplicate", "applied"]
    kept = client.get("/api/v1/terminal-messages/rejected", headers=world.ent(TERMINAL)).json()
    assert {k["format"] for k in kept} == {"xml"}
    assert len(kept) == 4
    assert "<Seal>S9</Seal>" in kept[-1]["raw"]


def test_transit_departs_arrives_and_overdue_raises_an_alert(world: World, client: TestClient) -> None:
    connect_terminal(world)
    lead = world.off("hp_leader")
    r = world.post(
        "/api/v1/terminal-operators", lead, {"tax_code": "0101248141", "name": "ICD Mỹ Đình", "unit": "03CC"}
    )
    icd = r.json()["id"]
    world.post(
        f"/api/v1/terminal-operators/{icd}/locations",
        lead,
        {"code": "03ICDMD", "name": "ICD Mỹ Đình", "kind": "inland_depot", "unit": "03CC"},
    )
    world.post(
        "/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPT1", [(C1, "S1")], purpose="transit")])
    )
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    refused = send(world, [msg("GO-1", "gate_out", C1, seal="S1", destination="controlled_area")])
    assert [r["code"] for r in refused["results"][0]["reasons"]] == ["no_customs_permit"]
    t = world.post(
        "/api/v1/transits",
        world.off("hp_officer"),
        {
            "goods_id": "HPT1",
            "permit": "TR-1",
            "from_location": LOCATION,
            "to_location": "03ICDMD",
            "seal": "S1",
            "route": "QL5 → Hà Nội",
            "hours_allowed": 6,
        },
    )
    assert t.status_code == 201, t.text
    left = send(world, [msg("GO-2", "gate_out", C1, seal="S1", destination="controlled_area")])
    assert left["applied"] == 1, left
    tr = client.get(f"/api/v1/transits/{t.json()['id']}", headers=world.off("hp_officer")).json()
    assert tr["status"] == "departed"
    assert tr["deadline"]
    clock.freeze(dt.datetime.now(dt.UTC) + dt.timedelta(hours=7))
    world.tokens.clear()  # seven hours without a request: the officers log in again (idle timeout)
    with world.client.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        from haiquan.supervision.alerts import scan

        counts = scan(uow.session, no_declaration_days=30)
        uow.commit()
    assert counts["transit_overdue"] == 1
    alerts = client.get(
        "/api/v1/supervision/alerts?kind=transit_overdue", headers=world.off("hp_officer")
    ).json()
    assert len(alerts) == 1
    assert "ICDMD" in alerts[0]["message_vi"]
    a = alerts[0]["id"]
    ack = world.post(
        f"/api/v1/supervision/alerts/{a}/acknowledge", world.off("hp_officer"), {"note": "Đã liên hệ lái xe"}
    )
    assert ack.json()["status"] == "acknowledged"
    assert (
        world.post(
            f"/api/v1/supervision/alerts/{a}/close", world.off("nb_officer1"), {"note": "x"}
        ).status_code
        == 404
    )
    done = world.post(
        f"/api/v1/supervision/alerts/{a}/close", world.off("hp_officer"), {"note": "Hàng đã đến"}
    )
    assert done.json()["status"] == "closed"
    assert "Hàng đã đến" in done.json()["note"]


def test_dwell_and_no_declaration_alerts_are_raised_once(world: World, app: Any) -> None:
    connect_terminal(world)
    world.post(
        "/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPD1", [(C1, "S1")])], hours_ahead=30)
    )
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    from haiquan.supervision.alerts import scan

    clock.freeze(dt.datetime.now(dt.UTC) + dt.timedelta(days=100))
    for expected in (
        {"dwell": 1, "manifest_without_declaration": 1, "transit_overdue": 0},
        {"dwell": 0, "manifest_without_declaration": 0, "transit_overdue": 0},
    ):
        with app.state.db.unit_of_work() as uow:
            assert scan(uow.session) == expected
            uow.commit()


def test_clearance_is_pushed_to_the_terminal(world: World, app: Any) -> None:
    app.state.settings.development = True  # port 9 of this machine: tried, and nobody answers
    connect_terminal(world)
    world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPW1", [(C1, "S1")])]))
    with app.state.db.unit_of_work() as uow:
        from sqlalchemy import select

        from haiquan.organization.tables import EnterpriseRow

        ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == TERMINAL))
        assert ent is not None
        ent.webhook_url = "http://127.0.0.1:9/hook"
        uow.commit()
    declare_and_clear(world, app, "HPW1", [C1], 100)
    with app.state.db.unit_of_work() as uow:
        from sqlalchemy import select

        rows = [
            (r.id, dict(r.body))
            for r in uow.session.scalars(select(TerminalWebhookRow).order_by(TerminalWebhookRow.id))
        ]
    assert rows
    assert rows[-1][1]["may_leave"] is True
    assert rows[-1][1]["goods_id"] == "HPW1"
    assert rows[0][1]["may_leave"] is False  # registered, not yet paid
    assert app.state.supervision.deliver_due() == 0  # nobody listens on port 9: retried later
    with app.state.db.unit_of_work() as uow:
        first = uow.session.get(TerminalWebhookRow, rows[0][0])
        last = uow.session.get(TerminalWebhookRow, rows[-1][0])
        assert first is not None
        assert first.attempts == 1
        assert first.state == "pending"
        assert first.last_error
        # the receiver failed: its other pushes wait, in order, as long as the first (kit.receivers)
        assert last is not None
        assert last.attempts == 0
        assert last.state == "pending"
        assert last.next_attempt_at == first.next_attempt_at


def test_ranking_and_pages(world: World, client: TestClient) -> None:
    op = connect_terminal(world)
    r = world.post(
        f"/api/v1/terminal-operators/{op}/survey",
        world.off("hp_officer"),
        {
            "transactions_per_day": 900,
            "annual_teu": 400000,
            "annual_tonnes": 0,
            "declarations_per_year": 90000,
            "it_readiness": 4,
        },
    )
    assert r.status_code == 200, r.text
    ranked = client.get("/api/v1/terminal-operators", headers=world.off("hp_leader")).json()
    assert ranked[0]["rank"] == 1
    assert ranked[0]["locations"] == [LOCATION]
    assert client.get("/api/v1/terminal-operators", headers=world.off("nb_officer1")).json() == []
    page = client.get("/supervision/terminals", headers=world.off("hp_leader"))
    assert page.status_code == 200
    assert "Thứ tự" in page.text
    assert "Cảng Hải Phòng" in page.text
    alerts_page = client.get("/supervision/alerts?lang=en", headers=world.off("hp_leader"))
    assert alerts_page.status_code == 200
    assert "No alerts" in alerts_page.text
    assert client.get("/supervision/alerts", headers=world.ent(TERMINAL)).status_code == 403


def test_webhook_is_delivered_signed(world: World, app: Any) -> None:
    import hashlib
    import hmac
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from sqlalchemy import select

    from haiquan.organization.tables import EnterpriseRow
    from haiquan.supervision.schemas import ConsignmentStatusPushed

    got: list[tuple[dict[str, str], bytes]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    app.state.settings.development = True  # a receiver on this machine: plain http to 127.0.0.1
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connect_terminal(world)
        world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPW2", [(C2, "S2")])]))
        with app.state.db.unit_of_work() as uow:
            ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == TERMINAL))
            assert ent is not None
            ent.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
            secret = ent.webhook_secret or ""
            uow.commit()
        declare_and_clear(world, app, "HPW2", [C2], 100)
        delivered = app.state.supervision.deliver_due()
        assert delivered == len(got) >= 2
        headers, body = got[-1]
        mac = hmac.new(secret.encode(), headers["X-Haiquan-Timestamp"].encode() + b"." + body, hashlib.sha256)
        assert headers["X-Haiquan-Signature"] == "sha256=" + mac.hexdigest()
        last = json.loads(body)
        assert last["goods_id"] == "HPW2"
        assert last["may_leave"] is True
        assert last["cause"] == "declaration.cleared"
        for _, pushed in got:  # what the OpenAPI's webhooks section says is pushed, no field more
            ConsignmentStatusPushed.model_validate_json(pushed)
        assert app.state.supervision.deliver_due() == 0  # delivered once
    finally:
        server.shutdown()
