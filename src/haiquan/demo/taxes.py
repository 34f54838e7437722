"""The demo's tax-debt story (issue #20): a trader registered a declaration 120 days ago and never paid
its duties; today its next declaration is refused at registration, saying how much is owed and since
when. The demo leaves it refused: pay the old declaration's reference through the bank gateway
(`POST /api/v1/payments`, the API guide) and register again (`haiquan demo` prints both)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.errors import Forbidden
from haiquan.organization import service as org
from haiquan.payments.domain import reference_for
from haiquan.risk.channel import RuleSetEngine

DEBTOR = ("0100100015", "Công ty TNHH Thương mại Nợ Đọng (demo)")
OFFICE = "01AB"
GREEN = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)


def _declaration(s: Session, n: int) -> str:
    principal = org.enterprise_principal(org.enterprise_by_tax_code(s, DEBTOR[0]))
    body = DeclarationIn.model_validate({
        "kind": "import", "office": OFFICE, "importer": {"tax_code": DEBTOR[0]},
        "exporter": {"name": "Shenzhen Gadget Co.", "country": "CN"}, "transport_mode": "air",
        "transport_document": f"DEBT-AWB-{n}", "package_count": 10, "gross_mass_kg": "120",
        "invoice": {"currency": "USD", "amount": "20000", "incoterm": "CIF"},
        "lines": [{"hs_code": "85171300", "description": "Điện thoại thông minh / smartphones", "origin_country": "CN",
                   "quantity": "100", "quantity_unit": "PCE", "net_mass_kg": "100", "value": "20000"}],
    })  # fmt: skip
    return declarations.lodge(s, principal=principal, data=body).row.number


def debt_story(db: Database) -> dict[str, Any]:
    """Returns what the demo prints: the unpaid declaration, its reference, the refused one and why."""
    now = clock.now()
    with db.unit_of_work() as uow:
        s = uow.session
        _, key = org.add_enterprise(s, tax_code=DEBTOR[0], name=DEBTOR[1], roles=["declarant"], actor="demo")
        uow.commit()
    clock.freeze(now - timedelta(days=120))
    try:
        with db.unit_of_work() as uow:
            s, principal = (
                uow.session,
                org.enterprise_principal(org.enterprise_by_tax_code(uow.session, DEBTOR[0])),
            )
            old = _declaration(s, 1)
            registration.register_one(s, principal=principal, number=old, engine=GREEN)
            uow.commit()
    finally:
        clock.freeze(None)
    with db.unit_of_work() as uow:
        s, principal = (
            uow.session,
            org.enterprise_principal(org.enterprise_by_tax_code(uow.session, DEBTOR[0])),
        )
        new = _declaration(s, 2)
        uow.commit()
    refusal = ""
    with db.unit_of_work() as uow:
        try:
            registration.register_one(uow.session, principal=principal, number=new, engine=GREEN)
        except Forbidden as exc:
            refusal = exc.message
    return {"tax_code": DEBTOR[0], "api_key": key, "unpaid": old, "reference": reference_for(old, 0),
            "refused": new, "refusal": refusal}  # fmt: skip


def describe(debt: dict[str, Any]) -> list[str]:
    if not debt:
        return []
    return [
        f"Tax debt: {debt['tax_code']} never paid declaration {debt['unpaid']} (120 days ago); its declaration"
        f" {debt['refused']} is refused at registration: {debt['refusal']} Pay reference {debt['reference']}"
        " through the bank gateway (POST /api/v1/payments), then register it again; /taxes shows the account.",
    ]
