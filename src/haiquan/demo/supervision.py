"""Demo data: the 2018 registry of connected operators (BRIEF §5: Hải Phòng 53 operators over 4
sub-departments, Nội Bài 3, TP.HCM 4, Bà Rịa–Vũng Tàu 14) and one vessel's story at Hải Phòng: the
manifest arrives, the containers gate in, an early gate-out is refused and an alert is raised
(`seed`); then the importer declares two of the bills, they are cleared, and the refused container leaves
(`clear_and_release`, in story.py). Survey figures are drawn at random for the demo (noted on each
record); the operator counts are the brief's."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iso6346
from stdnum.vn import mst

from haiquan.cargo import service as cargo
from haiquan.cargo.schemas import ManifestIn
from haiquan.cargo.screening import default_scorer
from haiquan.kit import clock
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import new_id
from haiquan.organization import service as org
from haiquan.organization.tables import EnterpriseRow, UnitRow
from haiquan.supervision.domain import Connection, LocationKind
from haiquan.supervision.movements import Incoming, apply_batch
from haiquan.supervision.tables import LocationRow, OperatorRow

# department -> [(sub-department, operators there)], 2018 (BRIEF §5)
REGISTRY_2018: dict[str, list[tuple[str, int]]] = {
    "03": [("03CC", 14), ("03CE", 13), ("03EE", 14), ("03TG", 12)],
    "01": [("01AB", 3)],
    "02": [("02CI", 1), ("02CC", 1), ("02CX", 1), ("02CV", 1)],
    "51": [("51CB", 3), ("51CC", 4), ("51CI", 4), ("51BE", 3)],
}
NAMED = {
    "01AB": [
        ("Nội Bài Cargo Terminal Services (NCTS)", LocationKind.AIRPORT_CARGO_TERMINAL),
        ("ACS Vietnam (ACSV)", LocationKind.AIRPORT_CARGO_TERMINAL),
        ("ALS Cargo Terminal (ALSC)", LocationKind.AIRPORT_CARGO_TERMINAL),
    ],
    "02CX": [("Tân Cảng Cát Lái", LocationKind.SEAPORT)],
    "03CC": [("Cảng Chùa Vẽ", LocationKind.SEAPORT), ("Cảng Hoàng Diệu", LocationKind.SEAPORT)],
    "03EE": [("Cảng Đình Vũ", LocationKind.SEAPORT), ("Cảng Tân Vũ", LocationKind.SEAPORT)],
    "51CI": [("Cảng Tân Cảng – Cái Mép (TCIT)", LocationKind.SEAPORT), ("Cảng CMIT", LocationKind.SEAPORT)],
}
OTHER_KINDS = (
    LocationKind.YARD,
    LocationKind.WAREHOUSE,
    LocationKind.CFS,
    LocationKind.BONDED_WAREHOUSE,
    LocationKind.INSPECTION_LOCATION,
    LocationKind.SEAPORT,
)
SYSTEM = Principal(kind="officer", id="demo", name="demo", scope=Scope(units=None), role="administrator")
DEMO_TERMINAL, DEMO_CARRIER = "0200519875", "0300588569"


def tax_code(rng: random.Random) -> str:
    body = f"{rng.randrange(1, 10)}{rng.randrange(10**8):08d}"
    return body + mst.calc_check_digit(body)


def container(rng: random.Random) -> str:
    body = f"{rng.choice(('MSCU', 'MAEU', 'CMAU', 'OOLU', 'EGHU'))}{rng.randrange(10**6):06d}"
    return body + str(iso6346.calc_check_digit(body))


def _enterprise(session: Session, code: str, name: str, role: str) -> EnterpriseRow:
    ent = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == code))
    if ent is None:
        ent, _ = org.add_enterprise(session, tax_code=code, name=name, roles=[role], actor="demo")
    return ent


def _operator(
    session: Session, rng: random.Random, unit: str, i: int, name: str, kind: LocationKind
) -> OperatorRow:
    op = OperatorRow(
        id=new_id(),
        tax_code=tax_code(rng),
        name=name,
        unit=unit,
        connection_status=Connection.LIVE,
        transactions_per_day=rng.randint(20, 1500),
        annual_teu=rng.randint(0, 900_000) if kind != LocationKind.AIRPORT_CARGO_TERMINAL else 0,
        annual_tonnes=rng.randint(5_000, 3_000_000),
        declarations_per_year=rng.randint(2_000, 250_000),
        it_readiness=rng.randint(1, 5),
        survey_notes="demo: survey figures drawn at random",
        surveyed_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(op)
    session.flush()  # the location refers to it (no relationship orders the inserts)
    session.add(
        LocationRow(
            code=f"{unit}{kind.value[:1].upper()}{i:02d}",
            operator_id=op.id,
            name=name,
            kind=kind,
            unit=unit,
            locode=None,
            capacity_teu=rng.randint(500, 20_000),
        )
    )
    return op


def seed_registry(session: Session, *, rng: random.Random) -> list[OperatorRow]:
    known = {u for (u,) in session.execute(select(UnitRow.code))}
    ops = []
    for dept, subs in REGISTRY_2018.items():
        for unit, count in subs:
            if unit not in known:
                raise ValueError(f"unit {unit} (department {dept}) is not loaded: load the hierarchy first")
            names = NAMED.get(unit, [])
            for i in range(count):
                name, kind = (
                    names[i] if i < len(names) else (f"Kho bãi {unit}-{i + 1:02d}", rng.choice(OTHER_KINDS))
                )
                ops.append(_operator(session, rng, unit, i + 1, name, kind))
    session.flush()
    return ops


def play_vessel(session: Session, *, rng: random.Random, location: str) -> dict[str, Any]:
    """The manifest arrives 54 h ago for an arrival 24 h ago; the containers gate in 22 h ago and one tries
    to leave 20 h ago (the clock is frozen at each step, then thawed)."""
    start = clock.now()
    try:
        return _play(session, rng=rng, location=location, start=start)
    finally:
        clock.freeze(None)


def _play(session: Session, *, rng: random.Random, location: str, start: datetime) -> dict[str, Any]:
    clock.freeze(start - timedelta(hours=54))
    carrier = org.enterprise_principal(_enterprise(session, DEMO_CARRIER, "Hãng tàu Vinalines", "carrier"))
    terminal = _enterprise(session, DEMO_TERMINAL, "Cảng Hải Phòng", "terminal_operator")
    loc = session.get(LocationRow, location)
    assert loc is not None
    op = session.get(OperatorRow, loc.operator_id)
    assert op is not None
    op.enterprise_id, op.tax_code = terminal.id, terminal.tax_code
    conts = [(container(rng), f"VN{rng.randrange(10**6):06d}") for _ in range(3)]
    bills = [
        {
            "number": f"HPH{rng.randrange(10**7):07d}",
            "consignee_tax_code": "0101248141",
            "description": "Linh kiện điện tử / electronic parts",
            "hs_codes": ["854231"],
            "package_count": rng.randint(20, 300),
            "gross_mass_kg": str(rng.randint(3000, 22000)),
            "containers": [{"number": c, "seal": s, "iso_type": "45G1"}],
        }
        for c, s in conts
    ]
    data = ManifestIn.model_validate(
        {
            "reference": f"DEMO-{rng.randrange(10**6):06d}",
            "mode": "sea",
            "vessel": "VINALINES DIAMOND",
            "voyage": "0426N",
            "loading_port": "CNSHA",
            "discharge_port": "VNHPH",
            "location_code": location,
            "expected_arrival": (start - timedelta(hours=24)).isoformat(),
            "bills": bills,
        }
    )
    m = cargo.submit(session, principal=carrier, data=data, scorer=default_scorer())
    clock.freeze(start - timedelta(hours=22))
    now = clock.now().isoformat()
    gi = [
        {
            "message_id": f"DEMO-GI-{i}",
            "kind": "gate_in",
            "location": location,
            "at": now,
            "container": c,
            "seal": s,
        }
        for i, (c, s) in enumerate(conts)
    ]
    principal = org.enterprise_principal(terminal)
    gate_in = apply_batch(session, principal=principal, incoming=[Incoming(x) for x in gi])
    c, s = conts[0]
    clock.freeze(start - timedelta(hours=20))
    now = clock.now().isoformat()
    early = apply_batch(
        session,
        principal=principal,
        incoming=[
            Incoming(
                {
                    "message_id": "DEMO-GO-0",
                    "kind": "gate_out",
                    "location": location,
                    "at": now,
                    "container": c,
                    "seal": s,
                    "destination": "inland",
                }
            )
        ],
    )
    return {
        "manifest": m.reference,
        "manifest_id": m.id,
        "office": loc.unit,
        "vessel": data.vessel,
        "voyage": data.voyage,
        "containers": [x for x, _ in conts],
        "gated_in": sum(r.status == "applied" for r in gate_in),
        "early_exit": early[0].status,
        "reasons": [r["code"] for r in early[0].reasons],
        "bill": bills[0]["number"],
        "bills": [
            {
                "goods_id": b["number"],
                "container": c,
                "seal": s,
                "package_count": b["package_count"],
                "gross_mass_kg": b["gross_mass_kg"],
            }
            for b, (c, s) in zip(bills, conts, strict=True)
        ],
    }


def seed(session: Session, *, rng: random.Random) -> dict[str, Any]:
    """Register the 2018 operators and play one vessel at Hải Phòng (the caller commits)."""
    ops = seed_registry(session, rng=rng)
    first = session.scalar(
        select(LocationRow.code)
        .where(LocationRow.unit == "03CC", LocationRow.kind == LocationKind.SEAPORT)
        .order_by(LocationRow.code)
        .limit(1)
    )
    assert first is not None
    story = play_vessel(session, rng=rng, location=first)
    return {"operators": len(ops), "location": first, **story}
