"""More of the lifecycle: export and low-value, expiry, eligibility, cancel, documents requests, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from fastapi.testclient import TestClient

from haiquan.declarations.schemas import NOTIFIED, NotificationOut
from haiquan.kit import clock
from tests.declarations.test_flow import force_lane
from tests.support import World, import_declaration


def export_declaration() -> dict[str, Any]:
    return {
        "kind": "export",
        "office": "03CC",
        "exporter": {"tax_code": "0101248141"},
        "importer": {"name": "Busan Trading", "country": "KR"},
        "transport_mode": "sea",
        "transport_document": "HPHBUS2600123",
        "containers": ["CSQU3054383", "MWCU6059784"],
        "package_count": 2,
        "gross_mass_kg": "44000",
        "invoice": {"currency": "USD", "amount": "50000", "incoterm": "FOB"},
        "lines": [{"hs_code": "26011100", "description": "Iron ore fines", "origin_country": "VN",
                   "quantity": "40000", "quantity_unit": "KGM", "net_mass_kg": "40000", "value": "50000"}],
    }  # fmt: skip


def test_export_duty_on_fob_and_containers_validated(world: World) -> None:
    r = world.lodge(export_declaration())
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["code"] == "EDA"
    assert d["number"].startswith("3")
    assert d["containers"] == ["CSQU3054383", "MWCU6059784"]
    assert (
        d["duties"]["export_duty"] == "520000000.0000"
        or float(d["duties"]["export_duty"]) == 50000 * 26000 * 0.40
    )


def test_low_value_declarations_have_their_own_numbers_and_limit(world: World) -> None:
    small = import_declaration(category="low_value")
    small["invoice"] = {"currency": "USD", "amount": "60", "incoterm": "CIF"}
    small["lines"] = [dict(small["lines"][0], value="60", quantity="1")]
    r = world.lodge(small)
    assert r.status_code == 201, r.text
    assert r.json()["code"] == "MIC"
    assert r.json()["number"].startswith("5")
    big = import_declaration(category="low_value")
    r = world.lodge(big)
    assert r.status_code == 422
    assert r.json()["field"] == "category"


def test_unregistered_declaration_expires_after_seven_days(world: World) -> None:
    n = world.lodge(import_declaration()).json()["number"]
    clock.freeze(clock.now() + timedelta(days=7, minutes=1))
    r = world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
    assert r.status_code == 409
    assert r.json()["code"] == "expired"


def test_ineligible_declarant_cannot_register(world: World, app: Any) -> None:
    """A debt of the payer unpaid more than 90 days after its due date (derived from the ledger)."""
    force_lane(app, "yellow")
    first = world.lodge(import_declaration()).json()["number"]
    assert (
        world.post(f"/api/v1/declarations/{first}/register", world.ent("0100109106"), None).status_code == 200
    )
    clock.freeze(clock.now() + timedelta(days=92))
    n = world.lodge(import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
    assert r.status_code == 403
    assert r.json()["code"] == "declarant_tax_debt"


def test_documents_request_round_trip_and_cancel(world: World, app: Any, client: TestClient) -> None:
    force_lane(app, "yellow")
    n = world.lodge(import_declaration()).json()["number"]
    world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
    r = world.post(f"/api/v1/declarations/{n}/decision", world.off("nb_leader"),
                   {"kind": "request_documents", "reason": "Thiếu C/O bản gốc"})  # fmt: skip
    assert r.json()["status"] == "documents_requested"
    r = world.post(
        f"/api/v1/declarations/{n}/documents", world.ent("0100109106"), {"documents": ["CO-E2600012345"]}
    )
    assert r.json()["status"] == "registered"
    # the lifecycle refuses what its table does not allow: 409 problem+json naming the status
    r = world.post(f"/api/v1/declarations/{n}/documents", world.ent("0100109106"), {"documents": ["CO-2"]})
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert (r.json()["code"], r.json()["field"]) == ("invalid_transition", "status")
    r = world.post(
        f"/api/v1/declarations/{n}/cancel", world.ent("0100109106"), {"reason": "Khách hàng huỷ đơn"}
    )
    assert r.json()["status"] == "cancelled"
    r = world.post(f"/api/v1/declarations/{n}/cancel", world.ent("0100109106"), {"reason": "again"})
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert (r.json()["code"], r.json()["field"]) == ("not_cancellable", "status")


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012
    fail_first = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Hook.fail_first:
            _Hook.fail_first = False
            self.send_response(503)
        else:
            _Hook.received.append((dict(self.headers), body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_webhooks_are_signed_and_retried_with_backoff(world: World, app: Any, client: TestClient) -> None:
    app.state.settings.development = True  # a receiver on this machine: plain http to 127.0.0.1
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received, _Hook.fail_first = [], True
    url = f"http://127.0.0.1:{server.server_port}/hook"
    r = client.put("/api/v1/enterprise/webhook", json={"url": url}, headers=world.ent("0100109106"))
    secret = r.json()["secret"]
    world.lodge(import_declaration())
    app.state.dispatcher.run_once()
    assert app.state.webhooks.deliver_due() == 0  # first attempt refused by the receiver
    assert app.state.webhooks.deliver_due() == 0  # not due yet: backing off
    clock.freeze(clock.now() + timedelta(seconds=6))
    assert app.state.webhooks.deliver_due() == 1
    headers, body = _Hook.received[0]
    expected = hmac.new(
        secret.encode(), headers["X-Haiquan-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Haiquan-Signature"] == "sha256=" + expected
    pushed = json.loads(body)
    assert pushed["status"] == "accepted"
    # what the OpenAPI's webhooks section says is pushed, no field more
    assert set(pushed) == set(NotificationOut.model_fields)
    assert set(pushed["payload"]) == set(NOTIFIED)
    NotificationOut.model_validate(pushed)
    server.shutdown()
