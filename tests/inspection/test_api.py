"""Inspection through HTTP on SQLite and PostgreSQL: locations from application to approval (by the
director or a delegate), scope, scanners and their results turning a declaration red, bad input refused
with the field named and nothing stored."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haiquan.inspection.tables import ScanResultRow
from haiquan.kit.tables import AuditEntry, OutboxEvent
from tests.inspection.helpers import (
    BASE,
    OPERATOR,
    OTHER,
    apply,
    approved,
    png,
    scan_body,
    scanner,
    sha,
    store,
)
from tests.support import World
from tests.web.helpers import registered


def _types(app: Any, prefix: str) -> list[str]:
    with app.state.db.unit_of_work() as uow:
        q = select(OutboxEvent.type).where(OutboxEvent.type.like(f"{prefix}%")).order_by(OutboxEvent.seq)
        return [str(t) for t in uow.session.scalars(q)]


def _scans(app: Any) -> int:
    with app.state.db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ScanResultRow)) or 0)


def test_a_location_is_applied_for_checked_and_approved_with_a_code(app: Any, world: World) -> None:
    loc = approved(world)
    assert re.fullmatch(r"01-KCPN-\d{4}", loc["code"])  # PostgreSQL's sequences outlive a test
    assert (loc["status"], loc["approved_as"], loc["department"]) == ("approved", "director", "01")
    assert [h["command"] for h in loc["history"]] == ["apply", "pass_check", "approve"]
    assert _types(app, "inspection.location") == [
        "inspection.location_applied", "inspection.location_checked", "inspection.location_approved",
    ]  # fmt: skip
    other = approved(world, kind="centralised", name="Địa điểm kiểm tra tập trung Sóc Sơn")
    assert re.fullmatch(r"01-DDKT-\d{4}", other["code"])
    third = approved(world, name="Kho 2")
    assert int(third["code"][-4:]) == int(loc["code"][-4:]) + 1


def test_an_operator_sees_only_its_own_locations(world: World) -> None:
    loc = apply(world)
    mine = world.client.get(f"{BASE}/locations", headers=world.ent(OPERATOR)).json()
    assert [x["id"] for x in mine] == [loc["id"]]
    assert world.client.get(f"{BASE}/locations", headers=world.ent(OTHER)).json() == []
    assert world.client.get(f"{BASE}/locations/{loc['id']}/scanners", headers=world.ent(OTHER)).json() == []
    assert world.client.get(f"{BASE}/locations/{loc['id']}", headers=world.ent(OTHER)).status_code == 404
    r = world.post(f"{BASE}/locations/{loc['id']}/withdraw", world.ent(OTHER), {})
    assert r.status_code == 404
    # an officer of another sub-department sees nothing of 01AB's locations
    assert world.client.get(f"{BASE}/locations", headers=world.off("tn_officer")).json() == []


def test_only_the_director_or_a_delegate_approves(world: World) -> None:
    loc = apply(world)
    assert (
        world.post(
            f"{BASE}/locations/{loc['id']}/check", world.off("hp_officer"), {"passed": True}
        ).status_code
        == 404
    )
    assert (
        world.post(
            f"{BASE}/locations/{loc['id']}/check", world.off("nb_officer1"), {"passed": True}
        ).status_code
        == 200
    )
    decide = f"{BASE}/locations/{loc['id']}/decision"
    assert world.post(decide, world.off("hp_leader"), {"decision": "approve"}).status_code == 404
    r = world.post(decide, world.off("nb_leader"), {"decision": "approve"})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "approval_not_held"
    assert world.post(decide, world.ent(OPERATOR), {"decision": "approve"}).status_code == 403
    assert (
        world.post(
            f"{BASE}/locations/{loc['id']}/check", world.off("nb_officer1"), {"passed": True}
        ).status_code
        == 409
    )


def test_a_delegate_approves_until_the_delegation_is_revoked(app: Any, world: World) -> None:
    body = {"delegate": "nb_leader", "valid_from": "2026-01-01T00:00:00+07:00",
            "valid_until": "2026-12-31T00:00:00+07:00", "reason": "Cục trưởng đi công tác"}  # fmt: skip
    assert world.post(f"{BASE}/delegations", world.off("nb_leader"), body).status_code == 403
    bad = world.post(f"{BASE}/delegations", world.off("hn_leader"), body | {"delegate": "hp_officer"})
    assert (bad.status_code, bad.json()["field"]) == (422, "delegate")
    ended = world.post(
        f"{BASE}/delegations", world.off("hn_leader"), body | {"valid_until": "2026-02-01T00:00:00+07:00"}
    )
    assert (ended.status_code, ended.json()["field"]) == (422, "valid_until")
    r = world.post(f"{BASE}/delegations", world.off("hn_leader"), body)
    assert r.status_code == 201, r.text
    delegation = r.json()
    assert (delegation["department"], delegation["delegate"]) == ("01", "officer:nb_leader")
    first, second = apply(world), apply(world, name="Kho 2", unit="01TE")
    for loc in (first, second):
        officer = "nb_officer1" if loc["unit"] == "01AB" else "tn_officer"
        assert (
            world.post(
                f"{BASE}/locations/{loc['id']}/check", world.off(officer), {"passed": True}
            ).status_code
            == 200
        )
    # the delegate of department 01 approves a location of another of its sub-departments too
    r = world.post(
        f"{BASE}/locations/{second['id']}/decision", world.off("nb_leader"), {"decision": "approve"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["approved_as"], r.json()["approved_by"]) == ("delegate", "officer:nb_leader")
    assert (
        world.post(f"{BASE}/delegations/{delegation['id']}/revoke", world.off("hp_leader"), None).status_code
        == 404
    )
    revoked = world.post(f"{BASE}/delegations/{delegation['id']}/revoke", world.off("hn_leader"), None)
    assert revoked.json()["revoked_by"] == "officer:hn_leader"
    r = world.post(
        f"{BASE}/locations/{first['id']}/decision", world.off("nb_leader"), {"decision": "approve"}
    )
    assert r.status_code == 403
    with app.state.db.unit_of_work() as uow:
        actions = set(
            uow.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("inspection.%")))
        )
    assert {
        "inspection.approval_delegated",
        "inspection.delegation_revoked",
        "inspection.location_approved",
    } <= actions


def test_the_check_needs_the_conditions_and_a_return_comes_back(world: World) -> None:
    loc = apply(world, scanners=0)
    r = world.post(f"{BASE}/locations/{loc['id']}/check", world.off("nb_officer1"), {"passed": True})
    assert (r.status_code, r.json()["field"]) == (409, "passed")
    r = world.post(
        f"{BASE}/locations/{loc['id']}/check",
        world.off("nb_officer1"),
        {"passed": False, "note": "Thiếu máy soi"},
    )
    assert r.json()["status"] == "returned"
    fixed = {"area_m2": "2500", "scanners": 1, "cameras": 10, "address": "Khu hàng hoá Nội Bài, Sóc Sơn"}
    r = world.post(f"{BASE}/locations/{loc['id']}/resubmit", world.ent(OPERATOR), fixed)
    assert (r.status_code, r.json()["status"], r.json()["scanners"]) == (200, "submitted", 1)
    assert (
        world.post(
            f"{BASE}/locations/{loc['id']}/check", world.off("nb_officer1"), {"passed": True}
        ).status_code
        == 200
    )
    bad = world.post(f"{BASE}/locations", world.ent(OPERATOR), {"kind": "warehouse"})
    assert bad.status_code == 422


def test_a_suspicious_image_turns_a_yellow_declaration_red(
    app: Any, world: World, client: TestClient
) -> None:
    loc = approved(world)
    device = scanner(world, loc)
    assert device["device_key"].startswith("hqs_")
    key = {"Authorization": f"Bearer {device['device_key']}"}
    data = png()
    stored = store(world, key, data)
    assert stored.status_code == 201, stored.text
    assert stored.json()["sha256"] == sha(data)
    (number,) = registered(world, app, "yellow")
    image = {
        "reference": stored.json()["reference"],
        "sha256": sha(data),
        "size_bytes": len(data),
        "content_type": "image/png",
    }
    r = world.post(
        f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number, container="MSCU1234566")
    )
    assert r.status_code == 201, r.text
    assert (r.json()["effect"], r.json()["scanner_serial"]) == ("turned_red", "NUC-XR-01")
    d = client.get(f"/api/v1/declarations/{number}", headers=world.ent(OPERATOR)).json()
    assert (d["channel"], d["status"]) == ("red", "inspection_intended")
    assert "inspection.scan_recorded" in _types(app, "inspection.")
    seen = client.get(
        f"{BASE}/scans", params={"declaration_number": number}, headers=world.off("nb_officer1")
    ).json()
    assert [s["verdict"] for s in seen] == ["suspicious"]
    assert client.get(f"{BASE}/scans", headers=world.ent(OTHER)).json() == []
    again = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number), key="scan-2")
    assert again.json()["effect"] == "already_red"
    replay = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number), key="scan-2")
    assert (replay.headers.get("Idempotent-Replay"), replay.json()["id"]) == ("true", again.json()["id"])
    assert _scans(app) == 2
    out = world.post(
        f"{BASE}/locations/{loc['id']}/scanners/{device['id']}/revoke", world.ent(OPERATOR), None
    )
    assert out.json()["revoked_at"] is not None
    refused = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number))
    assert (refused.status_code, refused.json()["code"]) == (401, "device_revoked")


def test_a_parcel_is_scanned_by_house_bill_with_the_operators_api_key(app: Any, world: World) -> None:
    loc = approved(world)
    scanner(world, loc)
    image = {"reference": "https://images.express.example/2026/12/06/HAWB123.png", "sha256": "a" * 64,
             "size_bytes": 1000, "content_type": "image/png"}  # fmt: skip
    body = scan_body(loc, image, house_bill="HAWB123")
    r = world.post(f"{BASE}/scans", world.ent(OPERATOR), body)
    assert (r.status_code, r.json()["field"]) == (422, "scanner_serial")
    r = world.post(f"{BASE}/scans", world.ent(OPERATOR), body | {"scanner_serial": "NUC-XR-01"})
    assert r.status_code == 201, r.text
    assert (r.json()["effect"], r.json()["reference_kind"]) == ("recorded", "url")
    assert (
        world.post(f"{BASE}/scans", world.ent(OTHER), body | {"scanner_serial": "NUC-XR-01"}).status_code
        == 404
    )
    dicos = image | {"reference": "dicos:1.2.840.10008.5.1.4.1.1.501.1", "content_type": "application/dicos"}
    r = world.post(
        f"{BASE}/scans",
        world.ent(OPERATOR),
        body | {"scanner_serial": "NUC-XR-01", "image": dicos, "verdict": "clear"},
    )
    assert (r.status_code, r.json()["reference_kind"]) == (201, "dicos")


def test_bad_images_are_refused_naming_the_field_and_nothing_is_stored(app: Any, world: World) -> None:
    loc = approved(world)
    key = {"Authorization": f"Bearer {scanner(world, loc)['device_key']}"}
    data = png()
    ref = store(world, key, data).json()["reference"]
    good = {"reference": ref, "sha256": sha(data), "size_bytes": len(data), "content_type": "image/png"}
    cases = [
        (good | {"sha256": "not-a-hash"}, "image.sha256"),
        (good | {"sha256": "b" * 64}, "image.sha256"),
        (good | {"content_type": "image/gif"}, "image.content_type"),
        (good | {"size_bytes": len(data) + 1}, "image.size_bytes"),
        (good | {"reference": "../../etc/passwd"}, "image.reference"),
        (good | {"reference": "sha256/missing.png"}, "image.reference"),
        (good | {"reference": "http://plain.example/x.png"}, "image.reference"),
    ]
    for image, field in cases:
        r = world.post(f"{BASE}/scans", key, scan_body(loc, image, house_bill="HAWB9"))
        assert r.status_code == 422, (field, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == field, r.text
    r = world.post(f"{BASE}/scans", key, scan_body(loc, good, house_bill="HAWB9", note=""))
    assert r.json()["field"] == "note"
    r = world.post(f"{BASE}/scans", key, scan_body(loc, good))
    assert r.json()["field"] == "declaration_number"
    r = world.post(f"{BASE}/scans", key, scan_body(loc, good, declaration_number="100000000008"))
    assert (r.status_code, r.json()["field"]) == (404, "declaration_number")
    assert store(world, key, b"GIF89a....", "image/gif").status_code == 422
    assert store(world, key, b"not a png", "image/png").status_code == 422
    assert store(world, world.ent(OTHER), data).status_code == 403  # operates no approved location
    assert store(world, world.off("nb_officer1"), data).status_code == 403
    bad = {"Authorization": "Bearer hqs_000000000000_nope"}
    assert world.post(f"{BASE}/scans", bad, scan_body(loc, good, house_bill="HAWB9")).status_code == 401
    assert _scans(app) == 0
    assert "inspection.scan_recorded" not in _types(app, "inspection.")


def test_a_declaration_of_another_department_cannot_be_scanned_here(app: Any, world: World) -> None:
    loc = approved(world)
    key = {"Authorization": f"Bearer {scanner(world, loc)['device_key']}"}
    (number,) = registered(world, app, "yellow", office="03CC")
    image = {
        "reference": "https://img.example/a.png",
        "sha256": "c" * 64,
        "size_bytes": 10,
        "content_type": "image/png",
    }
    r = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number))
    assert (r.status_code, r.json()["field"]) == (404, "declaration_number")


def test_a_suspicious_image_holds_the_low_value_parcel_of_that_house_bill(app: Any, world: World) -> None:
    from tests.lowvalue.test_api import EXPRESS, item, manifest

    lodged = world.post("/api/v1/lowvalue/express-manifests", world.ent(EXPRESS), manifest([item(123)]))
    assert lodged.status_code == 200, lodged.text
    parcel = lodged.json()["items"][0]
    assert parcel["lane"] == "green"
    loc = approved(world)
    scanner(world, loc)
    image = {"reference": "https://images.express.example/HAWB000123.png", "sha256": "b" * 64,
             "size_bytes": 1000, "content_type": "image/png"}  # fmt: skip
    body = scan_body(loc, image, house_bill="HAWB000123") | {"scanner_serial": "NUC-XR-01"}
    r = world.post(f"{BASE}/scans", world.ent(OPERATOR), body)
    assert (r.status_code, r.json()["effect"]) == (201, "held"), r.text
    shown = world.client.get(f"/api/v1/lowvalue/parcels/{parcel['number']}", headers=world.ent(EXPRESS))
    assert shown.json()["status"] == "held"
    assert "lowvalue.parcel_held" in _types(app, "lowvalue.")
