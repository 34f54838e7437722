"""`haiquan demo seed`: a working customs office to click through. Idempotent: a second run changes nothing.

Loads the unit hierarchy and the reference data, adds officers (printed with their password), enterprises
(their API keys written to var/demo-credentials.json for the simulator), and a few hundred declarations
lodged, registered, checked and paid over the last weeks through the same services the API uses."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from rich.progress import Progress
from sqlalchemy import func, select

from haiquan.declarations import officer as officer_service
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.domain import DecisionKind, Status
from haiquan.declarations.schemas import DecisionIn, DeclarationIn
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.organization.tables import OfficerRow
from haiquan.reference.tables import TariffLineRow
from haiquan.risk.channel import ChannelEngine

DEMO_PASSWORD = "haiquan-demo"  # noqa: S105  (printed to the operator; demo only)

OFFICERS = [
    ("tongcuc", "00", "department_leader", "Nguyễn Văn Tổng"),
    ("cuc_hanoi", "01", "department_leader", "Trần Thị Hà"),
    ("noibai_lead", "01AB", "subdepartment_leader", "Lê Văn Bài"),
    ("noibai_1", "01AB", "officer", "Phạm Thu Trang"),
    ("noibai_2", "01AB", "officer", "Đỗ Minh Khoa"),
    ("noibai_3", "01B3", "officer", "Vũ Thị Lan"),
    ("cuc_haiphong", "03", "department_leader", "Hoàng Văn Hải"),
    ("hp_kv1_1", "03CC", "officer", "Bùi Thị Phương"),
    ("hp_kv1_2", "03CC", "officer", "Ngô Văn Cảng"),
    ("analyst", "00", "analyst", "Đặng Thị Rủi Ro"),
    ("ktstq_hn", "01", "officer", "Nguyễn Thị Kiểm"),  # the audit field (demo.audit): post-clearance audit
    ("admin", "00", "administrator", "Quản trị hệ thống"),
]
ENTERPRISES = [
    ("0100109106", "Tổng Công ty Hàng không Việt Nam - CTCP", ["declarant"]),
    ("0101248141", "Công ty TNHH Thương mại Minh Anh", ["declarant"]),
    ("0302098785", "Công ty CP Xuất nhập khẩu Sài Gòn Xanh", ["declarant"]),
    ("0200519875", "Công ty CP Cảng Hải Phòng", ["terminal_operator"]),
    ("0300588569", "Tổng Công ty Hàng hải Việt Nam", ["carrier"]),
]
DECLARANTS = ["0100109106", "0101248141", "0302098785"]
# each has granted the other declarants a representation (`_representations`)
IMPORTERS = ["0101248141", "0302098785", "0100109106"]
BATCH = 25
OFFICES = {"01AB": "air", "03CC": "sea"}
PARTNERS = [("CN", "Shenzhen Huaqiang Electronics"), ("KR", "Busan Global Trading"), ("JP", "Osaka Machinery KK"),
            ("TH", "Siam Food Products"), ("US", "Pacific Northwest Apples Inc."), ("DE", "Rhein Maschinenbau GmbH")]  # fmt: skip


@dataclass
class Seeded:
    officers: list[tuple[str, str, str]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    vessel: dict[str, Any] = field(default_factory=dict)
    declarations: int = 0
    already: bool = False
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # the trader portal's (demo.portal)


def seed(
    db: Database, settings: Settings, *, declarations_count: int = 300, seed_value: int = 2020
) -> Seeded:
    out = Seeded()
    with db.unit_of_work() as uow:
        if uow.session.scalar(select(OfficerRow).where(OfficerRow.username == "admin")) is not None:
            out.already = True
            return out
    _organisation(db, out)
    from haiquan.demo.portal import seed_staff

    out.staff = seed_staff(db, password=DEMO_PASSWORD)
    _reference(db)
    _banks(db, out, random.Random(seed_value + 2))
    _declarations(db, settings, out, declarations_count, random.Random(seed_value))
    lowvalue = _lowvalue(db, settings, out, random.Random(seed_value + 3))
    to_scan = lowvalue["flight"].pop("to_scan")
    out.vessel = _other_domains(db, settings, random.Random(seed_value + 1), parcel=to_scan)
    if out.vessel["inspection"].get("parcel_effect") == "held":
        lowvalue["flight"]["held_by_scanner"] = to_scan["number"]
    out.vessel["lowvalue"] = lowvalue
    _last_year(db, seed_value)
    out.vessel["audit"] = _audit(db, settings, random.Random(seed_value + 4))
    creds = settings.data_dir / "demo-credentials.json"
    creds.write_text(
        json.dumps(
            {
                "password": DEMO_PASSWORD,
                "officers": out.officers,
                "api_keys": out.keys,
                "vessel": out.vessel,
                "portal_staff": out.staff,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    creds.chmod(0o600)
    return out


def _other_domains(
    db: Database, settings: Settings, rng: random.Random, *, parcel: dict[str, str] | None = None
) -> dict[str, Any]:
    """Enforcement cases for this year (with smuggling moving from Lạng Sơn and Quảng Ninh to Lào Cai);
    the 2018 registry of terminal operators and one vessel's story at Hải Phòng, from its manifest to the
    refused container leaving once cleared (returned, for the API guide's examples); the express
    warehouse whose scanner flags a declaration and the low-value `parcel` (haiquan.demo.inspection)."""
    from haiquan.demo.enforcement import seed_cases
    from haiquan.demo.story import clear_and_release
    from haiquan.demo.supervision import seed as seed_supervision

    with db.unit_of_work() as uow:
        seed_cases(uow.session, year=clock.today_vn().year, rng=rng)
        uow.commit()
    from haiquan.demo.inspection import seed_inspection

    with db.unit_of_work() as uow:
        story = seed_supervision(uow.session, rng=rng)
        uow.commit()
    story = clear_and_release(db, settings, story)
    house_bill = parcel["house_bill"] if parcel else None
    return {**story, "inspection": seed_inspection(db, settings, house_bill=house_bill)}


def _audit(db: Database, settings: Settings, rng: random.Random) -> dict[str, Any]:
    """Issue #21's story (haiquan.demo.audit): after the rest, so that its trade ~100 days ago leaves last
    year's generated rollups alone, and its promoted model serves only the declarations lodged from now."""
    from haiquan.demo import audit
    from haiquan.risk.engine import build_engine

    engine = build_engine(db, settings.model_copy(update={"run_dispatcher": False}))
    return audit.seed(db, settings, engine=engine, rng=rng)


def _lowvalue(db: Database, settings: Settings, out: Seeded, rng: random.Random) -> dict[str, Any]:
    """An express company's flight of 3,000 parcels and a post office's bag (haiquan.demo.lowvalue)."""
    from haiquan.demo.lowvalue import EXPRESS, POST
    from haiquan.demo.lowvalue import seed as seed_lowvalue

    result = seed_lowvalue(db, settings, rng=rng)
    out.keys.update({EXPRESS[0]: result.pop("express_key"), POST[0]: result.pop("post_key")})
    return result


def _last_year(db: Database, seed_value: int) -> None:
    """Generated history (`haiquan.demo.history`): last year's daily rollups of the demo's offices, at
    the pace and duties per declaration the demo's own traffic had this year, so the revenue chart has its
    same-period-last-year line. Only rollups are generated, never declarations, and only days before the
    demo's 30 days of real traffic."""
    from datetime import date

    from haiquan.demo import history
    from haiquan.reports.tables import DailyDeclarationRow, DailyRevenueRow, total_key

    today = clock.today_vn()
    end = min(date(today.year - 1, 12, 31), today - timedelta(days=31))
    with db.unit_of_work() as uow:
        s = uow.session
        tree = org.load_tree(s)
        nation, this_year = total_key(tree.roots()[0]), date(today.year, 1, 1)
        registered = s.scalar(select(func.sum(DailyDeclarationRow.registered)).where(
            DailyDeclarationRow.unit == nation, DailyDeclarationRow.day >= this_year)) or 0  # fmt: skip
        collected = s.scalar(select(func.sum(DailyRevenueRow.collected)).where(
            DailyRevenueRow.unit == nation, DailyRevenueRow.day >= this_year)) or 0  # fmt: skip
    if not registered:
        return
    per_year = int(registered * 365 / max(30, (today - this_year).days + 1))
    plan = history.Plan(years=1, per_year=max(per_year, 12), end=end, offices=tuple(OFFICES),
                         seed=seed_value, duty=int(Decimal(collected) / registered))  # fmt: skip
    history.run(db.engine, plan, tree=tree, show=False)


def _banks(db: Database, out: Seeded, rng: random.Random) -> None:
    """30 banks (API keys kept for the simulator) and budget estimates shaped like the articles'."""
    from haiquan.demo.payments import seed as seed_payments

    with db.unit_of_work() as uow:
        result = seed_payments(uow.session, rng=rng)
        uow.commit()
    keys = result["bank_api_keys"]
    assert isinstance(keys, dict)
    out.keys.update({f"bank:{code}": key for code, key in keys.items()})


def _organisation(db: Database, out: Seeded) -> None:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="demo")
        for username, unit, role, name in OFFICERS:
            org.add_officer(uow.session, username=username, unit=unit, role=role, password=DEMO_PASSWORD,
                            full_name=name, actor="demo")  # fmt: skip
            out.officers.append((username, unit, role))
        for tax, name, roles in ENTERPRISES:
            _, key = org.add_enterprise(uow.session, tax_code=tax, name=name, roles=roles, actor="demo")
            out.keys[tax] = key
        uow.commit()
    _representations(db)


