"""Targeting stays inside customs, through HTTP on SQLite and PostgreSQL: a trader reading its yellow or red
declaration (every GET route its API key can call, its notifications and its webhook) finds the lane and a
neutral reason, never the risk profile's id or text, the value-control bound, the analyst's override reason,
a score, the inspection's findings or an officer's internal notes; an officer's read shows all of them."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from haiquan.kit import clock
from tests.support import World, import_declaration

DECLARANT, IMPORTER = "0100109106", "0101248141"
LEADER = "nb_leader"
PROFILE: dict[str, Any] = {
    "id": "P-ZX-TARGET",
    "name": "Zx phones watch",
    "criteria": "hs starts 8517 and origin = CN -> score +37",
    "units": ["01AB"],
    "reason_vi": "Mục tiêu Zx bí mật",
    "reason_en": "Zx secret target",
    "why": "disclosure test",
}
BOUND = {"min_unit_value": "12345678", "max_unit_value": "40000000", "why": "market survey"}
OVERRIDE_REASON = {"yellow": "Zx informant tip yellow", "red": "Zx informant tip red"}
# officers' notes a trader must not read, and the one it must (it has to act on it)
INTERNAL = {
    "documents_accepted": "Zx matched the profile, fine",
    "red_documents": "Zx value checked against the minimum",
    "inspection": "Zx inspected for undervaluation",
    "findings": "Zx found 50 phones as declared",
    "reassign": "Zx needs the phones specialist",
}
ASKED = "Thiếu C/O bản gốc (original certificate of origin missing)"
NEUTRAL = {
    "yellow": ("Được chọn kiểm tra hồ sơ", "selected for documentary check"),
    "red": ("Được chọn kiểm tra thực tế hàng hóa", "selected for physical inspection"),
}
SECRETS: list[str] = [
    PROFILE["id"], PROFILE["name"], PROFILE["reason_vi"], PROFILE["reason_en"],
    "12,345,678", "12345678", "12.345.678", *OVERRIDE_REASON.values(), *INTERNAL.values(),
]  # fmt: skip
SCORE = re.compile(r"score|points|điểm rủi ro|điểm gian lận|top \d", re.IGNORECASE)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        _Hook.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def targeted(world: World, lane: str) -> str:
    """A declaration hitting the profile (score points) and the value-control minimum, its lane set by an
    analyst's override."""
    number = str(world.lodge(import_declaration()).json()["number"])
    until = (clock.now() + timedelta(days=3)).isoformat()
    body = {"subject": "declaration", "value": number, "channel": lane, "reason": OVERRIDE_REASON[lane]}
    r = world.post("/api/v1/risk/overrides", world.off("analyst"), body | {"expires_at": until})
    assert r.status_code == 201, r.text
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent(DECLARANT), None)
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == lane, r.text
    assert_neutral(r.json(), lane)
    return number


def assert_neutral(decl: dict[str, Any], lane: str) -> None:
    vi, en = NEUTRAL[lane]
    assert decl["channel_reasons"] == [{"kind": "channel", "channel": lane, "vi": vi, "en": en}]
    assert decl["inspection"] is None


def assert_hidden(text: str, where: str) -> None:
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert not leaked, f"{where} shows {leaked}"
    assert not SCORE.search(text), f"{where} shows a score: {SCORE.search(text)}"


def decide(world: World, number: str, kind: str, reason: str, **more: Any) -> None:
    body = {"kind": kind, "reason": reason, **more}
    r = world.post(f"/api/v1/declarations/{number}/decision", world.off(LEADER), body)
    assert r.status_code == 200, r.text


