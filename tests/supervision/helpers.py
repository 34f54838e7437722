"""Setting up a connected terminal and a vessel's manifest through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from stdnum import iso6346

from tests.support import World

TERMINAL = "0200519875"
CARRIER = "0300588569"
DECLARANT = "0100109106"
LOCATION = "03CCS01"


def container(n: int, owner: str = "MSCU") -> str:
    body = f"{owner}{n:06d}"
    return body + str(iso6346.calc_check_digit(body))


def also_terminal_operator(world: World, tax_code: str) -> None:
    """Give a declarant the terminal operator's role too (a yard of its own, a second operator)."""
    from sqlalchemy import select

    from haiquan.organization.tables import EnterpriseRow

    with world.client.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax_code))
        assert ent is not None
        ent.roles = ["declarant", "terminal_operator"]
        uow.commit()


def connect_terminal(
    world: World, *, tax_code: str = TERMINAL, location: str = LOCATION, unit: str = "03CC"
) -> str:
    lead = world.off("hp_leader")
    r = world.post(
        "/api/v1/terminal-operators", lead, {"tax_code": tax_code, "name": "Cảng Hải Phòng", "unit": unit}
    )
    assert r.status_code == 201, r.text
    op = r.json()["id"]
    r = world.post(
        f"/api/v1/terminal-operators/{op}/locations",
        lead,
        {
            "code": location,
            "name": "Cảng Chùa Vẽ",
            "kind": "seaport",
            "unit": unit,
            "locode": "VNHPH",
            "capacity_teu": 5000,
        },
    )
    assert r.status_code == 201, r.text
    r = world.post(
        f"/api/v1/terminal-operators/{op}/connection",
        lead,
        {"status": "testing", "enterprise_tax_code": tax_code},
    )
    assert r.status_code == 200, r.text
    r = world.post(f"/api/v1/terminal-operators/{op}/connection", lead, {"status": "live"})
    assert r.status_code == 200, r.text
    return str(op)


def manifest(
    bills: list[dict[str, Any]], *, reference: str = "MV-001", hours_ahead: float = 30, **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "mode": "sea",
        "vessel": "VINALINES GLORY",
        "voyage": "0426N",
        "loading_port": "CNSHA",
        "discharge_port": "VNHPH",
        "location_code": LOCATION,
        "expected_arrival": (datetime.now(UTC) + timedelta(hours=hours_ahead)).isoformat(),
        "bills": bills,
    }
    body.update(over)
    return body


def bill(number: str, containers: list[tuple[str, str]], packages: int = 100, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": number,
        "consignee_tax_code": "0101248141",
        "description": "Smartphones",
        "hs_codes": ["851713"],
        "package_count": packages,
        "gross_mass_kg": "5000",
        "containers": [{"number": c, "seal": s} for c, s in containers],
    }
    body.update(over)
    return body


def msg(mid: str, kind: str, cont: str | None, *, seal: str | None = None, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": mid,
        "kind": kind,
        "location": LOCATION,
        "at": datetime.now(UTC).isoformat(),
    }
    if cont:
        body["container"] = cont
    if seal:
        body["seal"] = seal
    body.update(over)
    return body


def send(world: World, messages: list[dict[str, Any]], who: str = TERMINAL) -> dict[str, Any]:
    r = world.post("/api/v1/terminal-messages", world.ent(who), {"messages": messages})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out
