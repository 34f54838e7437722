"""A world with the requirements table loaded and two agencies: plant protection (its system and one
officer, serving Nội Bài 01AB) and animal health (its system, every office)."""

from __future__ import annotations

from typing import Any

from haiquan.agencies import service
from haiquan.organization import service as org
from haiquan.organization.officers import by_username
from tests.declarations.test_flow import force_lane, pay
from tests.support import PASSWORD, World, import_declaration

PPD_SYSTEM = "1001011006"
DAH_SYSTEM = "1001011013"
PPD_OFFICER = "ppd_officer"
DECLARANT = "0100109106"

__all__ = ["force_lane", "pay"]


def agencies_world(world: World, app: Any) -> World:
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        service.load_requirements(s, actor="test")
        for tax, agency, units in ((PPD_SYSTEM, "PPD", ["01AB"]), (DAH_SYSTEM, "DAH", ["*"])):
            ent, key = org.add_enterprise(
                s, tax_code=tax, name=f"{agency} system", roles=["agency"], actor="test"
            )
            world.keys[tax] = key
            service.set_member(
                s, principal_key=f"enterprise:{ent.id}", agency=agency, units=units, actor="test"
            )
        org.add_officer(
            s, username=PPD_OFFICER, unit="01AB", role="agency_officer", password=PASSWORD, actor="test"
        )
        officer = by_username(s, PPD_OFFICER)
        service.set_member(
            s, principal_key=f"officer:{officer.id}", agency="PPD", units=["01AB"], actor="test"
        )
        uow.commit()
    return world


def registered_apples(world: World, app: Any, lane: str = "green", **over: Any) -> str:
    """Apples from China (HS 0808.10, plant quarantine) and phones, registered in the lane."""
    force_lane(app, lane)
    r = world.lodge(import_declaration(**over))
    assert r.status_code == 201, r.text
    number = str(r.json()["number"])
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent(DECLARANT), None)
    assert r.status_code == 200, r.text
    return number


def permits_of(world: World, number: str, who: dict[str, str]) -> list[dict[str, Any]]:
    r = world.client.get(f"/api/v1/agencies/declarations/{number}/permits", headers=who)
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def status_of(world: World, number: str) -> str:
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent(DECLARANT))
    assert r.status_code == 200, r.text
    return str(r.json()["status"])
