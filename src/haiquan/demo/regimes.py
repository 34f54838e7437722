"""The demo's special regimes, through the same services the API uses (declarations lodged and registered,
the consumers run by the dispatcher, the deadline round as the escalation duty runs it):

- Công ty TNHH Điện tử Yên Phong, an export-processing enterprise in Bắc Ninh (CC Hải quan Bắc Ninh,
  18BA): it imports processors, memories and phone parts (E11) and exports smartphones (E42); its stock
  ledger is booked from those declarations; a plain export (B11) it tries is refused at the EPE boundary.
- Minh Anh temporarily imports a machine for a project (G12, 365 days) at Nội Bài, 400 days ago: near its
  day the enterprise is told and the officers alerted; past it, the duty is assessed (payments) and an
  alert raised; it is re-exported 20 days late (G22), the deadline discharged late, the duty still due."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.errors import Conflict, DomainError
from haiquan.organization import service as org
from haiquan.regimes import deadlines, epes
from haiquan.risk.channel import RuleSetEngine

EPE, EPE_NAME, EPE_OFFICE = "2301234566", "Công ty TNHH Điện tử Yên Phong (DNCX)", "18BA"
MACHINE_OWNER = "0101248141"  # Minh Anh
COMPONENTS = [("85423100", "Bộ vi xử lý / processors", "KR", 20000, 60000),
              ("85423200", "Bộ nhớ / memories", "KR", 20000, 40000),
              ("85177921", "Bộ phận điện thoại / phone parts", "CN", 20000, 30000)]  # fmt: skip


def _body(
    kind: str, code: str, office: str, owner: str, lines: list[tuple[str, str, str, int, int]], **over: Any
) -> DeclarationIn:
    rows = [{"hs_code": hs, "description": d, "origin_country": c, "quantity": str(q), "quantity_unit": "PCE",
             "net_mass_kg": str(q // 50 or 1), "value": str(v)} for hs, d, c, q, v in lines]  # fmt: skip
    partner = {"name": "Samsung Electronics Co., Ltd.", "country": "KR"}
    body = {"kind": kind, "procedure_code": code, "office": office, "transport_mode": "air",
            "transport_document": f"180-{code}{office}{lines[0][0]}"[:20], "package_count": 20,
            "gross_mass_kg": "900", "invoice": {"currency": "USD", "amount": str(sum(x[4] for x in lines)),
            "incoterm": "CIF"}, "lines": rows}  # fmt: skip
    parties = {"importer": {"tax_code": owner}, "exporter": partner}
    if kind == "export":
        parties = {"exporter": {"tax_code": owner}, "importer": partner}
    return DeclarationIn.model_validate(body | parties | over)


def _clear(db: Database, dispatcher: Dispatcher, tax: str, body: DeclarationIn) -> str:
    engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    with db.unit_of_work() as uow:
        who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax))
        row = declarations.lodge(uow.session, principal=who, data=body).row
        registration.register_one(uow.session, principal=who, number=row.number, engine=engine)
        number = row.number
        uow.commit()
    dispatcher.run_once()  # the ledger consumer books it
    return number


def _epe(db: Database, dispatcher: Dispatcher, start: Any) -> dict[str, Any]:
    clock.freeze(start - timedelta(days=60))
    with db.unit_of_work() as uow:
        with contextlib.suppress(Conflict):
            org.add_enterprise(uow.session, tax_code=EPE, name=EPE_NAME, roles=["declarant"], actor="demo")
        epes.record(uow.session, tax_code=EPE, status="active", zone="KCN Yên Phong, Bắc Ninh",
                    unit=EPE_OFFICE, since=clock.today_vn(), actor="demo")  # fmt: skip
        uow.commit()
    imported = _clear(db, dispatcher, EPE, _body("import", "E11", EPE_OFFICE, EPE, COMPONENTS))
    clock.freeze(start - timedelta(days=30))
    phones = [("85171300", "Điện thoại thông minh / smartphones", "VN", 18000, 2_700_000)]
    exported = _clear(db, dispatcher, EPE, _body("export", "E42", EPE_OFFICE, EPE, phones))
    refused = ""
    with db.unit_of_work() as uow:
        who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, EPE))
        try:
            declarations.lodge(
                uow.session, principal=who, data=_body("export", "B11", EPE_OFFICE, EPE, phones)
            )
        except DomainError as exc:
            refused = f"{exc.code} ({exc.field})"
        uow.rollback()
    return {"tax_code": EPE, "name": EPE_NAME, "office": EPE_OFFICE, "imported": imported, "exported": exported,
            "plain_export": refused}  # fmt: skip


def _machine(db: Database, dispatcher: Dispatcher, start: Any) -> dict[str, Any]:
    machine = [("84798939", "Máy ép nhựa cho dự án / moulding machine", "JP", 1, 250000)]
    clock.freeze(start - timedelta(days=400))
    imported = _clear(db, dispatcher, MACHINE_OWNER, _body("import", "G12", "01AB", MACHINE_OWNER, machine))
    seen = {}
    for days, name in ((50, "near"), (30, "passed")):
        clock.freeze(start - timedelta(days=days))
        with db.unit_of_work() as uow:
            seen[name] = deadlines.scan(uow.session)
            uow.commit()
        dispatcher.run_once()  # the enterprise's notification and webhook
    clock.freeze(start - timedelta(days=15))
    reexported = _clear(db, dispatcher, MACHINE_OWNER, _body("export", "G22", "01AB", MACHINE_OWNER, machine))
    return {"owner": MACHINE_OWNER, "imported": imported, "reexported": reexported, "scans": seen}


def seed(db: Database, dispatcher: Dispatcher) -> dict[str, Any]:
    """Both stories, the clock moved back for each step, then thawed."""
    start = clock.now()
    try:
        return {"epe": _epe(db, dispatcher, start), "machine": _machine(db, dispatcher, start)}
    finally:
        clock.freeze(None)


def describe(story: dict[str, Any]) -> list[str]:
    if not story:
        return []
    e, m = story["epe"], story["machine"]
    return [
        f"Special regimes (/regimes): EPE {e['name']} ({e['tax_code']}, {e['office']}) imported components"
        f" ({e['imported']}, E11) and exported phones ({e['exported']}, E42); a plain export B11 was refused:"
        f" {e['plain_export']}.",
        f"  Machine temporarily imported by {m['owner']} ({m['imported']}, G12) re-exported late"
        f" ({m['reexported']}, G22): duty assessed, alerts at /regimes.",
    ]
