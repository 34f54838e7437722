"""A classification ruling binds its holder's later declarations at lodging (and amendment): a line naming
the ruled goods code with another HS code is refused naming `lines[i].hs_code`; the same line with the
ruled code, another trader's line, or a line without the code lodge. Origin and value rulings are shown
to the officer registering the declaration. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from haiquan.kit import clock
from tests.applications.helpers import TRADER, classification_ruling, decide, filed
from tests.support import World, import_declaration


def _with_goods(code: str | None, hs: str) -> dict[str, Any]:
    body = import_declaration()
    body["lines"][0] = body["lines"][0] | {"hs_code": hs} | ({"goods_code": code} if code else {})
    return body


def test_a_line_contradicting_the_ruling_is_refused_naming_the_field(world: World, app: Any) -> None:
    ruling = classification_ruling(world, goods_code="MA-PHONE-X1", hs="85171300")
    assert (ruling["decided_hs_code"], ruling["valid_from"]) == ("85171300", clock.today_vn().isoformat())
    r = world.lodge(_with_goods("MA-PHONE-X1", "87032363"))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "lines[0].hs_code"
    assert problem["code"] == "advance_ruling_binds"
    assert ruling["id"] in problem["detail"]
    assert world.lodge(_with_goods("MA-PHONE-X1", "85171300")).status_code == 201
    assert world.lodge(_with_goods(None, "87032363")).status_code == 201  # names no goods code
    assert world.lodge(_with_goods("OTHER-GOODS", "87032363")).status_code == 201


def test_the_ruling_binds_its_holder_only_and_only_while_valid(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    a = filed(world, {"kind": "ruling_classification", "office": "01AB", "subject": "Phone X1", "goods_code": "X1",
                      "goods_description": "Phone X1"})  # fmt: skip
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "GIR 1 và 6", "hs_code": "85171300",
                                "valid_to": "2026-06-30"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert world.lodge(_with_goods("X1", "87032363")).status_code == 422
    clock.freeze(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))
    assert world.lodge(_with_goods("X1", "87032363")).status_code == 201  # expired


def test_a_ruling_cannot_be_approved_in_part_or_without_its_code(world: World, app: Any) -> None:
    a = filed(world, {"kind": "ruling_classification", "office": "01AB", "subject": "Phone X1", "goods_code": "X1",
                      "goods_description": "Phone X1"})  # fmt: skip
    r = decide(world, a["id"], {"outcome": "partly_approved", "reasons": "một phần"})
    assert (r.status_code, r.json()["field"]) == (422, "outcome")
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "GIR 1"})
    assert (r.status_code, r.json()["field"]) == (422, "hs_code")
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "GIR 1", "hs_code": "85171300",
                                "valid_to": "2035-01-01"})  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "valid_to")


def test_origin_and_value_rulings_are_shown_to_the_officer_at_registration(world: World, app: Any) -> None:
    classification_ruling(world)
    o = filed(world, {"kind": "ruling_origin", "office": "01AB", "subject": "Xuất xứ", "goods_code": "APL-1",
                      "goods_description": "Táo Fuji", "origin_country": "CN"})  # fmt: skip
    assert decide(world, o["id"], {"outcome": "approved", "reasons": "Đáp ứng quy tắc WO"}).status_code == 200
    r = world.lodge(import_declaration())
    number = r.json()["number"]
    got = world.client.get(
        f"/api/v1/applications/declarations/{number}/rulings", headers=world.off("nb_officer1")
    )
    assert got.status_code == 200, got.text
    assert sorted((x["kind"], x["goods_code"]) for x in got.json()) == [
        ("ruling_classification", "MA-PHONE-X1"),
        ("ruling_origin", "APL-1"),
    ]
    other = world.client.get(
        f"/api/v1/applications/declarations/{number}/rulings", headers=world.off("hp_officer")
    )
    assert other.status_code == 404
    mine = world.client.get(f"/api/v1/applications/declarations/{number}/rulings", headers=world.ent(TRADER))
    assert len(mine.json()) == 2
