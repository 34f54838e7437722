"""Our own e-Form D for an export: an officer issues it from an export declaration, signed with VN's key;
the duty sends it to the partner country's registered endpoint; the partner verifies it with VN's
certificate. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from haiquan.origin import eformd, outgoing
from haiquan.origin.signer import VN_KEY_NAME, vn_key
from tests.declarations.test_lifecycle_more import export_declaration
from tests.origin.conftest import Asw


def test_an_export_gets_a_signed_certificate_sent_to_the_partner(asw: Asw) -> None:
    asw.app.state.settings.development = True
    assert asw.register_key("MY", "MY-1", endpoint="http://asw.example.my/eco").status_code == 201
    body = export_declaration()
    body["importer"] = {"name": "Kuala Lumpur Steel Sdn Bhd", "country": "MY"}
    number = asw.world.lodge(body).json()["number"]
    data = {"declaration_number": number, "certificate_no": "VN-MY-26-000001", "importing_country": "MY",
            "items": [{"line_no": 1, "criterion": "WO"}]}  # fmt: skip
    assert (
        asw.world.post("/api/v1/origin/outgoing-certificates", asw.world.off("nb_officer1"), data).status_code
        == 404
    )
    r = asw.world.post("/api/v1/origin/outgoing-certificates", asw.world.off("hp_officer"), data)
    assert r.status_code == 201, r.text
    assert (r.json()["direction"], r.json()["delivery"]) == ("out", "pending")
    received: list[bytes] = []

    def partner(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(201)

    http = httpx.Client(transport=httpx.MockTransport(partner))
    assert outgoing.send_pending(asw.app.state.db, asw.app.state.settings, http) == 1
    assert outgoing.send_pending(asw.app.state.db, asw.app.state.settings, http) == 0
    cert_pem = vn_key(asw.app.state.settings)[1].decode()
    keys = {"VN": [eformd.CountryCert("VN", VN_KEY_NAME, cert_pem, None)]}
    (parsed,) = eformd.parse(received[0], keys)
    assert parsed.fields["items"][0]["criterion"] == "WO"
    assert parsed.fields["importing_country"] == "MY"


def test_an_import_declaration_gets_no_outgoing_certificate(asw: Asw) -> None:
    from tests.origin.conftest import tshirts

    number = asw.world.lodge(tshirts()).json()["number"]
    data: dict[str, Any] = {"declaration_number": number, "certificate_no": "VN-MY-26-000002",
                            "importing_country": "MY", "items": [{"line_no": 1, "criterion": "WO"}]}  # fmt: skip
    r = asw.world.post("/api/v1/origin/outgoing-certificates", asw.world.off("nb_officer1"), data)
    assert (r.status_code, r.json()["field"]) == (422, "declaration_number")
