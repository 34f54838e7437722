"""Tax accounts: due dates by regime, aging buckets, enforcement stages, and an enterprise's account
derived from its debts' movements. Pure Python over Decimal (whole dong): no database, no web."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from haiquan.taxes.interest import LEGAL_RATE_PER_DAY, ZERO, schedule_interest

BLOCKING_DAYS = 90  # Luật Quản lý thuế 2019 Art. 124(1)(a); Luật Hải quan 2014 Art. 42 / NĐ 08/2015 Art. 18


class Regime(StrEnum):
    IMMEDIATE = "immediate"
    GUARANTEED = "guaranteed"
    PRODUCTION_FOR_EXPORT = "production_for_export"
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"


@dataclass(frozen=True)
class RegimeRule:
    days: int
    title_vi: str
    title_en: str
    source: str


REGIMES: dict[Regime, RegimeRule] = {
    Regime.IMMEDIATE: RegimeRule(0, "Nộp trước khi thông quan", "Paid before clearance",
                                 "Luật Thuế XNK 107/2016/QH13 Điều 9(1); Luật Quản lý thuế 2019 Điều 55(1)"),
    Regime.GUARANTEED: RegimeRule(30, "Được bảo lãnh: tối đa 30 ngày", "Guaranteed: up to 30 days",
                                  "Luật Thuế XNK 107/2016/QH13 Điều 9(2); Luật Quản lý thuế 2019 Điều 55(2)"),
    Regime.PRODUCTION_FOR_EXPORT: RegimeRule(275, "Nguyên liệu SXXK: 275 ngày", "Production for export: 275 days",
                                             "Luật Thuế XNK 45/2005/QH11 Điều 15(3)(b) (loại hình E31)"),
    Regime.PENALTY: RegimeRule(10, "Quyết định xử phạt: 10 ngày", "Penalty decision: 10 days",
                               "Luật Xử lý vi phạm hành chính 15/2012/QH13 Điều 73(1)"),
    Regime.INTEREST: RegimeRule(10, "Tiền chậm nộp ấn định: 10 ngày", "Late interest assessed: 10 days",
                                "Luật Quản lý thuế 38/2019/QH14 Điều 59; Điều 52 (ấn định thuế)"),
    Regime.FEE: RegimeRule(0, "Phí, lệ phí hải quan: khi làm thủ tục", "Customs fee: at the procedure",
                           "Thông tư 14/2021/TT-BTC Điều 5"),
}  # fmt: skip

PRODUCTION_FOR_EXPORT_CODES = frozenset({"E31"})
# the 12-digit numbers of penalties, late interest assessed and fees booked as dues (declarations: 1, 3, 5,
# 6 and 8 for paper)
CHARGE_PREFIX = {"penalty": "7", "interest": "4", "fee": "9"}


def is_charge(number: str) -> bool:
    """Whether a due's number is a penalty's, an interest assessment's or a fee's, not a declaration's."""
    return len(number) == 12 and number[0] in CHARGE_PREFIX.values()


def regime_for(*, charge_kind: str | None, procedure_code: str | None, guaranteed: bool) -> Regime:
    """A debt's regime: a penalty or fee by its kind; a duty by its procedure code and guarantee."""
    if charge_kind == "penalty":
        return Regime.PENALTY
    if charge_kind == "fee":
        return Regime.FEE
    if charge_kind == "interest":
        return Regime.INTEREST
    if procedure_code in PRODUCTION_FOR_EXPORT_CODES:
        return Regime.PRODUCTION_FOR_EXPORT
    return Regime.GUARANTEED if guaranteed else Regime.IMMEDIATE


def due_date(regime: Regime, incurred: date) -> date:
    """The last day to pay a debt incurred on `incurred` (the declaration's registration, the decision)."""
    return incurred + timedelta(days=REGIMES[regime].days)


class Bucket(StrEnum):
    NOT_DUE = "not_due"
    D1_30 = "1-30"
    D31_60 = "31-60"
    D61_90 = "61-90"
    OVER_90 = "over_90"


def bucket_of(days_overdue: int) -> Bucket:
    """Days past the due date: 0 or less is not due yet; then 1–30, 31–60, 61–90, over 90."""
    if days_overdue <= 0:
        return Bucket.NOT_DUE
    if days_overdue <= 30:
        return Bucket.D1_30
    if days_overdue <= 60:
        return Bucket.D31_60
    if days_overdue <= BLOCKING_DAYS:
        return Bucket.D61_90
    return Bucket.OVER_90


