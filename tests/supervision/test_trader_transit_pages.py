"""The officers' transit pages through HTTP: the departure office accepts on the page, the destination
office sees the transit under "arriving" and records the arrival (the field named on a bad form), a third
office gets the not-found page; the officer-permitted transit is visible to its destination office too."""

from __future__ import annotations

from typing import Any

from tests.supervision.test_trader_transits import FROM, TO, declared
from tests.support import World
from tests.web.helpers import csrf_of, login


def _as(world: World, username: str) -> None:
    world.client.cookies.clear()
    assert login(world.client, username).status_code == 303


def test_departure_accepts_and_destination_closes_on_the_pages(world: World, app: Any) -> None:
    t = declared(world, duty_amount="0", guarantee=None)
    page = f"/supervision/transits/{t['id']}"
    _as(world, "hp_officer")
    listing = world.client.get("/supervision/transits")
    assert listing.status_code == 200
    assert t["number"] in listing.text
    assert "Đi từ đơn vị" in listing.text
    form = world.client.get(page)
    assert "Chấp nhận cho vận chuyển" in form.text
    assert "Xác nhận hàng đến" not in form.text
    r = world.client.post(f"{page}/accept", data={"csrf": csrf_of(form.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    _as(world, "tn_officer")
    listing = world.client.get("/supervision/transits?lang=en")
    arriving = listing.text.split('id="arriving"')[1].split('id="leaving"')[0]
    assert t["number"] in arriving
    assert "Arriving at my units" in listing.text
    form = world.client.get(f"{page}?lang=vi")
    assert "Xác nhận hàng đến" in form.text
    assert "Chấp nhận cho vận chuyển" not in form.text
    token = csrf_of(form.text)
    r = world.client.post(f"{page}/arrival", data={"csrf": token, "seals_found": "x" * 41})
    assert r.status_code == 422
    assert 'id="err-seals_found"' in r.text
    r = world.client.post(
        f"{page}/arrival", data={"csrf": token, "seals_found": "VN123456\n"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    done = world.client.get(page)
    assert "Đã đến" in done.text
    assert "Seal nguyên vẹn" in done.text
    _as(world, "nb_officer1")
    assert world.client.get(page).status_code == 404
    assert t["number"] not in world.client.get("/supervision/transits").text
    assert (t["departure_office"], t["destination_office"]) == (FROM, TO)
