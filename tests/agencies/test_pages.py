"""The agency's pages through HTTP: its pending requests (its scope only), the decision form (CSRF, the
field named on a bad decision, nothing changed), customs officers refused there and agency staff refused on
customs pages; the declaration page and the queue show the second colour."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agencies.helpers import (
    DECLARANT,
    PPD_OFFICER,
    agencies_world,
    permits_of,
    registered_apples,
    status_of,
)
from tests.support import World
from tests.web.helpers import csrf_of, login


@pytest.fixture
def aw(world: World, app: Any) -> World:
    return agencies_world(world, app)


def _login(aw: World, username: str) -> None:
    r = login(aw.client, username)
    assert r.status_code == 303, r.text


def test_the_plant_quarantine_officer_approves_on_the_page_and_the_declaration_clears(
    aw: World, app: Any
) -> None:
    number = registered_apples(aw, app)
    aw.post(f"/api/v1/declarations/{number}/register", aw.ent(DECLARANT), None)
    permit = permits_of(aw, number, aw.ent(DECLARANT))[0]
    _login(aw, PPD_OFFICER)
    listing = aw.client.get("/agency")
    assert listing.status_code == 200
    assert number in listing.text
    assert "Kiểm dịch thực vật quả tươi" in listing.text
    form = aw.client.get(f"/agency/permits/{permit['id']}")
    assert form.status_code == 200
    token = csrf_of(form.text)
    bad = aw.client.post(
        f"/agency/permits/{permit['id']}/decision",
        data={"csrf": token, "outcome": "approved"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'data-field="lab_reference"' in bad.text
    assert permits_of(aw, number, aw.ent(DECLARANT))[0]["status"] == "requested"
    ok = aw.client.post(
        f"/agency/permits/{permit['id']}/decision",
        data={"csrf": token, "outcome": "approved", "lab_reference": "KD-2026-1"},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    assert status_of(aw, number) == "duty_payment_reference_issued"  # green: approved, duties still due
    assert aw.client.get("/agency").text.count(number) == 0


def test_a_decision_without_csrf_is_refused(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit = permits_of(aw, number, aw.ent(DECLARANT))[0]
    _login(aw, PPD_OFFICER)
    r = aw.client.post(f"/agency/permits/{permit['id']}/decision", data={"outcome": "approved"})
    assert r.status_code == 403
    assert permits_of(aw, number, aw.ent(DECLARANT))[0]["status"] == "requested"


def test_customs_officers_are_refused_on_agency_pages_and_agency_staff_on_customs_pages(
    aw: World, app: Any
) -> None:
    registered_apples(aw, app)
    _login(aw, "nb_officer1")
    assert aw.client.get("/agency").status_code == 403
    _login(aw, PPD_OFFICER)
    assert aw.client.get("/queue").status_code == 403
    assert (
        aw.client.get(
            "/api/v1/declarations", headers={"Authorization": f"Bearer {aw.client.cookies.get('hq_session')}"}
        )
        .json()
        .get("items", [])
        == []
    )


def test_the_declaration_page_and_the_queue_show_the_missing_permit(aw: World, app: Any) -> None:
    number = registered_apples(aw, app, lane="yellow")
    _login(aw, "nb_leader")
    page = aw.client.get(f"/declarations/{number}")
    assert page.status_code == 200
    assert 'id="permits"' in page.text
    assert "Cục Bảo vệ thực vật (PPD)" in page.text
    queue = aw.client.get("/queue")
    assert "agency-hold" in queue.text


def test_agency_staff_see_only_their_own_entry_in_the_navigation(aw: World) -> None:
    _login(aw, PPD_OFFICER)
    page = aw.client.get("/agency")
    assert 'href="/agency"' in page.text
    assert 'href="/queue"' not in page.text