def _representations(db: Database) -> None:
    """Each demo declarant lets the two others lodge in its name (the declarations below name any of them
    as importer), for a year now, as a customs agent's contract would."""
    from haiquan.organization import representations
    from haiquan.organization.schemas import RepresentationIn

    since = clock.now() - timedelta(days=365)
    with db.unit_of_work() as uow:
        for importer in DECLARANTS:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, importer))
            for agent in DECLARANTS:
                if agent != importer:
                    data = RepresentationIn(representative_tax_code=agent, kind="direct", valid_from=since)
                    representations.grant(uow.session, principal=who, data=data)
        uow.commit()


def _reference(db: Database) -> None:
    from haiquan.reference import service as reference
    from haiquan.tariff import service as tariff_service

    with db.unit_of_work() as uow:
        reference.load_hs(uow.session)
        reference.load_tariff(uow.session)
        reference.load_exchange_rates(uow.session)
        uow.commit()
    tariff_service.invalidate()


def _lines(rng: random.Random, tariff: list[TariffLineRow], origin: str) -> list[dict[str, Any]]:
    lines = []
    for t in rng.sample(tariff, k=rng.choice([1, 1, 2, 3, 5])):
        qty = rng.randint(1, 500)
        lines.append({"hs_code": t.hs8, "description": t.description_en[:200] or t.description_vi[:200],
                      "origin_country": origin, "quantity": str(qty), "quantity_unit": "PCE",
                      "net_mass_kg": str(qty * rng.randint(1, 20)), "value": str(qty * rng.randint(5, 400))})  # fmt: skip
    return lines


