"""The leaders' dashboard sees real supervision traffic: a terminal's gate-in and gate-out messages and an
officer closing an alert, all through the API, move the gate, dwell, in-area and open-alert figures the
department leader reads, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from haiquan.kit import clock
from haiquan.supervision import alerts
from haiquan.supervision.domain import AlertKind
from haiquan.supervision.tables import AlertRow
from tests.supervision.helpers import LOCATION, msg, send
from tests.supervision.test_flow import C1, C2, C3, declare_and_clear, setup_vessel
from tests.support import World

NOW = datetime.now(UTC)  # one instant for every message: gate-in to gate-out is exactly 48 hours


def _at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat()


def _terminal_day(world: World, app: Any) -> None:
    """Three containers gate in, one is refused early (an alert), leaves once cleared after 48 hours; one
    gates in with a seal the manifest does not know (another alert); a repeat and a resend count nothing."""
    setup_vessel(world)
    first = send(
        world,
        [
            msg("GI-1", "gate_in", C1, seal="SEAL1", at=_at(50)),
            msg("GI-2", "gate_in", C2, seal="SEAL2", at=_at(26)),
            msg("GI-3", "gate_in", C3, seal="BAD3", at=_at(26)),  # applied, with a mismatch alert
        ],
    )
    assert (first["applied"], first["results"][2]["reasons"][0]["code"]) == (3, "seal_mismatch"), first
    early = send(world, [msg("GO-1", "gate_out", C1, seal="SEAL1", destination="inland", at=_at(49))])
    assert early["refused"] == 1  # no declaration yet: refused, an alert, not a gate-out
    declare_and_clear(world, app, "HPH0426001", [C1], 100)
    out = [msg("GO-2", "gate_out", C1, seal="SEAL1", destination="inland", at=_at(2))]
    assert send(world, out)["applied"] == 1
    assert send(world, out)["duplicates"] == 1  # a resend
    assert send(world, [msg("GI-4", "gate_in", C2, seal="SEAL2", at=_at(1))])["applied"] == 1  # already in


def _close_refusal(world: World) -> None:
    officer = world.off("hp_officer")
    alerts = world.client.get("/api/v1/supervision/alerts?status=open", headers=officer).json()
    assert sorted(a["kind"] for a in alerts) == ["mismatch", "refused_exit"]
    refusal = next(a["id"] for a in alerts if a["kind"] == "refused_exit")
    r = world.post(f"/api/v1/supervision/alerts/{refusal}/close", officer, {"note": "đã kiểm tra"})
    assert r.status_code == 200, r.text


def _overview(world: World, who: str, unit: str | None = None) -> Any:
    today = clock.today_vn()
    q = f"date_from={today - timedelta(days=4)}&date_to={today}" + (f"&unit={unit}" if unit else "")
    return world.client.get(f"/api/v1/reports/overview?{q}", headers=world.off(who))


def test_the_leaders_dashboard_counts_what_the_terminals_and_officers_did(world: World, app: Any) -> None:
    _terminal_day(world, app)
    _close_refusal(world)
    app.state.dispatcher.run_once()  # the reports consumer, as the in-process dispatcher runs it
    for unit in (None, "03CC"):  # the department leader's own node (03) and the office below it
        r = _overview(world, "hp_leader", unit)
        assert r.status_code == 200, r.text
        dwell, alerts = r.json()["dwell"], r.json()["alerts"]
        assert (dwell["gate_in"], dwell["gate_out"], dwell["in_area"]) == (3, 1, 2), dwell
        assert (dwell["buckets_hours"], dwell["counts"], dwell["p50_hours"]) == ([48], [1], 48), dwell
        assert dwell["alerts_open"] == 1, (dwell, alerts)
        assert alerts["open_now"] == 1, (dwell, alerts)
    other = _overview(world, "hn_leader").json()["dwell"]  # Hà Nội's leader: none of Hải Phòng's goods
    assert (other["gate_in"], other["in_area"], other["alerts_open"]) == (0, 0, 0)
    assert _overview(world, "hn_leader", "03CC").status_code == 403


def _legacy_alert(app: Any) -> None:
    """An alert raised before the reports existed: its row, and no event the rollups could have counted."""
    with app.state.db.unit_of_work() as uow:
        row = alerts.row(AlertKind.DWELL, unit="03CC", goods_id="HPH0426002", container=C2, location_code=LOCATION,
                         message_vi="Hàng tồn đọng", message_en="dwelling", detail={}, at=clock.now())  # fmt: skip
        uow.session.execute(insert(AlertRow), [row])
        uow.commit()


def test_closing_every_alert_leaves_none_open_never_fewer(world: World, app: Any) -> None:
    _legacy_alert(app)
    _terminal_day(world, app)
    refusals = [
        msg(f"GO-{c}", "gate_out", c, seal="SEAL2", destination="inland", at=_at(1)) for c in (C2, C3)
    ]
    assert send(world, refusals)["refused"] == 2  # one batch, two alerts
    app.state.dispatcher.run_once()
    assert _overview(world, "hp_leader").json()["alerts"]["open_now"] == 4  # not the one from before
    officer = world.off("hp_officer")
    opened = world.client.get("/api/v1/supervision/alerts?status=open", headers=officer).json()
    assert len(opened) == 5
    for a in opened:
        r = world.post(f"/api/v1/supervision/alerts/{a['id']}/close", officer, {"note": "xong"})
        assert r.status_code == 200, r.text
    app.state.dispatcher.run_once()
    d = _overview(world, "hp_leader").json()
    assert d["dwell"]["alerts_open"] == 0
    assert d["alerts"]["open_now"] == 0
    assert min(d["alerts"]["open"]) == 0
