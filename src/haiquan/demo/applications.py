"""The demo's applications: the importer of the first cleared declaration files a refund for goods
re-exported, customs grants part of it and pays it back through the ledger; the importer holds a
classification ruling for its processors, and a declaration contradicting it is refused at lodging."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from haiquan.applications import service
from haiquan.applications.domain import Decision, Outcome
from haiquan.applications.schemas import FilingIn
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from haiquan.kit.errors import DomainError
from haiquan.organization import service as org
from haiquan.organization.officers import by_username

IMPORTER = "0101248141"
GOODS = "MA-CPU-2000"


def seed(db: Database, number: str | None) -> dict[str, Any]:
    if not number:
        return {}
    with db.unit_of_work() as uow:
        s = uow.session
        trader = org.enterprise_principal(org.enterprise_by_tax_code(s, IMPORTER))
        leader = org.officer_principal(s, by_username(s, "tongcuc"))
        declaration = s.get(DeclarationRow, number)
        assert declaration is not None
        amount = (declaration.total_duties // 10).quantize(Decimal(1)) or Decimal(1)
        refund = service.file(s, principal=trader, data=FilingIn(
            kind="refund", subject="Hoàn thuế nhập khẩu: một phần lô hàng đã tái xuất", reason_code="re_export",
            declaration_number=number, amount=amount, details="Tái xuất 10% số bộ vi xử lý theo tờ khai xuất",
        ))  # fmt: skip
        service.start_review(s, principal=leader, application_id=refund.id)
        granted = max(amount - 1000, Decimal(1))
        decision = Decision(Outcome.PARTLY_APPROVED, "Tái xuất đúng thời hạn; trừ phí", amount=granted)
        service.decide(s, principal=leader, application_id=refund.id, decision=decision)
        service.pay_refund(s, principal=leader, application_id=refund.id, amount=None)
        ruling = service.file(s, principal=trader, data=FilingIn(
            kind="ruling_classification", office=declaration.office, subject="Bộ vi xử lý CPU-2000",
            goods_code=GOODS, goods_description="Bộ vi xử lý đa lõi CPU-2000", hs_code="85423100",
        ))  # fmt: skip
        service.decide(s, principal=leader, application_id=ruling.id, decision=Decision(
            Outcome.APPROVED, "Chú giải 8 Chương 85; quy tắc 1 và 6", hs_code="85423100"
        ))  # fmt: skip
        uow.commit()
        refund_id, ruling_id = refund.id, ruling.id
    return {"refund": refund_id, "granted": str(granted), "ruling": ruling_id, "refused": _contradicting(db)}


def _contradicting(db: Database) -> str:
    """A declaration naming the ruled goods under another code: the refusal's field and message."""
    body = DeclarationIn.model_validate({
        "kind": "import", "office": "01AB", "importer": {"tax_code": IMPORTER},
        "exporter": {"name": "Shenzhen Huaqiang Electronics", "country": "CN"}, "transport_mode": "air",
        "transport_document": "738-12345675", "package_count": 1, "gross_mass_kg": "5",
        "invoice": {"currency": "USD", "amount": "1000", "incoterm": "CIF"},
        "lines": [{"hs_code": "84715090", "description": "CPU-2000", "origin_country": "CN", "quantity": "10",
                   "quantity_unit": "PCE", "net_mass_kg": "1", "value": "1000", "goods_code": GOODS}],
    })  # fmt: skip
    with db.unit_of_work() as uow:
        trader = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, IMPORTER))
        try:
            declarations.lodge(uow.session, principal=trader, data=body)
        except DomainError as exc:
            return f"{exc.field}: {exc.message}"
        finally:
            uow.rollback()
    return "accepted (the ruling did not bind)"


def describe(done: dict[str, Any]) -> list[str]:
    if not done:
        return []
    return [
        f"Applications: refund {done['refund']} partly approved ({done['granted']} VND) and paid back through the"
        f" ledger; classification ruling {done['ruling']} binds {GOODS} to HS 85423100 (officers: /applications).",
        f"  A declaration naming {GOODS} under 84715090 is refused at lodging: {done['refused']}",
    ]