def _body(rng: random.Random, tariff: list[TariffLineRow], importer: str) -> DeclarationIn:
    office, mode = rng.choice(list(OFFICES.items()))
    country, partner = rng.choice(PARTNERS)
    lines = _lines(rng, tariff, country)
    total = sum(Decimal(ln["value"]) for ln in lines)
    return DeclarationIn.model_validate({
        "kind": "import", "office": office, "importer": {"tax_code": importer},
        "exporter": {"name": partner, "country": country}, "transport_mode": mode,
        "transport_document": f"{'738' if mode == 'air' else 'HPH'}-{rng.randint(10**7, 10**8 - 1)}",
        "package_count": rng.randint(1, 40), "gross_mass_kg": str(rng.randint(10, 20000)),
        "invoice": {"currency": rng.choice(["USD", "USD", "EUR", "JPY"]), "amount": str(total), "incoterm": rng.choice(["FOB", "CIF", "EXW"]),
                    "freight": str(rng.randint(0, 900)), "insurance": str(rng.randint(0, 90))},
        "lines": lines,
    })  # fmt: skip


def _declarations(db: Database, settings: Settings, out: Seeded, count: int, rng: random.Random) -> None:
    from haiquan import consumers
    from haiquan.risk import profiles
    from haiquan.risk.engine import build_engine

    with db.unit_of_work() as uow:
        profiles.install_defaults(uow.session, actor="demo")
        uow.commit()
    engine: ChannelEngine = build_engine(db, settings.model_copy(update={"run_dispatcher": False}))
    dispatcher = Dispatcher(db)
    consumers.register_all(dispatcher, settings)
    with db.unit_of_work() as uow:
        tariff = [
            TariffLineRow(hs8=hs8, description_en=en, description_vi=vi)
            for hs8, en, vi in uow.session.execute(
                select(TariffLineRow.hs8, TariffLineRow.description_en, TariffLineRow.description_vi).where(
                    TariffLineRow.mfn_rate < 50
                )
            )
        ]
    start = clock.now() - timedelta(days=30)
    try:
        with Progress() as progress:
            task = progress.add_task("Demo declarations", total=count)
            for first in range(0, count, BATCH):
                to_pay: list[tuple[str, Any]] = []
                for i in range(first, min(count, first + BATCH)):
                    at = start + timedelta(minutes=int(i * 30 * 24 * 60 / count))
                    clock.freeze(at)
                    number = _one(db, engine, rng, tariff, i, count)
                    if number and i < count * 0.9 and rng.random() < 0.95:
                        to_pay.append((number, at))
                    progress.advance(task)
                    out.declarations += 1
                dispatcher.run_once()  # payment references, notifications, rollups
                for number, at in to_pay:
                    _pay(db, rng, number=number, at=at)
                dispatcher.run_once()  # the confirmations clear the declarations
            clock.freeze(None)
    finally:
        clock.freeze(None)


