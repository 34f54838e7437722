"""A small world for API tests: two departments, sub-departments and teams, officers, enterprises."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from haiquan.organization import service as org
from haiquan.organization.domain import Unit

UNITS = [
    Unit("00", "Tổng cục Hải quan", "General Department", "general", None),
    Unit("01", "Cục Hải quan TP Hà Nội", "Hanoi Customs", "department", "00"),
    Unit("01AB", "CC HQ CK Sân bay QT Nội Bài", "Noi Bai Airport", "subdepartment", "01"),
    Unit("01B1", "Đội Xuất", "Export team", "team", "01AB"),
    Unit("01B3", "Đội Nhập", "Import team", "team", "01AB"),
    Unit("01TE", "CCHQ Bắc Hà Nội", "North Hanoi", "subdepartment", "01"),
    Unit("03", "Cục Hải quan TP Hải Phòng", "Hai Phong Customs", "department", "00"),
    Unit("03CC", "CC HQ CK cảng HP KV I", "Hai Phong port I", "subdepartment", "03"),
]

OFFICERS = [
    ("gd_leader", "00", "department_leader"),
    ("hn_leader", "01", "department_leader"),
    ("nb_leader", "01AB", "subdepartment_leader"),
    ("nb_officer1", "01AB", "officer"),
    ("nb_officer2", "01AB", "officer"),
    ("nb_team_officer", "01B3", "officer"),
    ("tn_officer", "01TE", "officer"),
    ("hp_officer", "03CC", "officer"),
    ("hp_leader", "03", "department_leader"),
    ("analyst", "00", "analyst"),
    ("admin", "00", "administrator"),
]
PASSWORD = "correct-horse-battery"

ENTERPRISES = [
    ("0100109106", "Công ty Cổ phần Hàng không Việt", ["declarant"]),
    ("0101248141", "Công ty TNHH Thương mại Minh Anh", ["declarant"]),
    ("0200519875", "Cảng Hải Phòng", ["terminal_operator"]),
    ("0100112437", "Ngân hàng TMCP Ngoại thương", ["bank"]),
    ("0300588569", "Hãng tàu Vinalines", ["carrier"]),
]


@dataclass
class World:
    client: TestClient
    keys: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def ent(self, tax_code: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tax_code]}"}

    def off(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            r = self.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def lodge(self, body: dict[str, Any], who: str = "0100109106", key: str | None = None) -> Any:
        return self.post("/api/v1/declarations", self.ent(who), body, key)

    def post(self, url: str, who: dict[str, str], json: Any, key: str | None = None) -> Any:
        headers = dict(who)
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(url, json=json, headers=headers)


TARIFF = [
    # hs8, vi, en, unit, mfn, vat, excise, export, preferential
    ("85171300", "Điện thoại thông minh", "Smartphones", "PCE", "0", "10", "0", "0", {}),
    (
        "87032363",
        "Ô tô chở người dưới 10 chỗ, 1.500-2.000cc",
        "Cars 1500-2000cc",
        "PCE",
        "64",
        "10",
        "40",
        "0",
        {"ATIGA": "0"},
    ),
    ("08081000", "Táo tươi", "Apples, fresh", "KGM", "10", "5", "0", "0", {"ATIGA": "0", "ACFTA": "0"}),
    ("24022090", "Thuốc lá điếu", "Cigarettes", "PCE", "135", "10", "75", "0", {}),
    ("03061719", "Tôm đông lạnh", "Frozen shrimp", "KGM", "12", "5", "0", "0", {}),
    ("26011100", "Quặng sắt", "Iron ore", "KGM", "0", "10", "0", "40", {}),
]
RATES = [("USD", "2020-01-01", "25000"), ("USD", "2026-01-01", "26000"), ("EUR", "2026-01-01", "28000")]


def load_reference(db: Any) -> None:
    from datetime import date
    from decimal import Decimal

    from haiquan.reference.tables import ExchangeRateRow, TariffLineRow
    from haiquan.tariff import service as tariff_service

    with db.unit_of_work() as uow:
        for hs8, vi, en, unit, mfn, vat, exc, exp, pref in TARIFF:
            uow.session.add(
                TariffLineRow(
                    hs8=hs8,
                    description_vi=vi,
                    description_en=en,
                    unit=unit,
                    mfn_rate=Decimal(mfn),
                    vat_rate=Decimal(vat),
                    excise_rate=Decimal(exc),
                    export_rate=Decimal(exp),
                    preferential=pref,
                )
            )
        for cur, d, v in RATES:
            uow.session.add(
                ExchangeRateRow(currency=cur, valid_from=date.fromisoformat(d), vnd_per_unit=Decimal(v))
            )
        uow.commit()
    tariff_service.invalidate()


def build_world(app: Any, client: TestClient) -> World:
    db = app.state.db
    world = World(client)
    load_reference(db)
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        for username, unit, role in OFFICERS:
            org.add_officer(
                uow.session, username=username, unit=unit, role=role, password=PASSWORD, actor="test"
            )
        for tax, name, roles in ENTERPRISES:
            _, key = org.add_enterprise(uow.session, tax_code=tax, name=name, roles=roles, actor="test")
            world.keys[tax] = key
        uow.commit()
    with db.unit_of_work() as uow:
        for principal, agent in REPRESENTATIONS:
            grant_representation(uow.session, principal=principal, representative=agent)
        uow.commit()
    return world


# (importer or exporter, its representative): the declarations tests lodge as 0100109106 name 0101248141
REPRESENTATIONS = [("0101248141", "0100109106")]


def grant_representation(session: Any, *, principal: str, representative: str, **over: Any) -> Any:
    """`principal` lets `representative` lodge in its name, since 2020 (tests freeze the clock in the past)."""
    from datetime import UTC, datetime

    from haiquan.organization import representations
    from haiquan.organization.schemas import RepresentationIn

    data = {"representative_tax_code": representative, "kind": "direct"} | over
    data.setdefault("valid_from", datetime(2020, 1, 1, tzinfo=UTC))
    who = org.enterprise_principal(org.enterprise_by_tax_code(session, principal))
    return representations.grant(session, principal=who, data=RepresentationIn.model_validate(data))


def import_declaration(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "import",
        "office": "01AB",
        "importer": {"tax_code": "0101248141"},
        "exporter": {"name": "Shenzhen Electronics Co.", "country": "CN"},
        "transport_mode": "air",
        "transport_document": "738-12345675",
        "package_count": 10,
        "gross_mass_kg": "120.5",
        "invoice": {
            "currency": "USD",
            "amount": "10000",
            "incoterm": "FOB",
            "freight": "200",
            "insurance": "50",
        },
        "lines": [
            {
                "hs_code": "85171300",
                "description": "Smartphones",
                "origin_country": "CN",
                "quantity": "50",
                "quantity_unit": "PCE",
                "net_mass_kg": "10",
                "value": "6000",
            },
            {
                "hs_code": "08081000",
                "description": "Fuji apples",
                "origin_country": "CN",
                "quantity": "2000",
                "quantity_unit": "KGM",
                "net_mass_kg": "2000",
                "value": "4000",
                "preference": {"scheme": "ACFTA", "certificate": "E2600012345"},
            },
        ],
    }
    body.update(over)
    return body


def unrecorded(db: Any, consumer: str, event_ids: list[str]) -> list[str]:
    """The events among `event_ids` that nothing records as applied by `consumer`: neither at or below its
    saved mark nor with a consumption row (kit/applying keeps rows only above the mark). Empty when the
    dispatcher has recorded them all."""
    from sqlalchemy import select

    from haiquan.kit.tables import ConsumerCursor, EventConsumption, OutboxEvent

    with db.unit_of_work() as uow:
        s = uow.session
        mark = s.scalar(select(ConsumerCursor.low_seq).where(ConsumerCursor.consumer == consumer)) or 0
        rows = set(s.scalars(select(EventConsumption.event_id).where(EventConsumption.consumer == consumer)))
        seqs = dict(
            s.execute(select(OutboxEvent.id, OutboxEvent.seq).where(OutboxEvent.id.in_(event_ids))).all()
        )
    return [i for i in event_ids if not (seqs.get(i, mark + 1) <= mark or i in rows)]


def many_sources(app: Any, per_source: int = 150) -> Iterator[TestClient]:
    """Clients calling from one documentation address after another (198.51.100.0/24), `per_source` requests
    each: a walk over every operation of the API sends more requests without a known credential than one
    address's anonymous burst allows (kit.ratelimit, itself tested in tests/kit/test_ratelimit.py)."""
    for i in itertools.count(1):
        caller = TestClient(app, client=(f"198.51.100.{i % 250 + 1}", 50000))
        for _ in range(per_source):
            yield caller
