"""A world with Hải Phòng port connected (VNHPH supervised by 03CC), a targeting officer there and one at
Nội Bài, and request bodies for a vessel's arrival with its crew and passengers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from haiquan.organization import service as org
from tests.supervision.helpers import CARRIER, connect_terminal
from tests.support import PASSWORD, World

TARGETING = "hp_targeting"
OTHER_TARGETING = "nb_targeting"
IMO = "9074729"  # a valid IMO number (check digit 9)

__all__ = ["CARRIER"]


def conveyance_world(world: World, app: Any) -> World:
    connect_terminal(world)
    with app.state.db.unit_of_work() as uow:
        for name, unit in ((TARGETING, "03"), (OTHER_TARGETING, "01AB")):
            org.add_officer(
                uow.session,
                username=name,
                unit=unit,
                role="targeting_officer",
                password=PASSWORD,
                actor="test",
            )
        uow.commit()
    return world


def person(family: str, given: str, doc: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "family_name": family,
        "given_names": given,
        "date_of_birth": "1985-04-12",
        "sex": "M",
        "nationality": "VNM",
        "document_type": "P",
        "document_number": doc,
        "document_country": "VNM",
        "document_expiry": "2030-01-01",
        "seat": "",
        "embarkation_port": "CNSHA",
        "disembarkation_port": "VNHPH",
    }
    body.update(over)
    return body


def arrival(*, reference: str = "ARR-001", passengers: int = 3, crew: int = 2, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "direction": "arrival",
        "mode": "sea",
        "craft_id": f"IMO {IMO}",
        "craft_name": "VINALINES GLORY",
        "voyage": "0426N",
        "departure_port": "CNSHA",
        "arrival_port": "VNHPH",
        "scheduled_at": (datetime.now(UTC) + timedelta(hours=30)).isoformat(),
        "crew_count": crew,
        "passenger_count": passengers,
        "stores": [{"description": "Diesel oil", "quantity": "1200", "unit": "LTR"}],
        "crew": [
            person("Tran", f"Van Thuy{i}", f"C{i:07d}", date_of_birth="1979-01-0" + str(i + 1))
            for i in range(crew)
        ],
        "passengers": [
            person("Pham", f"Thi Khach{i}", f"B{i:07d}", date_of_birth="1990-02-0" + str(i + 1))
            for i in range(passengers)
        ],
    }
    body.update(over)
    return body


AIRPORT = "01ABS01"  # Nội Bài cargo terminal, UN/LOCODE VNHAN, supervised by 01AB


def add_airport(app: Any) -> None:
    """An airport location (VNHAN) under Nội Bài (01AB), owned by the terminal operator connected first."""
    from sqlalchemy import select

    from haiquan.supervision.tables import LocationRow

    with app.state.db.unit_of_work() as uow:
        port = uow.session.scalar(select(LocationRow).where(LocationRow.locode == "VNHPH"))
        assert port is not None
        uow.session.add(
            LocationRow(code=AIRPORT, operator_id=port.operator_id, name="Nội Bài", kind="airport", unit="01AB",
                        locode="VNHAN", capacity_teu=0)
        )  # fmt: skip
        uow.commit()


SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def edifact(world: World, path: str, text: str, who: dict[str, str], accept: str = "application/json") -> Any:
    """POST an interchange; `accept` "" takes the default answer (CONTRL)."""
    headers = {**who, "Content-Type": "application/EDIFACT"}
    if accept:
        headers["Accept"] = accept
    return world.client.post(path, content=text.encode("utf-8"), headers=headers)