def _one(
    db: Database, engine: ChannelEngine, rng: random.Random, tariff: list[TariffLineRow], i: int, count: int
) -> str | None:
    declarant_tax = rng.choice(DECLARANTS)
    with db.unit_of_work() as uow:
        s = uow.session
        ent = org.enterprise_by_tax_code(s, declarant_tax)
        principal = org.enterprise_principal(ent)
        importer = rng.choice(IMPORTERS)
        row = declarations.lodge(s, principal=principal, data=_body(rng, tariff, importer)).row
        if rng.random() >= 0.9:
            uow.commit()
            return None  # lodged, not yet registered
        row = registration.register_one(s, principal=principal, number=row.number, engine=engine)
        uow.commit()
        if i <= count * 0.9:
            clock.freeze(
                clock.now() + timedelta(minutes=rng.randint(20, 400))
            )  # the officer's check takes time
            _work(s, row, rng)
            uow.commit()
        return row.number


def _work(s: Any, row: Any, rng: random.Random) -> None:
    """Older declarations are checked by their assigned officer and paid, as on a real day."""
    if row.status in (Status.REGISTERED, Status.INSPECTION_INTENDED) and row.assigned_officer_id:
        who = s.get(OfficerRow, row.assigned_officer_id)
        principal = org.officer_principal(s, who)
        if row.channel == "red":
            fraud = rng.random() < 0.04
            findings = "Số lượng thực tế lớn hơn khai báo" if fraud else "Hàng hoá phù hợp khai báo"
            data = DecisionIn(kind=DecisionKind.INSPECTION_RESULT, reason="Kiểm tra thực tế hàng hoá",
                              fraud_found=fraud, findings=findings)  # fmt: skip
        else:
            data = DecisionIn(kind=DecisionKind.DOCUMENTS_ACCEPTED, reason="Hồ sơ phù hợp")
        done = officer_service.take_decision(s, principal=principal, number=row.number, data=data)
        if done.status == Status.INSPECTION_INTENDED:  # fraud found: the officer clears after the finding
            data = DecisionIn(kind=DecisionKind.CLEAR, reason="Đã xử lý vi phạm, truy thu thuế")
            officer_service.take_decision(s, principal=principal, number=row.number, data=data)


def _pay(db: Database, rng: random.Random, *, number: str, at: Any) -> None:
    """Vietcombank confirms, at any hour (02:00 in Hà Nội too), the open payment references of a declaration.
    Leaves the clock frozen at the last payment, so the clearance the caller's consumers apply is timed then."""
    from haiquan.payments.confirmations import confirm
    from haiquan.payments.schemas import PaymentIn
    from haiquan.payments.tables import PaymentReferenceRow

    with db.unit_of_work() as uow:
        s = uow.session
        bank = org.enterprise_by_tax_code(s, "0100112437")
        principal = org.enterprise_principal(bank)
        refs = s.scalars(
            select(PaymentReferenceRow).where(
                PaymentReferenceRow.status == "open", PaymentReferenceRow.declaration_number == number
            )
        ).all()
        for ref in refs:
            paid_at = at + timedelta(hours=rng.choice([1, 3, 9, 17]))
            clock.freeze(paid_at)
            data = PaymentIn(bank="VCB", transaction_id=f"FT{rng.randint(10**10, 10**11 - 1)}", references=[ref.reference],
                             amount=ref.amount_due - ref.amount_paid, payer_tax_code=ref.payer_tax_code, paid_at=paid_at)  # fmt: skip
            confirm(s, principal=principal, data=data)
        uow.commit()  # the clock stays at the payment: the caller's consumers clear the goods then
