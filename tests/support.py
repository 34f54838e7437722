"""A small world for API tests: two departments, sub-departments and teams, officers, enterprises."""

from __future__ import annotations

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

    def post(self, url: str, who: dict[str, str], json: Any, key: str | None = None) -> Any:
        headers = dict(who)
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(url, json=json, headers=headers)


def build_world(app: Any, client: TestClient) -> World:
    db = app.state.db
    world = World(client)
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
    return world
