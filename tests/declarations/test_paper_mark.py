"""A declaration captured from paper is marked as such, through HTTP on SQLite and PostgreSQL: the officer's
API answer carries its `paper` object (number, reason, back-capture, who captured it and when), its page a
"Tờ khai giấy" badge with the same; an electronic declaration has none; traders and other units do not read it."""

from __future__ import annotations

from typing import Any

from tests.declarations.test_paper import URL, paper
from tests.support import World, import_declaration
from tests.web.helpers import login


def captured(world: World) -> str:
    r = world.post(URL, world.off("nb_officer1"), paper(paper_number="HQ01AB/0042"))
    assert r.status_code == 201, r.text
    return str(r.json()["number"])


def test_the_officers_answer_carries_the_paper_mark(world: World) -> None:
    number = captured(world)
    for who in ("nb_officer1", "hn_leader"):
        r = world.client.get(f"/api/v1/declarations/{number}", headers=world.off(who))
        assert r.status_code == 200, r.text
        mark = r.json()["paper"]
        assert (mark["paper_number"], mark["reason"], mark["back_captured"], mark["captured_by"]) == (
            "HQ01AB/0042", "system_outage", True, "officer:nb_officer1")  # fmt: skip
        assert mark["paper_lodged_at"].startswith("2026-12-05T02:30:00")
        assert mark["captured_at"]
    trader = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0101248141"))
    assert (trader.status_code, trader.json()["paper"]) == (200, None)
    assert (
        world.client.get(f"/api/v1/declarations/{number}", headers=world.off("hp_officer")).status_code == 404
    )


def test_an_electronic_declaration_has_no_paper_mark(world: World) -> None:
    lodged = world.lodge(import_declaration())
    assert lodged.status_code == 201, lodged.text
    number = lodged.json()["number"]
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.off("nb_officer1"))
    assert r.json()["paper"] is None
    login(world.client, "nb_officer1")
    page = world.client.get(f"/declarations/{number}")
    assert page.status_code == 200
    assert 'id="paper"' not in page.text


def test_the_page_shows_the_badge_with_the_reason_and_the_paper_number(world: World, app: Any) -> None:
    number = captured(world)
    login(world.client, "nb_officer1")
    page = world.client.get(f"/declarations/{number}")
    assert page.status_code == 200, page.text
    assert 'id="paper"' in page.text
    for text in ("Tờ khai giấy", "Nhập bổ sung sau sự cố", "HQ01AB/0042", "Hệ thống hải quan gặp sự cố"):
        assert text in page.text
    en = world.client.get(f"/declarations/{number}", params={"lang": "en"})
    for text in ("Paper declaration", "Back-captured after an outage", "Customs system outage"):
        assert text in en.text
    login(world.client, "hp_officer")
    assert world.client.get(f"/declarations/{number}").status_code == 404
