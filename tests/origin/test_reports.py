"""ATIGA preference claims on the leaders' dashboard, from origin's own events (SQLite and PostgreSQL): a
declaration lodged before its certificate is pending; a late certificate that does not match refuses it with
the duty at stake; one lodged on a matching certificate is accepted. Each leader sees only their units."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.kit.clock import today_vn
from haiquan.kit.outbox import Consumer
from haiquan.organization.service import load_tree
from haiquan.origin import building
from haiquan.origin.catalogue import OriginEvent
from haiquan.reports import handlers, queries
from haiquan.reports.tables import OpenPreferenceRow
from tests.origin.conftest import NOW, Asw, delivered, tshirts
from tests.web.helpers import login

PREFERENCE_EVENTS = (
    OriginEvent.CERTIFICATE_MATCHED,
    OriginEvent.PREFERENCE_REFUSED,
    OriginEvent.PREFERENCE_DEFERRED,
)
STAKE = Decimal(4000 * 26000) * Decimal("0.20") * Decimal("1.08")  # MFN 20 % (ATIGA 0 %), and the VAT on it


def lodged(asw: Asw, body: dict[str, Any]) -> str:
    r = asw.world.lodge(body)
    assert r.status_code == 201, r.text
    return str(r.json()["number"])


def figure(asw: Asw, who: str, **params: str) -> Any:
    r = asw.world.client.get("/api/v1/reports/preferences", params=params, headers=asw.world.off(who))
    return r


def claims_of_the_story(asw: Asw) -> None:
    """At Nội Bài: one pending then refused when its certificate comes (quantity), one accepted and one
    refused as they are lodged; at North Hà Nội: one pending."""
    lodged(asw, tshirts())
    lodged(asw, tshirts("TH2026-0009999") | {"office": "01TE"})
    delivered(asw, building.example(items=[building.example()["items"][0] | {"quantity": "5000"}]))
    lodged(asw, tshirts(quantity="5000"))
    lodged(asw, tshirts(quantity="1000"))  # the certificate says 5000
    asw.app.state.dispatcher.run_once()


def test_claims_accepted_refused_pending_by_scope(asw: Asw) -> None:
    claims_of_the_story(asw)
    nb = figure(asw, "nb_leader")
    assert nb.status_code == 200, nb.text
    p = nb.json()["preferences"]
    assert (p["accepted"], p["refused"], p["pending"]) == (1, 2, 0)
    assert Decimal(p["duty_at_stake"]) == 2 * STAKE
    (reason,) = p["refused_by_reason"]
    assert (reason["reason"], reason["refused"], Decimal(reason["duty_at_stake"])) == (
        "certificate_mismatch", 2, 2 * STAKE)  # fmt: skip
    assert figure(asw, "nb_leader", unit="01").status_code == 403  # above a sub-department leader's scope
    assert figure(asw, "nb_leader", unit="01TE").status_code == 403
    hn = figure(asw, "hn_leader", unit="01").json()["preferences"]
    assert (hn["accepted"], hn["refused"], hn["pending"]) == (1, 2, 1)
    te = figure(asw, "hn_leader", unit="01TE").json()["preferences"]
    assert (te["accepted"], te["refused"], te["pending"], te["refused_by_reason"]) == (0, 0, 1, [])
    assert figure(asw, "hp_leader", unit="01").status_code == 403
    hp = figure(asw, "hp_leader").json()["preferences"]
    assert (hp["accepted"], hp["refused"], hp["pending"]) == (0, 0, 0)


def test_the_pre_summed_rows_and_the_offices_rows_agree(asw: Asw) -> None:
    claims_of_the_story(asw)
    with asw.app.state.db.unit_of_work() as uow:
        tree = load_tree(uow.session)
        v = queries.view(tree, Scope(units=None), node="01", start=today_vn(), end=today_vn(), home=None)
        fn = queries.FIGURES["preferences"]
        assert fn(uow.session, v) == fn(uow.session, replace(v, whole=False))
        assert uow.session.scalar(select(func.count()).select_from(OpenPreferenceRow)) == 1


def test_each_event_is_counted_once(asw: Asw) -> None:
    """The rollups' consumer takes origin's verdicts; run again, it counts nothing twice."""
    claims_of_the_story(asw)
    asw.app.state.dispatcher.run_once()
    (consumer,) = [c for c in handlers.consumers() if isinstance(c, Consumer)]
    assert set(PREFERENCE_EVENTS) <= consumer.types
    hn = figure(asw, "hn_leader", unit="01").json()["preferences"]
    assert (hn["accepted"], hn["refused"], hn["pending"]) == (1, 2, 1)


def test_the_dashboard_shows_the_claims(asw: Asw) -> None:
    claims_of_the_story(asw)
    login(asw.world.client, "hn_leader")
    page = asw.world.client.get("/reports")
    assert page.status_code == 200
    assert 'id="preferences"' in page.text
    assert "1 yêu cầu ưu đãi được chấp nhận, 2 bị từ chối" in page.text
    assert "C/O không khớp tờ khai" in page.text


def test_a_claim_whose_certificate_never_came_leaves_the_pending_for_the_refused(asw: Asw) -> None:
    lodged(asw, tshirts())
    asw.app.state.dispatcher.run_once()
    assert figure(asw, "nb_leader").json()["preferences"]["pending"] == 1
    clock.freeze(NOW + timedelta(days=367))
    assert asw.app.state.origin_duty.run_once() == (1, 0)
    asw.app.state.dispatcher.run_once()
    asw.world.tokens.clear()  # a year on: the leader logs in again
    day = today_vn().isoformat()
    p = figure(asw, "nb_leader", date_from=day, date_to=day).json()["preferences"]
    assert (p["accepted"], p["refused"], p["pending"]) == (0, 1, 0)
    assert p["refused_by_reason"][0]["reason"] == "certificate_not_received"
    assert Decimal(p["refused_by_reason"][0]["duty_at_stake"]) == STAKE
