"""The demo's low-value goods: a flight of 3,000 parcels lodged in one bulk and cleared (one is named for
the inspection demo's scanner: tests/inspection/test_demo.py), and a post office's bag, seen through the API
by the express company and an officer."""

from __future__ import annotations

import random
from typing import Any

from haiquan.demo import lowvalue as demo
from tests.support import World


def test_the_demo_flight_and_bag(app: Any, world: World) -> None:
    out = demo.seed(app.state.db, app.state.settings, rng=random.Random(7), parcels=3000)
    assert out["flight"]["accepted"] == 3000
    assert out["bag"]["accepted"] == 40
    express = {"Authorization": f"Bearer {out['express_key']}"}
    held = world.client.get("/api/v1/lowvalue/parcels?status=held", headers=express).json()["items"]
    assert held == []  # the lanes' holds were released; the scanner's comes with the inspection demo
    to_scan = out["flight"]["to_scan"]
    parcel = world.client.get(f"/api/v1/lowvalue/parcels/{to_scan['number']}", headers=express).json()
    assert parcel["status"] == "cleared"
    officer = world.off("nb_officer1")
    page = world.client.get("/api/v1/lowvalue/parcels?limit=500", headers=officer).json()
    assert len(page["items"]) == 500
    assert page["next_cursor"] is not None
    post = {"Authorization": f"Bearer {out['post_key']}"}
    bag = world.client.get("/api/v1/lowvalue/parcels", headers=post).json()["items"]
    assert len(bag) == 40
    assert {p["bag"] for p in bag} == {"CNPEKAVNHANAAUN60001001"}
    assert demo.describe(out)[0].startswith("Express flight VN513 at 01AB: 3000 parcels")
