"""The demo's finalisations, through the services the API uses:

- a bonded warehouse at Cát Lái (Kho ngoại quan Tân Cảng, 02CI) takes 6,000 litres of wine in (C11) and
  re-exports 4,000 (C12); its report declares 1,700 litres held: the reconciliation finds 300 litres
  missing, a task for the officers of 02CI with the duty at stake, and the enterprise's risk fact rises;
- the Bắc Ninh export-processing enterprise of demo.regimes (when its ledger is there) files its year's
  report: one processor, one memory and one set of phone parts per phone, 1 % waste, and the stock it
  holds: reconciled without a discrepancy."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.errors import Conflict, DomainError
from haiquan.organization import service as org
from haiquan.regimes import finalisation
from haiquan.regimes.finalisation_schemas import FinalisationIn
from haiquan.risk.channel import RuleSetEngine

KEEPER, KEEPER_NAME, KEEPER_OFFICE = "0309100017", "Kho ngoại quan Tân Cảng (demo)", "02CI"
WINE = ("22042111", "LTR")
EPE, EPE_PARTS = "2301234566", ("85423100", "85423200", "85177921")  # demo.regimes' EPE and components
PHONE = ("85171300", "PCE")


def _declaration(kind: str, code: str, quantity: int, value: int) -> DeclarationIn:
    line = {
        "hs_code": WINE[0],
        "description": "Rượu vang đỏ đóng chai 0,75 l / red wine",
        "origin_country": "FR",
        "quantity": str(quantity),
        "quantity_unit": WINE[1],
        "net_mass_kg": str(quantity),
        "value": str(value),
    }
    partner = {"name": "Bordeaux Vins SARL", "country": "FR"}
    body = {"kind": kind, "procedure_code": code, "office": KEEPER_OFFICE, "transport_mode": "sea",
            "transport_document": f"CLI-{code}-{quantity}", "package_count": quantity // 12, "gross_mass_kg":
            str(quantity * 2), "invoice": {"currency": "EUR", "amount": str(value), "incoterm": "CIF"},
            "lines": [line]}  # fmt: skip
    parties = {"importer": {"tax_code": KEEPER}, "exporter": partner}
    if kind == "export":
        parties = {"exporter": {"tax_code": KEEPER}, "importer": partner}
    return DeclarationIn.model_validate(body | parties)


def _clear(db: Database, dispatcher: Dispatcher, body: DeclarationIn) -> str:
    with db.unit_of_work() as uow:
        who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, KEEPER))
        row = declarations.lodge(uow.session, principal=who, data=body).row
        registration.register_one(uow.session, principal=who, number=row.number,
                                  engine=RuleSetEngine(green=100.0, yellow=0.0, red=0.0))  # fmt: skip
        number = row.number
        uow.commit()
    dispatcher.run_once()  # the ledger books it
    return number


def _file(db: Database, dispatcher: Dispatcher, tax: str, body: dict[str, Any]) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax))
        f = finalisation.file(uow.session, principal=who, data=FinalisationIn.model_validate(body))
        out = {"id": f.id, "tax_code": tax, "unit": f.unit, "discrepancies": f.discrepancies,
               "duty_at_stake": str(f.duty_at_stake)}  # fmt: skip
        uow.commit()
    dispatcher.run_once()  # the risk fact
    return out


def _warehouse(db: Database, dispatcher: Dispatcher, start: Any) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        with contextlib.suppress(Conflict):
            org.add_enterprise(
                uow.session, tax_code=KEEPER, name=KEEPER_NAME, roles=["declarant"], actor="demo"
            )
        uow.commit()
    clock.freeze(start - timedelta(days=90))
    _clear(db, dispatcher, _declaration("import", "C11", 6000, 60000))
    clock.freeze(start - timedelta(days=20))
    _clear(db, dispatcher, _declaration("export", "C12", 4000, 40000))
    clock.freeze(start)
    period = {"period_start": (start - timedelta(days=120)).date(), "period_end": start.date()}
    stock = [{"material_code": WINE[0], "material_unit": WINE[1], "closing_stock": "1700"}]
    return _file(
        db, dispatcher, KEEPER, {"regime": "bonded_warehouse", **period, "norms": [], "stock": stock}
    )


def _epe(db: Database, dispatcher: Dispatcher, start: Any) -> dict[str, Any]:
    per_phone, waste, phones, bought = Decimal(1), Decimal(1), Decimal(18000), Decimal(20000)
    norms = [{"product_code": PHONE[0], "product_unit": PHONE[1], "material_code": m, "material_unit": "PCE",
              "norm": str(per_phone), "waste_pct": str(waste)} for m in EPE_PARTS]  # fmt: skip
    held = str(bought - phones * per_phone * (1 + waste / 100))
    stock = [{"material_code": m, "material_unit": "PCE", "closing_stock": held} for m in EPE_PARTS]
    period = {"period_start": (start - timedelta(days=365)).date(), "period_end": start.date()}
    return _file(db, dispatcher, EPE, {"regime": "epe", **period, "norms": norms, "stock": stock})


def seed(db: Database, dispatcher: Dispatcher) -> dict[str, Any]:
    """The bonded warehouse's story, then the EPE's finalisation (skipped when demo.regimes did not run)."""
    start = clock.now()
    try:
        story: dict[str, Any] = {"warehouse": _warehouse(db, dispatcher, start)}
        with contextlib.suppress(DomainError):
            story["epe"] = _epe(db, dispatcher, start)
        return story
    finally:
        clock.freeze(None)


def describe(story: dict[str, Any]) -> list[str]:
    if not story:
        return []
    w = story["warehouse"]
    out = [
        f"Finalisation (/regimes/finalisations): bonded warehouse {KEEPER} ({w['unit']}) declared 1,700 l of wine"
        f" held where its ledger says 2,000: {w['discrepancies']} discrepancy, {w['duty_at_stake']} VND of"
        " duty at stake, a task for the officers and a risk fact (finalisation_discrepancy_duty).",
    ]
    if "epe" in story:
        e = story["epe"]
        out.append(f"  EPE {e['tax_code']} ({e['unit']}) reconciled: {e['discrepancies']} discrepancies.")
    return out