class Stage(StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    PUBLIC_NOTICE = "public_notice"
    ACCOUNT_FREEZE = "account_freeze"
    INVOICE_STOP = "invoice_stop"
    ASSET_SEIZURE = "asset_seizure"


@dataclass(frozen=True)
class StageRule:
    stage: Stage
    from_days: int  # the oldest debt's days overdue from which the stage applies
    title_vi: str
    title_en: str
    source: str
    blocks_customs: bool


STAGES: tuple[StageRule, ...] = (
    StageRule(Stage.NONE, 0, "Không nợ quá hạn", "Nothing overdue", "", False),
    StageRule(Stage.REMINDER, 1, "Thông báo tiền nợ và tiền chậm nộp", "Notice of debt and late interest",
              "Luật Quản lý thuế 2019 Điều 59; Điều 93(1)", False),
    StageRule(Stage.PUBLIC_NOTICE, 31, "Công khai thông tin nợ thuế", "Debt made public",
              "Luật Quản lý thuế 2019 Điều 100(1)(a)", False),
    StageRule(Stage.ACCOUNT_FREEZE, BLOCKING_DAYS + 1,
              "Cưỡng chế: trích tiền, phong tỏa tài khoản; dừng làm thủ tục hải quan",
              "Enforcement: deduction from / freeze of bank accounts; customs procedures stopped",
              "Luật Quản lý thuế 2019 Điều 124(1)(a), 125(1)(a),(c), 129, 132", True),
    StageRule(Stage.INVOICE_STOP, 181, "Cưỡng chế: ngừng sử dụng hóa đơn", "Enforcement: invoices stopped",
              "Luật Quản lý thuế 2019 Điều 125(1)(d), 134", True),
    StageRule(Stage.ASSET_SEIZURE, 366, "Cưỡng chế: kê biên tài sản", "Enforcement: seizure of assets",
              "Luật Quản lý thuế 2019 Điều 125(1)(đ), 135", True),
)  # fmt: skip


def stage_for(oldest_days_overdue: int) -> StageRule:
    """The furthest stage the oldest overdue debt has reached (the intervals after 90 days are this
    project's escalation policy; the law sets the 90-day trigger)."""
    found = STAGES[0]
    for rule in STAGES:
        if oldest_days_overdue >= rule.from_days:
            found = rule
    return found


# --- an account from its movements ------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """One change of a debt: positive raises what is owed (assessment, amendment up, penalty, fee),
    negative lowers it (payment, amendment down, write-off). `day` is when it took effect."""

    day: date
    amount: Decimal


@dataclass(frozen=True)
class Debt:
    """One debt (a declaration's duties, a penalty, a fee) with its movements in any order."""

    key: str
    regime: Regime
    movements: tuple[Movement, ...]
    title: str = ""


@dataclass(frozen=True)
class OpenItem:
    """What is left unpaid of one increase of a debt (first in, first out)."""

    key: str
    regime: Regime
    incurred: date
    due: date
    amount: Decimal
    days_overdue: int
    bucket: Bucket
    title: str = ""


@dataclass
class Account:
    """An enterprise's account on a day: open items, totals per bucket, interest, the oldest overdue due
    date, what blocks registration and the enforcement stage."""

    on: date
    items: list[OpenItem] = field(default_factory=list)
    interest: Decimal = ZERO
    buckets: dict[Bucket, Decimal] = field(default_factory=lambda: {b: ZERO for b in Bucket})

    @property
    def outstanding(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.outstanding - self.buckets[Bucket.NOT_DUE]

    @property
    def oldest_due(self) -> date | None:
        late = [i.due for i in self.items if i.days_overdue > 0]
        return min(late) if late else None

    @property
    def blocking(self) -> Decimal:
        return self.buckets[Bucket.OVER_90]

    @property
    def blocking_since(self) -> date | None:
        old = [i.due for i in self.items if i.bucket == Bucket.OVER_90]
        return min(old) if old else None

    @property
    def stage(self) -> StageRule:
        return stage_for(max((i.days_overdue for i in self.items), default=0))


@dataclass
class _Layer:
    """One increase of a debt while decreases are applied to it."""

    incurred: date
    left: Decimal
    balances: list[tuple[date, Decimal]]


def _layers(debt: Debt, on: date) -> list[_Layer]:
    """The increases up to `on`, each with its unpaid balance over time: decreases pay the oldest first
    (on a day, increases before decreases)."""
    layers: list[_Layer] = []
    if len(debt.movements) == 1 and debt.movements[0].amount > 0:  # the common case: assessed, unpaid
        m = debt.movements[0]
        return [_Layer(m.day, m.amount, [(m.day, m.amount)])] if m.day <= on else []
    ordered = sorted((m for m in debt.movements if m.day <= on), key=lambda m: (m.day, -m.amount))
    for m in ordered:
        if m.amount > 0:
            layers.append(_Layer(m.day, m.amount, [(m.day, m.amount)]))
            continue
        less = -m.amount
        for layer in layers:
            take = min(less, layer.left)
            if take > 0:
                layer.left -= take
                layer.balances.append((m.day, layer.left))
                less -= take
    return layers


def open_items(
    debt: Debt, on: date, rate_per_day: Decimal = LEGAL_RATE_PER_DAY
) -> tuple[list[OpenItem], Decimal]:
    """The unpaid parts of a debt's increases on `on` (movements after `on` ignored) and the late
    interest accrued on every increase through `on`, paid since or not."""
    items: list[OpenItem] = []
    interest = ZERO
    for layer in _layers(debt, on):
        due = due_date(debt.regime, layer.incurred)
        interest += schedule_interest(due, layer.balances, on, rate_per_day)
        if layer.left > 0:
            days = (on - due).days
            items.append(
                OpenItem(
                    debt.key, debt.regime, layer.incurred, due, layer.left, days, bucket_of(days), debt.title
                )
            )
    return items, interest


def account(debts: Iterable[Debt], on: date, rate_per_day: Decimal = LEGAL_RATE_PER_DAY) -> Account:
    """An enterprise's account on `on` from all its debts."""
    acc = Account(on=on)
    for debt in debts:
        items, interest = open_items(debt, on, rate_per_day)
        acc.items.extend(items)
        acc.interest += interest
        for i in items:
            acc.buckets[i.bucket] += i.amount
    acc.items.sort(key=lambda i: (i.due, i.key))
    return acc


def in_order(items: Sequence[OpenItem]) -> list[OpenItem]:
    return sorted(items, key=lambda i: (i.due, i.key))
