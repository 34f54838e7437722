"""Special regimes on the leaders' dashboard (regimes' tables, read live: they are small beside the
declarations): the open regime stock by unit and regime (what entered under a regime and has not left,
with its value in), and the deadlines falling due in the month of the period's last day, by state, with
the duty at stake on the goods still under them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.sql import among
from haiquan.regimes import repository
from haiquan.regimes.rules import regime_name
from haiquan.regimes.tables import DeadlineRow
from haiquan.reports.i18n import MESSAGES
from haiquan.web.i18n import add_labels, add_messages

if TYPE_CHECKING:
    from haiquan.reports.queries import View

WORDS = {
    "reports.regimes": ("Loại hình đặc thù: tồn kho và thời hạn", "Special regimes: stock and deadlines"),
    "reports.regimes_stock": (
        "Tồn theo loại hình (chưa tái xuất / thanh khoản)",
        "Open stock under each regime",
    ),
    "reports.regimes_due": ("Thời hạn đến trong tháng", "Deadlines due this month"),
    "reports.regime": ("Loại hình", "Regime"),
    "reports.enterprises": ("Doanh nghiệp", "Enterprises"),
    "reports.items": ("Mã hàng", "Items"),
    "reports.held": ("Lượng tồn", "Quantity held"),
    "reports.value_in": ("Trị giá nhập (đồng)", "Value in (VND)"),
    "reports.deadlines": ("Số thời hạn", "Deadlines"),
    "reports.state": ("Tình trạng", "State"),
}
MESSAGES.update(WORDS)
add_messages(WORDS)


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def due_in_month(session: Session, v: View) -> list[dict[str, Any]]:
    start, end = _month(v.end)
    d = DeadlineRow
    q = (
        select(
            d.unit, d.regime, d.state, func.count(), func.sum(d.duty_at_stake * d.quantity_left / d.quantity)
        )
        .where(among(session, d.unit, v.units), d.due_on >= start, d.due_on <= end, d.quantity > 0)
        .group_by(d.unit, d.regime, d.state)
        .order_by(d.unit, d.regime, d.state)
    )
    return [
        {"unit": u, "regime": r, "name_vi": regime_name(r)[0], "name_en": regime_name(r)[1], "state": s,
         "deadlines": int(n), "duty_at_stake": Decimal(str(duty or 0)).quantize(Decimal(1))}
        for u, r, s, n, duty in session.execute(q).all()
    ]  # fmt: skip


def regimes(session: Session, v: View) -> dict[str, Any]:
    rows = repository.open_stock_by_unit(session, scope=Scope(units=v.units))
    stock = [
        {"unit": r.unit, "regime": r.regime, "name_vi": regime_name(r.regime)[0], "name_en": regime_name(r.regime)[1],
         "enterprises": r.enterprises, "items": r.items, "held": r.quantity_held, "value_in": r.value_in_vnd}
        for r in rows
    ]  # fmt: skip
    return {
        "open_stock": stock,
        "due_this_month": due_in_month(session, v),
        "month": _month(v.end)[0].isoformat(),
    }


add_labels(
    "regime_deadline_state",
    {
        "open": ("Còn hạn", "Open"),
        "due_soon": ("Sắp đến hạn", "Due soon"),
        "overdue": ("Quá hạn", "Overdue"),
        "discharged": ("Đã hoàn thành", "Discharged"),
    },
)