@pytest.fixture
def hook() -> Iterator[str]:
    """A receiver of webhooks; what it received is in _Hook.received."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def setup(world: World, client: TestClient, url: str) -> dict[str, str]:
    client.app.state.settings.development = True  # type: ignore[attr-defined]  # the receiver is on this machine (plain http)
    analyst = world.off("analyst")
    assert world.post("/api/v1/risk/profiles", analyst, PROFILE).status_code == 201
    r = client.put("/api/v1/risk/value-control/85171300/CN", json=BOUND, headers=analyst)
    assert r.status_code == 200, r.text
    for who in (DECLARANT, IMPORTER):
        r = client.put("/api/v1/enterprise/webhook", json={"url": url}, headers=world.ent(who))
        assert r.status_code == 200, r.text
    numbers = {"yellow": targeted(world, "yellow"), "red": targeted(world, "red")}
    y, red = numbers["yellow"], numbers["red"]
    r = world.post(
        f"/api/v1/declarations/{y}/assignee",
        world.off(LEADER),
        {"officer": "nb_officer2", "reason": INTERNAL["reassign"]},
    )
    assert r.status_code == 200, r.text
    decide(world, y, "request_documents", ASKED)
    r = world.post(f"/api/v1/declarations/{y}/documents", world.ent(DECLARANT), {"documents": ["CO-1"]})
    assert r.status_code == 200, r.text
    assert_neutral(r.json(), "yellow")
    decide(world, y, "documents_accepted", INTERNAL["documents_accepted"])
    decide(world, red, "documents_accepted", INTERNAL["red_documents"])
    decide(
        world, red, "inspection_result", INTERNAL["inspection"],
        fraud_found=False, findings=INTERNAL["findings"],
    )  # fmt: skip
    return numbers


# every path parameter of a GET route a trader's key could call, with a value naming its data
PATH_VALUES = {
    "ident": "738-12345675",
    "manifest_id": "0" * 32,
    "code": "01AB",
    "username": LEADER,
    "case_id": "0" * 32,
    "candidate_id": "0" * 32,
    "profile_id": PROFILE["id"],
    "office": "01AB",
    "transit_id": "0" * 32,
    "name": "overview",
    "goods_id": "0" * 32,
    "tax_code": DECLARANT,
    "operator_id": "0" * 32,
    "permit_id": "0" * 32,
    "alert_id": "0" * 32,
    "location_id": "0" * 32,
    "scan_id": "0" * 32,
    "conveyance_id": "0" * 32,
    "application_id": "0" * 32,
    "document_id": "0" * 32,
    "finalisation_id": "0" * 32,
    "hs8": "85171300",  # the public reference API (issue #20)
    "key_id": "0" * 12,  # the trader portal (issue #20)
    "comparison_id": "0" * 32,
    "kind": "declaration",  # the replicated records (issue #24)
    "record_id": "0" * 32,
}


PARAM = r"{(\w+)(?::\w+)?}"
ASSETS = {"/assets/{name}"}  # the pages' scripts and styles


def get_paths(routes: list[Any], prefix: str = "") -> list[str]:
    """The paths of every GET route, routers included in routers (FastAPI's included routers) too."""
    paths: list[str] = []
    for route in routes:
        if hasattr(route, "original_router"):
            paths += get_paths(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute) and "GET" in (route.methods or set()):
            paths.append(prefix + route.path)
    return [p for p in paths if p not in ASSETS]


def fill(path: str, number: str) -> str:
    """The path with its parameters' values: the declaration's number (a container's for containers)."""
    container = path.startswith("/api/v1/containers/")
    values = PATH_VALUES | {"number": "CSQU3054383" if container else number}
    names = re.findall(PARAM, path)
    unknown = [n for n in names if n not in values]
    assert not unknown, f"{path}: add a value for {unknown} to PATH_VALUES"
    return re.sub(PARAM, lambda m: values[m.group(1)], path)


def trader_urls(client: TestClient, number: str) -> list[str]:
    """Every GET route of the application (the OpenAPI's and the pages'), filled for this declaration."""
    spec = client.get("/openapi.json").json()
    paths = get_paths(client.app.routes)  # type: ignore[attr-defined]
    assert set(spec["paths"]) - set(paths) <= {p for p, ops in spec["paths"].items() if "get" not in ops}
    urls = []
    for path in paths:
        url = fill(path, number)
        params = spec["paths"].get(path, {}).get("get", {}).get("parameters", [])
        query = [p["name"] for p in params if p["in"] == "query" and p.get("required")]
        urls.append(url + ("?" + "&".join(f"{q}={number}" for q in query) if query else ""))
    return urls


def test_a_trader_sees_no_targeting_anywhere(world: World, app: Any, client: TestClient, hook: str) -> None:
    numbers = setup(world, client, hook)
    app.state.dispatcher.run_once()
    app.state.webhooks.deliver_due()
    for lane, number in numbers.items():
        for who in (DECLARANT, IMPORTER):
            key = world.ent(who)
            decl = client.get(f"/api/v1/declarations/{number}", headers=key)
            assert decl.status_code == 200, decl.text
            assert_neutral(decl.json(), lane)
            hist = client.get(f"/api/v1/declarations/{number}/history", headers=key).json()
            assert [h["detail"]["reasons"] for h in hist if h["action"] == "register"] == [
                decl.json()["channel_reasons"]
            ]
            for url in trader_urls(client, number):
                r = client.get(url, headers=key, follow_redirects=False)
                assert r.status_code != 500, url
                # a page may repeat the address the caller asked for (its language links): not a disclosure
                assert_hidden(r.text.replace(url.split("?")[0], ""), f"GET {url} as {who}")
    listed = client.get("/api/v1/declarations", headers=world.ent(DECLARANT)).json()["items"]
    assert {d["number"] for d in listed} >= set(numbers.values())
    for who in (DECLARANT, IMPORTER):
        notes = client.get("/api/v1/notifications", headers=world.ent(who)).json()["items"]
        assert {n["declaration_number"] for n in notes} >= set(numbers.values())
        assert_hidden(json.dumps(notes, ensure_ascii=False), f"notifications of {who}")
    hooks = [json.loads(b) for b in _Hook.received]
    assert {h["declaration_number"] for h in hooks} >= set(numbers.values())
    assert_hidden(json.dumps(hooks, ensure_ascii=False), "webhook payloads")


def test_a_trader_reads_what_it_must_act_on(world: World, client: TestClient, hook: str) -> None:
    numbers = setup(world, client, hook)
    hist = client.get(
        f"/api/v1/declarations/{numbers['yellow']}/history", headers=world.ent(DECLARANT)
    ).json()
    steps = {h["action"]: h for h in hist}
    assert steps["documents_requested"]["reason"] == ASKED
    assert steps["documents_submitted"]["detail"]["documents"] == ["CO-1"]
    assert steps["documents_accepted"]["reason"] == ""
    assert "reassigned" not in steps
    red = client.get(f"/api/v1/declarations/{numbers['red']}/history", headers=world.ent(DECLARANT))
    recorded = next(h for h in red.json() if h["action"] == "inspection_recorded")
    assert recorded["status_to"]
    assert recorded["detail"] == {
        "decision": "inspection_result",
        "officer": LEADER,
    }


def test_an_officer_sees_the_full_explanation(world: World, client: TestClient, hook: str) -> None:
    numbers = setup(world, client, hook)
    officer = world.off(LEADER)
    for lane, number in numbers.items():
        decl = client.get(f"/api/v1/declarations/{number}", headers=officer).json()
        text = json.dumps(decl["channel_reasons"], ensure_ascii=False)
        for shown in (PROFILE["id"], PROFILE["reason_en"], PROFILE["reason_vi"], "12,345,678"):
            assert shown in text, shown
        assert OVERRIDE_REASON[lane] in text
        assert any(r.get("points") for r in decl["channel_reasons"])
        hist = client.get(f"/api/v1/declarations/{number}/history", headers=officer).json()
        register = next(h for h in hist if h["action"] == "register")
        assert PROFILE["id"] in json.dumps(register["detail"]["reasons"])
    hist = json.dumps(
        client.get(f"/api/v1/declarations/{numbers['yellow']}/history", headers=officer).json(),
        ensure_ascii=False,
    )
    assert INTERNAL["reassign"] in hist
    assert INTERNAL["documents_accepted"] in hist
    red = client.get(f"/api/v1/declarations/{numbers['red']}", headers=officer).json()
    assert red["inspection"]["findings"] == INTERNAL["findings"]
    page = client.get(f"/declarations/{numbers['red']}", headers=officer)
    assert page.status_code == 200
    assert PROFILE["reason_vi"] in page.text


CARGO_PROFILE = {k: v for k, v in PROFILE.items() if k != "units"} | {
    "id": "P-ZX-CARGO",
    "criteria": "hs starts 2402 -> red",
    "reason_en": "Zx cigarettes by sea",
}  # every office: pre-arrival screening reads such profiles only


def test_a_carrier_sees_which_consignment_is_scanned_not_why(world: World, client: TestClient) -> None:
    from tests.supervision.helpers import CARRIER, bill, connect_terminal, container, manifest

    assert world.post("/api/v1/risk/profiles", world.off("analyst"), CARGO_PROFILE).status_code == 201
    connect_terminal(world)
    bills = [bill("HPZ1", [(container(1), "S1")], description="Cigarettes", hs_codes=["240220"])]
    sent = world.post("/api/v1/manifests", world.ent(CARRIER), manifest(bills))
    assert sent.status_code == 201, sent.text
    read = client.get(f"/api/v1/manifests/{sent.json()['id']}", headers=world.ent(CARRIER))
    for answer in (sent, read):
        [c] = answer.json()["consignments"]
        assert c["scan_required"] is True
        assert c["risk_score"] is None
        assert c["risk_reasons"] == []
        assert CARGO_PROFILE["id"] not in answer.text
        assert "Zx" not in answer.text
    officer = client.get(f"/api/v1/manifests/{sent.json()['id']}", headers=world.off("hp_officer")).json()
    [c] = officer["consignments"]
    assert c["risk_score"] > 0
    assert any(CARGO_PROFILE["id"] in r for r in c["risk_reasons"])
