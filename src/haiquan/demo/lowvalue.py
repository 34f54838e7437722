"""Demo low-value goods, through the same services the API uses: an express company's flight of 3,000
parcels lodged in bulk at Nội Bài (one held by a scanner image, the rest cleared), and a post office's bag.
The parcels are also what benchmarks/lowvalue.py sends."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.lowvalue import intake, service
from haiquan.lowvalue.domain import Lane, Thresholds
from haiquan.lowvalue.schemas import ExpressManifestIn, PostalDispatchIn
from haiquan.organization import service as org
from haiquan.risk import watch

EXPRESS = ("0104093672", "Công ty TNHH Chuyển phát nhanh Sao Mai (demo)")
POST = ("0102595740", "Tổng công ty Bưu điện Việt Nam (demo)")
GOODS = [  # HS code, description, USD per unit range, kg range
    ("610910", "Áo thun cotton / cotton T-shirts", (5, 18), (0.2, 0.6)),
    ("640411", "Giày thể thao / sports shoes", (12, 35), (0.6, 1.4)),
    ("851830", "Tai nghe / headphones", (6, 30), (0.1, 0.4)),
    ("330499", "Mỹ phẩm / cosmetics", (4, 25), (0.1, 0.5)),
    ("950300", "Đồ chơi / toys", (3, 20), (0.2, 1.0)),
    ("420222", "Túi xách / handbags", (8, 30), (0.3, 0.9)),
]
NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Thu Hà", "Quốc Huy", "Ngọc Lan", "Đức Minh", "Thanh Tâm"]
STREETS = [
    "Hàng Bài, Hoàn Kiếm",
    "Cầu Giấy",
    "Láng Hạ, Đống Đa",
    "Kim Mã, Ba Đình",
    "Nguyễn Trãi, Thanh Xuân",
]


def parcel(rng: random.Random, n: int) -> dict[str, Any]:
    """One parcel's fields as an integrator sends them (values in USD, below the MIC threshold)."""
    hs, text, (lo, hi), (klo, khi) = rng.choice(GOODS)
    return {
        "consignee_name": f"{rng.choice(NAMES)} {rng.choice(GIVEN)}",
        "consignee_address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, Hà Nội",
        "description": text,
        "hs_code": hs,
        "country": rng.choice(["CN", "CN", "CN", "KR", "JP", "US"]),
        "value": f"{rng.uniform(lo, hi):.2f}",
        "currency": "USD",
        "weight_kg": f"{rng.uniform(klo, khi):.3f}",
    }


def express_manifest(
    rng: random.Random, count: int, *, start: int = 0, master: str = "738-10000013"
) -> dict[str, Any]:
    items = [parcel(rng, n) | {"house_awb": f"SM{start + n:09d}"} for n in range(count)]
    return {
        "master_awb": master,
        "flight": "VN513",
        "flight_date": clock.today_vn().isoformat(),
        "office": "01AB",
        "direction": "import",
        "items": items,
    }


def postal_dispatch(rng: random.Random, count: int) -> dict[str, Any]:
    items = [
        parcel(rng, n) | {"item_id": f"EE{100000000 + n:09d}VN", "bag": "CNPEKAVNHANAAUN60001001"}
        for n in range(count)
    ]
    today = clock.today_vn()
    return {
        "dispatch": f"CNPEKAVNHANAAUN{today:%y}001",
        "transport": "CA741",
        "dispatch_date": today.isoformat(),
        "office": "01AB",
        "direction": "import",
        "items": items,
    }


def seed(db: Database, settings: Settings, *, rng: random.Random, parcels: int = 3000) -> dict[str, Any]:
    """The express company and the post (API keys returned), the flight, the bag; the parcels the lanes held
    on lodging released by an officer, so that the rest are cleared. One cleared parcel is named `to_scan`:
    the demo's warehouse scanner (haiquan.demo.inspection) flags its image, which holds it."""
    keys = _carriers(db)
    flight = _lodge(
        db, settings, EXPRESS[0], ExpressManifestIn.model_validate(express_manifest(rng, parcels))
    )
    postal = postal_dispatch(rng, 40)
    bag = _lodge(db, settings, POST[0], PostalDispatchIn.model_validate(postal))
    held = [r.number for r in flight.items if r.lane is not Lane.GREEN and r.number]
    to_scan = next(r for r in flight.items if r.lane is Lane.GREEN and r.number)
    with db.unit_of_work() as uow:
        for number in held:
            service.release_parcel(
                uow.session,
                number=number,
                reason="Kiểm tra hồ sơ đạt",
                actor="officer:noibai_1",
                scope=UNSCOPED,
            )
        uow.commit()
    return {
        "express_key": keys[EXPRESS[0]],
        "post_key": keys[POST[0]],
        "flight": {
            "accepted": flight.accepted,
            "released_after_check": len(held),
            "to_scan": {"number": to_scan.number, "house_bill": to_scan.key},
        },
        "bag": {"accepted": bag.accepted, "dispatch": postal["dispatch"]},
    }


def _carriers(db: Database) -> dict[str, str]:
    keys = {}
    with db.unit_of_work() as uow:
        for tax, name in (EXPRESS, POST):
            _, keys[tax] = org.add_enterprise(
                uow.session, tax_code=tax, name=name, roles=["carrier"], actor="demo"
            )
        uow.commit()
    return keys


def _lodge(db: Database, settings: Settings, tax: str, body: ExpressManifestIn | PostalDispatchIn) -> Any:
    limits = Thresholds(
        Decimal(settings.lowvalue_mic_threshold_vnd), Decimal(settings.lowvalue_mec_threshold_vnd)
    )
    with db.unit_of_work() as uow:
        principal = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax))
        watched = watch.load_sets(uow.session)
        prepared = intake.prepare(uow.session, body=body, thresholds=limits, watched=watched)
        out = intake.lodge(uow.session, principal=principal, prepared=prepared)
        uow.commit()
    return out


def describe(result: dict[str, Any]) -> list[str]:
    flight, bag = result["flight"], result["bag"]
    return [
        f"Express flight VN513 at 01AB: {flight['accepted']} parcels lodged in one bulk (MIC);"
        f" {flight['released_after_check']} checked and released"
        + (
            f", parcel {flight['held_by_scanner']} held by a scanner image"
            if flight.get("held_by_scanner")
            else ""
        )
        + ", the rest cleared (GET /api/v1/lowvalue/parcels?status=held).",
        f"Post office bag: {bag['accepted']} postal items lodged (dispatch {bag['dispatch']}, one bag).",
    ]
