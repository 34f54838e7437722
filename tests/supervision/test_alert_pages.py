"""The supervision officer's alert screen through HTTP: the live count, acknowledge then close (the
alert's state really changes, audited by the service), an empty note named on the page, another unit's
alert answered by the not-found page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry
from haiquan.supervision import alerts
from haiquan.supervision.domain import AlertKind
from haiquan.supervision.tables import AlertRow
from tests.support import World
from tests.web.helpers import csrf_of, login


def raise_alert(app: Any, unit: str) -> int:
    with app.state.db.unit_of_work() as uow:
        row = alerts.row(
            AlertKind.DWELL, unit=unit, goods_id=None, container="MSCU1234565", location_code="VNHAN",
            message_vi="Hàng lưu quá 90 ngày", message_en="Goods kept over 90 days", detail={},
            at=clock.now(), dedupe_key=f"t-{unit}",
        )  # fmt: skip
        alerts.raise_many(uow.session, [row], source="test", actor="test")
        uow.commit()
        found = uow.session.scalars(select(AlertRow.id).where(AlertRow.unit == unit)).all()
    return int(found[-1])


def _state(app: Any, alert_id: int) -> tuple[str, str]:
    with app.state.db.unit_of_work() as uow:
        a = uow.session.get(AlertRow, alert_id)
        assert a is not None
        return a.status, a.note


def test_officer_acknowledges_then_closes_an_alert(world: World, app: Any, client: TestClient) -> None:
    mine = raise_alert(app, "01AB")
    login(client, "nb_officer1")
    assert client.get("/supervision/alerts/count").json()["count"] == 1
    listing = client.get("/supervision/alerts")
    assert 'data-count-url="/supervision/alerts/count"' in listing.text
    assert f'href="/supervision/alerts/{mine}"' in listing.text
    page = client.get(f"/supervision/alerts/{mine}")
    assert "Tiếp nhận cảnh báo" in page.text
    empty = client.post(
        f"/supervision/alerts/{mine}/acknowledge", data={"csrf": csrf_of(page.text), "note": ""}
    )
    assert empty.status_code == 422
    assert 'class="error-summary"' in empty.text
    assert "Ghi chú: Bắt buộc nhập" in empty.text
    assert _state(app, mine)[0] == "open"
    r = client.post(
        f"/supervision/alerts/{mine}/acknowledge",
        data={"csrf": csrf_of(page.text), "note": "Đã cử đội kiểm tra"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    shown = client.get(r.headers["location"])
    assert "Đã tiếp nhận cảnh báo" in shown.text
    assert _state(app, mine) == ("acknowledged", "Đã cử đội kiểm tra")
    assert client.get("/supervision/alerts/count").json()["count"] == 0
    client.post(f"/supervision/alerts/{mine}/close", data={"csrf": csrf_of(shown.text), "note": "Xong"})
    assert _state(app, mine)[0] == "closed"
    with app.state.db.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"alert:{mine}").order_by(AuditEntry.seq)
        )
        assert list(actions) == ["supervision.alert_acknowledged", "supervision.alert_closed"]


def test_another_units_alert_is_not_found_and_forms_need_csrf(
    world: World, app: Any, client: TestClient
) -> None:
    theirs = raise_alert(app, "03CC")
    login(client, "nb_officer1")
    page = client.get(f"/supervision/alerts/{theirs}")
    assert page.status_code == 404
    assert "Không tìm thấy trong phạm vi của bạn" in page.text
    csrf = csrf_of(client.get("/supervision/alerts").text)
    r = client.post(f"/supervision/alerts/{theirs}/close", data={"csrf": csrf, "note": "x"})
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert _state(app, theirs)[0] == "open"
    forged = client.post(f"/supervision/alerts/{theirs}/close", data={"csrf": "forged", "note": "x"})
    assert forged.status_code == 403
    assert "application/problem+json" not in forged.headers["content-type"]
    login(client, "hp_officer")
    assert client.get("/supervision/alerts/count").json()["count"] == 1
    english = client.get(f"/supervision/alerts/{theirs}?lang=en")
    assert "Acknowledge the alert" in english.text
    assert client.get("/supervision/alerts/count").json()["label"] == "1 open alerts"


def test_the_count_poll_keeps_no_idle_session_alive(world: World, app: Any, client: TestClient) -> None:
    from datetime import timedelta

    from haiquan.organization.tables import OfficerSessionRow

    login(client, "nb_officer1")
    back = clock.now() - timedelta(minutes=20)
    with app.state.db.unit_of_work() as uow:
        for row in uow.session.scalars(select(OfficerSessionRow)):
            row.last_seen_at = back
        uow.commit()
    assert client.get("/supervision/alerts/count").status_code == 200
    with app.state.db.unit_of_work() as uow:
        seen = [r.last_seen_at for r in uow.session.scalars(select(OfficerSessionRow))]
    assert all(abs((s.replace(tzinfo=back.tzinfo) - back).total_seconds()) < 1 for s in seen), seen
