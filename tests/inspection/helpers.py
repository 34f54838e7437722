"""Helpers of the inspection tests: a small PNG made here, and a location carried through its workflow."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from typing import Any

from tests.support import World

BASE = "/api/v1/inspection"
OPERATOR = "0100109106"  # an express company in the test world
OTHER = "0101248141"


def png(width: int = 24, height: int = 16, shade: int = 40) -> bytes:
    """A grey PNG with a dark square in the middle (what a scanner's image of a parcel might show)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + bytes(shade if width // 3 < x < 2 * width // 3 and height // 3 < y < 2 * height // 3 else 200
                        for x in range(width))
        for y in range(height)
    )  # fmt: skip
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def location_body(**over: Any) -> dict[str, Any]:
    body = {
        "kind": "express_warehouse", "name": "Kho chuyển phát nhanh Nội Bài", "unit": "01AB",
        "address": "Khu hàng hoá, Cảng hàng không quốc tế Nội Bài, Sóc Sơn, Hà Nội",
        "area_m2": "2500.5", "scanners": 2, "cameras": 24,
    }  # fmt: skip
    return body | over


def apply(world: World, who: str = OPERATOR, **over: Any) -> dict[str, Any]:
    r = world.post(f"{BASE}/locations", world.ent(who), location_body(**over))
    assert r.status_code == 201, r.text
    return dict(r.json())


def approved(world: World, who: str = OPERATOR, **over: Any) -> dict[str, Any]:
    loc = apply(world, who, **over)
    r = world.post(f"{BASE}/locations/{loc['id']}/check", world.off("nb_officer1"), {"passed": True})
    assert r.status_code == 200, r.text
    r = world.post(f"{BASE}/locations/{loc['id']}/decision", world.off("hn_leader"), {"decision": "approve"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def scanner(
    world: World, loc: dict[str, Any], serial: str = "NUC-XR-01", who: str = OPERATOR
) -> dict[str, Any]:
    r = world.post(
        f"{BASE}/locations/{loc['id']}/scanners", world.ent(who), {"serial": serial, "model": "X-ray 100100"}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def store(world: World, headers: dict[str, str], data: bytes, content_type: str = "image/png") -> Any:
    body = {"content_type": content_type, "data": base64.b64encode(data).decode()}
    return world.client.post(f"{BASE}/images", json=body, headers=headers)


def scan_body(loc: dict[str, Any], image: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {
        "location_code": loc["code"], "image": image, "verdict": "suspicious",
        "note": "Khối đặc không khai báo", "scanned_at": "2026-12-06T08:00:00+07:00",
    }  # fmt: skip
    return body | over
