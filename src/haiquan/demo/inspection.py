"""The demo's express warehouse, its scanner and a day of paper work, through the same services the API
uses: an express company applies for its warehouse at Nội Bài; an officer checks it; the Hanoi director,
away, has delegated the approval to Nội Bài's leader, who approves it (01-KCPN-0001); the company
registers a scanner; its image of one parcel (demo/data/scanner-parcel.png, hashed) shows a dense block,
so the parcel's declaration turns red. Yesterday the system was down from 09:00 to 11:00: the office worked
on paper and an officer back-captures its three paper declarations."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations import paper, registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.inspection import images, scans, service
from haiquan.inspection.schemas import (
    ApprovalDecisionIn,
    DelegationIn,
    LocationApplicationIn,
    LocationCheckIn,
    ScanIn,
    ScannerIn,
)
from haiquan.kit import clock
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.organization.tables import EnterpriseRow, OfficerRow
from haiquan.risk.channel import RuleSetEngine

EXPRESS = ("0106123467", "Công ty CP Chuyển phát nhanh Sao Việt (demo)")
IMPORTER = "0101248141"
IMAGE = Path(__file__).parent / "data" / "scanner-parcel.png"
IMAGE_SHA256 = "a5745cf8fa28e25867c201d49ce42d60d1e1912bd7f101dd9a940163eeedea51"
HOUSE_BILL = "SV2612060001"


def _officer(s: Session, username: str) -> Principal:
    row = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
    assert row is not None, username
    return org.officer_principal(s, row)


def _express(s: Session, keys: dict[str, str] | None = None) -> Principal:
    """The express company (added on first use; its API key, shown once, into `keys`)."""
    ent = s.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == EXPRESS[0]))
    if ent is None:
        ent, (keys if keys is not None else {})["api_key"] = org.add_enterprise(
            s, tax_code=EXPRESS[0], name=EXPRESS[1], roles=["declarant"], actor="demo"
        )
    return org.enterprise_principal(ent)


def _location(s: Session, keys: dict[str, str]) -> tuple[Any, str]:
    """Applied, checked, approved by the director's delegate; a scanner registered: (location, serial)."""
    company = _express(s, keys)
    loc = service.apply(s, principal=company, data=LocationApplicationIn(
        kind="express_warehouse", name="Kho hàng chuyển phát nhanh Sao Việt - Nội Bài", unit="01AB",
        address="Lô 5, Khu hàng hoá, Cảng hàng không quốc tế Nội Bài, Sóc Sơn, Hà Nội",
        area_m2="3200", scanners=2, cameras=36,
    ))  # fmt: skip
    service.check(s, principal=_officer(s, "noibai_1"), location_id=loc.id,
                  data=LocationCheckIn(passed=True, note="Kiểm tra thực tế: đủ điều kiện máy soi, camera"))  # fmt: skip
    now = clock.now()
    service.delegate(s, principal=_officer(s, "cuc_hanoi"), data=DelegationIn(
        delegate="noibai_lead", valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30),
        reason="Cục trưởng đi công tác: ủy quyền phê duyệt địa điểm kiểm tra",
    ))  # fmt: skip
    service.decide(s, principal=_officer(s, "noibai_lead"), location_id=loc.id,
                   data=ApprovalDecisionIn(decision="approve", note="Phê duyệt theo ủy quyền"))  # fmt: skip
    scanner, keys["device_key"] = scans.register_scanner(s, principal=company, location_id=loc.id,
                                        data=ScannerIn(serial="SV-XR-01", model="Nuctech CX6040BI"))  # fmt: skip
    return loc, scanner.serial


def _parcel_declaration(s: Session) -> str:
    """The parcel's declaration, lodged by the express company for the importer and registered yellow."""
    company = _express(s)
    body = DeclarationIn.model_validate({
        "kind": "import", "office": "01AB", "importer": {"tax_code": company.tax_code},
        "exporter": {"name": "Guangzhou Fashion Trading", "country": "CN"}, "transport_mode": "air",
        "transport_document": HOUSE_BILL, "package_count": 1, "gross_mass_kg": "8.4",
        "invoice": {"currency": "USD", "amount": "180", "incoterm": "CIF"},
        "lines": [{"hs_code": "64039990", "description": "Giày thể thao / sports shoes", "origin_country": "CN",
                   "quantity": "6", "quantity_unit": "PR", "net_mass_kg": "6", "value": "180"}],
    })  # fmt: skip
    row = declarations.lodge(s, principal=company, data=body).row
    yellow = RuleSetEngine(green=0.0, yellow=100.0, red=0.0)
    return registration.register_one(s, principal=company, number=row.number, engine=yellow).number


