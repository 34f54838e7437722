"""Declarations under special regimes driven through HTTP: lodged, registered in the green lane (their duty
suspended, they clear at once) and the consumers run, as production does."""

from __future__ import annotations

from typing import Any

from tests.declarations.test_flow import force_lane
from tests.support import World, import_declaration

DECLARANT = "0100109106"
TRADER = "0101248141"  # the importer and exporter under the regime (the declarant represents it)


def car_line(quantity: str = "2", value: str = "40000") -> dict[str, Any]:
    return {"hs_code": "87032363", "description": "Test vehicle for a project", "origin_country": "JP",
            "quantity": quantity, "quantity_unit": "PCE", "net_mass_kg": "3000", "value": value}  # fmt: skip


def phone_line(quantity: str = "100", value: str = "10000") -> dict[str, Any]:
    return {"hs_code": "85171300", "description": "Smartphones", "origin_country": "VN",
            "quantity": quantity, "quantity_unit": "PCE", "net_mass_kg": "20", "value": value}  # fmt: skip


def regime_import(code: str, lines: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    total = sum(float(ln["value"]) for ln in lines)
    invoice = {"currency": "USD", "amount": str(total), "incoterm": "FOB"}
    return import_declaration(procedure_code=code, lines=lines, invoice=invoice, **over)


def regime_export(code: str, lines: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    body = regime_import(code, lines, **over)
    body.update(kind="export", importer={"name": "Tokyo Machinery KK", "country": "JP"},
                exporter={"tax_code": TRADER})  # fmt: skip
    return body


def lodge(world: World, body: dict[str, Any]) -> Any:
    return world.lodge(body, who=DECLARANT)


def cleared(world: World, app: Any, body: dict[str, Any]) -> str:
    """Lodge, register (green), and run the consumers: the declaration cleared and booked."""
    force_lane(app, "green")
    r = lodge(world, body)
    assert r.status_code == 201, r.text
    number = str(r.json()["number"])
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent(DECLARANT), None)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cleared", r.json()
    app.state.dispatcher.run_once()
    return number
