"""The demo airline's flight to Đà Nẵng: Vietnam Airlines files flight VN441 from Seoul with its cargo as
CUSCAR and its passengers and crew as PAXLST, through the same reception as the EDIFACT API; one passenger
is on the persons watch list (a suspect of a smuggling case), another resembles a watched name, and both
are flagged before arrival for the Đà Nẵng targeting officer only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from haiquan.cargo.schemas import ManifestIn
from haiquan.cargo.screening import default_scorer
from haiquan.conveyances import cuscar, inbound, paxlst, repository, targeting
from haiquan.conveyances.schemas import ConveyanceIn, PersonWatchIn
from haiquan.interchange import edifact
from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED
from haiquan.kit.db import Database, new_id
from haiquan.organization import service as org
from haiquan.organization.officers import by_username
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk.prearrival import with_profiles
from haiquan.supervision.tables import LocationRow, OperatorRow

AIRLINE = ("0100107518", "Tổng Công ty Hàng không Việt Nam (Vietnam Airlines)")
TARGETING_OFFICER = ("soichieu_dn", "34", "Trương Thị Soi Chiếu")
AIRPORT = "34ABS01"
FLIGHT = "VN441"

PASSENGERS = [  # family, given, birth, sex, nationality, document, seat
    ("PARK", "JI HOON", "1984-03-02", "M", "KOR", "M70112233", "2A"),
    ("LÊ", "VĂN TUẤN", "1981-11-19", "M", "VNM", "C2039911", "14C"),  # on the watch list (exact document)
    ("QUÁCH", "THỊ LAN ANH", "1995-06-30", "F", "VNM", "C7788123", "14D"),
    ("CHOI", "MIN SEO", "1990-01-15", "F", "KOR", "M55667788", "21F"),
    ("WONG", "KAR WAI", "1977-08-08", "M", "HKG", "K12345678", "30A"),  # resembles a watched name (fuzzy)
    ("TRẦN", "QUỐC BẢO", "2001-12-24", "M", "VNM", "C5566778", "31B"),
]
CREW = [
    ("TRƯƠNG", "MỸ LINH", "1975-05-05", "F", "VNM", "VNC001122"),
    ("KIỀU", "THẾ VINH", "1988-09-09", "M", "VNM", "VNC003344"),
]
BILLS = [("Mobile phone parts", "851779", 40, "620.5"), ("Cosmetics", "330499", 12, "180"),
         ("Dried squid", "030749", 25, "410")]  # fmt: skip
WATCH = [
    {"name": "Le Van Tuan", "nationality": "VNM", "document_number": "C2039911",
     "reason": "Suspect in the 2026 gold smuggling case at Đà Nẵng airport", "source": "enforcement case DN-2026-07"},
    {"name": "Wong Karwai", "nationality": "HKG",
     "reason": "Courier named by a partner administration", "source": "ASEAN alert 2026/112"},
]  # fmt: skip


def _person(row: tuple[str, ...], seat: str = "") -> dict[str, Any]:
    family, given, born, sex, nat, doc = row[:6]
    return {"family_name": family, "given_names": given, "date_of_birth": born, "sex": sex, "nationality": nat,
            "document_type": "P", "document_number": doc, "document_country": nat, "seat": seat,
            "embarkation_port": "KRSEL", "disembarkation_port": "VNDAD"}  # fmt: skip


def _setup(db: Database, password: str) -> str:
    """The airline (a carrier: its API key returned), the airport's cargo terminal (UN/LOCODE VNDAD) and a
    targeting officer."""
    with db.unit_of_work() as uow:
        s = uow.session
        key = ""
        if s.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == AIRLINE[0])) is None:
            _, key = org.add_enterprise(
                s, tax_code=AIRLINE[0], name=AIRLINE[1], roles=["carrier"], actor="demo"
            )
        op = OperatorRow(id=new_id(), tax_code="0400100390", name="Cảng hàng không quốc tế Đà Nẵng", unit="34AB",
                         connection_status="live", updated_at=clock.now())  # fmt: skip
        s.add(op)
        s.flush()
        s.add(LocationRow(code=AIRPORT, operator_id=op.id, name="Nhà ga hàng hóa Đà Nẵng", kind="airport",
                          unit="34AB", locode="VNDAD"))  # fmt: skip
        username, unit, name = TARGETING_OFFICER
        org.add_officer(s, username=username, unit=unit, role="targeting_officer", password=password,
                        full_name=name, actor="demo")  # fmt: skip
        uow.commit()
    return key


def _messages() -> tuple[str, str]:
    arrival = clock.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    manifest = ManifestIn.model_validate({
        "reference": f"{FLIGHT}-{arrival:%Y%m%d}", "mode": "air", "vessel": "VN-A867", "voyage": FLIGHT,
        "loading_port": "KRSEL", "discharge_port": "VNDAD", "location_code": AIRPORT, "expected_arrival": arrival,
        "bills": [
            {"number": f"738-{n:08d}", "cargo_type": "package", "consignee_tax_code": "0101248141",
             "description": d, "hs_codes": [hs], "package_count": p, "gross_mass_kg": kg}
            for n, (d, hs, p, kg) in enumerate(BILLS, start=41100)
        ],
    })  # fmt: skip
    report = ConveyanceIn.model_validate({
        "reference": manifest.reference, "direction": "arrival", "mode": "air", "craft_id": "VN-A867",
        "craft_name": "AIRBUS A350-900", "voyage": FLIGHT, "departure_port": "KRSEL", "arrival_port": "VNDAD",
        "scheduled_at": arrival, "crew_count": len(CREW), "passenger_count": len(PASSENGERS),
        "crew": [_person(c) for c in CREW], "passengers": [_person(p[:6], p[6]) for p in PASSENGERS],
    })  # fmt: skip
    now = clock.now()
    return (cuscar.write(manifest, sender="VNAIRCARGO", control_ref="DEMO441C", prepared=now),
            paxlst.write(report, sender="VNAIRAPI", control_ref="DEMO441P", prepared=now))  # fmt: skip


def seed(db: Database, *, password: str) -> dict[str, Any]:
    """Set up, put two persons on the watch list, and file the flight's CUSCAR and PAXLST."""
    key = _setup(db, password)
    cus, pax = _messages()
    with db.unit_of_work() as uow:
        s = uow.session
        officer = org.officer_principal(s, by_username(s, TARGETING_OFFICER[0]))
        for w in WATCH:
            targeting.add_watch(s, principal=officer, data=PersonWatchIn.model_validate(w))
        airline = org.enterprise_principal(org.enterprise_by_tax_code(s, AIRLINE[0]))
        scorer = with_profiles(default_scorer(), s)
        manifests = inbound.receive_cuscar(s, principal=airline, ic=edifact.parse(cus), scorer=scorer)
        report = inbound.receive_paxlst(s, principal=airline, ic=edifact.parse(pax))
        flagged = repository.flagged_counts(s, [report.id], scope=UNSCOPED).get(report.id, 0)
        out = {"flight": FLIGHT, "conveyance_id": report.id, "manifest": manifests[0].reference,
               "bills": len(BILLS), "passengers": report.passenger_count, "flagged": flagged, "airline_key": key}  # fmt: skip
        uow.commit()
    return out


def describe(flight: dict[str, Any]) -> list[str]:
    if not flight:
        return []
    return [
        f"Flight {flight['flight']} Seoul → Đà Nẵng: cargo by CUSCAR (manifest {flight['manifest']}, "
        f"{flight['bills']} air waybills), {flight['passengers']} passengers by PAXLST; {flight['flagged']} "
        f"flagged before arrival, seen only by the targeting officer {TARGETING_OFFICER[0]} at /conveyances/screening.",
    ]