def _scan(
    s: Session, settings: Settings, code: str, serial: str, number: str | None, house_bill: str | None = None
) -> str:
    """The scanner's suspicious image of a declaration's package (`number`) or of a parcel (`house_bill`)."""
    data = IMAGE.read_bytes()
    key, digest = images.put(settings.data_dir, data, "image/png")
    assert digest == IMAGE_SHA256, "demo/data/scanner-parcel.png changed: update IMAGE_SHA256"
    result = scans.record_scan(s, principal=_express(s), data_dir=settings.data_dir, data=ScanIn(
        location_code=code, scanner_serial=serial, declaration_number=number, house_bill=house_bill,
        image={"reference": key, "sha256": digest, "size_bytes": len(data), "content_type": "image/png"},
        verdict="suspicious", note="Khối đặc mật độ cao trong thùng giày, không khớp khai báo",
        scanned_at=clock.now(),
    ))  # fmt: skip
    return result.effect


def _outage_papers(s: Session) -> list[str]:
    """Yesterday 09:00-11:00 the system was down; three paper declarations back-captured this morning."""
    yesterday = clock.today_vn() - timedelta(days=1)
    start = datetime.combine(yesterday, time(9), clock.VN)
    numbers = []
    for n, (hs, what, qty, value) in enumerate([
        ("85171300", "Điện thoại di động / mobile phones", "20", "4000"),
        ("08081000", "Táo tươi / fresh apples", "1200", "1500"),
        ("85423100", "Bộ vi xử lý / processors", "300", "9000"),
    ], start=1):  # fmt: skip
        body = DeclarationIn.model_validate({
            "kind": "import", "office": "01AB", "importer": {"tax_code": IMPORTER},
            "exporter": {"name": "Shenzhen Huaqiang Electronics", "country": "CN"}, "transport_mode": "air",
            "transport_document": f"738-1000{n:04d}", "package_count": n, "gross_mass_kg": "100",
            "invoice": {"currency": "USD", "amount": value, "incoterm": "CIF"},
            "lines": [{"hs_code": hs, "description": what, "origin_country": "CN", "quantity": qty,
                       "quantity_unit": "KGM" if hs.startswith("08") else "PCE", "net_mass_kg": "90", "value": value}],
        })  # fmt: skip
        row, _ = paper.capture(
            s, principal=_officer(s, "noibai_1"), declaration=body, declarant_tax_code=IMPORTER,
            paper_number=f"01AB/GIAY/{yesterday:%Y%m%d}/{n:03d}", reason=paper.PaperReason.SYSTEM_OUTAGE,
            back_captured=True, paper_lodged_at=start + timedelta(minutes=35 * n),
            incident=f"SC-{yesterday:%Y%m%d}-01", note="Khai giấy trong thời gian hệ thống gián đoạn",
        )  # fmt: skip
        numbers.append(row.number)
    return numbers


def seed_inspection(db: Database, settings: Settings, *, house_bill: str | None = None) -> dict[str, Any]:
    """The warehouse and its scanner, a declaration turned red by its image, the paper declarations; and
    when the demo lodged low-value parcels, the parcel under `house_bill` held by another image."""
    with db.unit_of_work() as uow:
        s = uow.session
        keys: dict[str, str] = {}  # the company's API key and its scanner's device key, for the API guide
        loc, serial = _location(s, keys)
        number = _parcel_declaration(s)
        assert loc.code is not None
        effect = _scan(s, settings, loc.code, serial, number)
        parcel_effect = _scan(s, settings, loc.code, serial, None, house_bill) if house_bill else None
        papers = _outage_papers(s)
        uow.commit()
    return {"location": loc.code, "scanner": serial, "declaration": number, "effect": effect, "paper": papers,
            "parcel": house_bill, "parcel_effect": parcel_effect,
            "operator": EXPRESS[0], **keys}  # fmt: skip


def describe(done: dict[str, Any]) -> list[str]:
    if not done:
        return []
    return [
        f"Express warehouse {done['location']} approved by delegation; its scanner {done['scanner']} saw a"
        f" suspicious parcel: declaration {done['declaration']} {done['effect'].replace('_', ' ')}"
        f" (/declarations/{done['declaration']}).",
        f"  After yesterday's outage, 01AB back-captured paper declarations {', '.join(done['paper'])}"
        " (GET /api/v1/paper-declarations/report).",
    ]
