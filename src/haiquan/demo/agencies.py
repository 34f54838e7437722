"""The demo's single-window story: the requirements table is loaded, the Plant Protection Department's
regional office gets its system (an API key) and an officer account, and two imports of Fuji apples from
China (HS 0808.10, plant quarantine) are declared at Hải Phòng, paid, and held for the quarantine result.
The agency's system approves the first, which clears; the second waits for the officer to approve it on
/agency (then it clears live)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from haiquan.agencies import repository as permits
from haiquan.agencies import service as agencies
from haiquan.agencies.domain import DecisionInput, Outcome, PermitScope
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.organization import service as org
from haiquan.organization.officers import by_username
from haiquan.risk.channel import RuleSetEngine

PPD_TAX_CODE = "0100100008"  # the demo's Plant Protection Department system (a made-up tax code)
PPD_OFFICER = "kdtv_hp"
OFFICE = "03CC"
IMPORTER = "0101248141"
GREEN = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)  # the apples' lane is not the point here


def _agency(s: Session, password: str) -> str:
    agencies.load_requirements(s, actor="demo")
    ent, key = org.add_enterprise(
        s,
        tax_code=PPD_TAX_CODE,
        name="Chi cục Kiểm dịch thực vật vùng VIII (demo)",
        roles=["agency"],
        actor="demo",
    )
    agencies.set_member(
        s, principal_key=f"enterprise:{ent.id}", agency="PPD", units=[OFFICE, "01AB"], actor="demo"
    )
    org.add_officer(
        s, username=PPD_OFFICER, unit=OFFICE, role="agency_officer", password=password, actor="demo"
    )
    officer = by_username(s, PPD_OFFICER)
    agencies.set_member(s, principal_key=f"officer:{officer.id}", agency="PPD", units=[OFFICE], actor="demo")
    return key


def _apples(s: Session, n: int) -> DeclarationRow:
    principal = org.enterprise_principal(org.enterprise_by_tax_code(s, IMPORTER))
    body = DeclarationIn.model_validate({
        "kind": "import", "office": OFFICE, "importer": {"tax_code": IMPORTER},
        "exporter": {"name": "Yantai Fuji Apple Co.", "country": "CN"}, "transport_mode": "sea",
        "transport_document": f"YTHPH260{n}", "package_count": 1200, "gross_mass_kg": "21000",
        "invoice": {"currency": "USD", "amount": "18000", "incoterm": "CIF"},
        "lines": [{"hs_code": "08081000", "description": "Táo Fuji tươi / fresh Fuji apples", "origin_country": "CN",
                   "quantity": "20000", "quantity_unit": "KGM", "net_mass_kg": "20000", "value": "18000"}],
    })  # fmt: skip
    row = declarations.lodge(s, principal=principal, data=body).row
    return registration.register_one(s, principal=principal, number=row.number, engine=GREEN)


def apple_story(db: Database, dispatcher: Dispatcher, *, password: str) -> dict[str, Any]:
    """Returns what the demo prints and the credentials file keeps."""
    from haiquan.demo.story import _pay, _status

    with db.unit_of_work() as uow:
        key = _agency(uow.session, password)
        rows = [_apples(uow.session, n) for n in (1, 2)]
        numbers = [r.number for r in rows]
        uow.commit()
    dispatcher.run_once()  # payment references
    with db.unit_of_work() as uow:
        for number in numbers:
            _pay(uow.session, number)
        uow.commit()
    dispatcher.run_once()  # paid, still held: the quarantine result is missing
    waiting = _status(db, numbers[0])
    with db.unit_of_work() as uow:
        s = uow.session
        permit = permits.of_declarations(s, [numbers[0]], scope=PermitScope())[0]
        system = org.enterprise_principal(org.enterprise_by_tax_code(s, PPD_TAX_CODE))
        decision = DecisionInput(Outcome.APPROVED, "", "", "KDTV-HP-2026-0815")
        agencies.decide(s, principal=system, permit_id=permit.id, decision=decision)
        uow.commit()
    dispatcher.run_once()
    return {
        "approved": numbers[0], "approved_status": _status(db, numbers[0]), "waited_as": waiting,
        "waiting": numbers[1], "waiting_status": _status(db, numbers[1]),
        "agency_api_key": key, "agency_officer": PPD_OFFICER,
    }  # fmt: skip


def describe(apples: dict[str, Any]) -> list[str]:
    if not apples:
        return []
    return [
        f"Apples from China (HS 0808.10, plant quarantine) at {OFFICE}: {apples['approved']} waited"
        f" ({apples['waited_as']}), the agency approved it, now {apples['approved_status']};"
        f" {apples['waiting']} is {apples['waiting_status']}, waiting for {apples['agency_officer']} to approve it"
        " at /agency (then it clears).",
    ]
