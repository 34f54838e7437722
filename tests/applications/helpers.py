"""Shared steps of the applications tests: a registered, paid declaration; filing, deciding."""

from __future__ import annotations

import base64
from typing import Any

from tests.payments.helpers import TOTAL, add_bank, pay, reference, registered, settle
from tests.support import World

TRADER = "0100109106"  # the declarant of tests/support.py
OTHER = "0101248141"  # another declarant (the importer it lodges for)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def paid_declaration(world: World, app: Any, excess: int = 0) -> str:
    """An import registered green and paid (with `excess` VND more than due)."""
    add_bank(app)
    number = registered(world, app)
    r = pay(world, [reference(world, number)], TOTAL + excess, f"TXN-{number}")
    assert r.status_code in (200, 201), r.text
    settle(app)
    return number


def file(world: World, body: dict[str, Any], who: str = TRADER) -> Any:
    return world.post("/api/v1/applications", world.ent(who), body)


def filed(world: World, body: dict[str, Any], who: str = TRADER) -> dict[str, Any]:
    r = file(world, body, who)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def upload(world: World, app_id: str, name: str, ctype: str, data: bytes, who: str = TRADER) -> Any:
    body = {"filename": name, "content_type": ctype, "data": base64.b64encode(data).decode()}
    return world.post(f"/api/v1/applications/{app_id}/documents", world.ent(who), body)


def decide(world: World, app_id: str, body: dict[str, Any], officer: str = "nb_leader") -> Any:
    return world.post(f"/api/v1/applications/{app_id}/decision", world.off(officer), body)


def classification_ruling(
    world: World, goods_code: str = "MA-PHONE-X1", hs: str = "85171300"
) -> dict[str, Any]:
    a = filed(world, {"kind": "ruling_classification", "office": "01AB", "subject": "Điện thoại thông minh X1",
                      "goods_code": goods_code, "goods_description": "Smartphone model X1, 5G", "hs_code": hs})  # fmt: skip
    r = decide(
        world, a["id"], {"outcome": "approved", "reasons": "Chú giải 1 Chương 85; GIR 1 và 6", "hs_code": hs}
    )
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


__all__ = ["settle"]
