"""Daily rollups, keyed by unit and day (Vietnam date), maintained by outbox consumers. Dashboards read
only these, so their cost grows with units × days, not with declarations.

Each rollup table holds two kinds of rows: an office's own figures (`unit` = its code) and, pre-summed from
the same events, the figures of a node's whole subtree (`unit` = `+` and the node's code: `+01` is the Hà Nội
department and everything under it, `+00` the nation). A dashboard over a node's subtree reads one row per
day, whatever the number of offices under it. `reports_balances` keeps running balances per node (goods in
the controlled areas, open alerts, refunds still due), so "now" never sums history from its start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base

Count = BigInteger().with_variant(Integer(), "sqlite")


class DailyRevenueRow(Base):
    __tablename__ = "reports_daily_revenue"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    assessed: Mapped[Decimal]
    collected: Mapped[Decimal]
    refunds_due: Mapped[Decimal]  # change of what is owed back to traders that day
    refunds_paid: Mapped[Decimal]
    written_off: Mapped[Decimal]


class DailyDeclarationRow(Base):
    __tablename__ = "reports_daily_declarations"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lodged: Mapped[int] = mapped_column(Count, default=0)
    registered: Mapped[int] = mapped_column(Count, default=0)
    green: Mapped[int] = mapped_column(Count, default=0)
    yellow: Mapped[int] = mapped_column(Count, default=0)
    red: Mapped[int] = mapped_column(Count, default=0)
    cleared: Mapped[int] = mapped_column(Count, default=0)
    blue: Mapped[int] = mapped_column(Count, default=0, server_default="0")  # bulk history leaves it out
    cancelled: Mapped[int] = mapped_column(Count, default=0)
    clear_seconds: Mapped[int] = mapped_column(Count, default=0)


class DailyClearanceRow(Base):
    """Clearance times (registration → clearance) as a histogram: bucket = upper bound in minutes."""

    __tablename__ = "reports_daily_clearance"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Count, default=0)


class DailySupervisionRow(Base):
    __tablename__ = "reports_daily_supervision"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    gate_in: Mapped[int] = mapped_column(Count, default=0)
    gate_out: Mapped[int] = mapped_column(Count, default=0)
    alerts_opened: Mapped[int] = mapped_column(Count, default=0)
    alerts_closed: Mapped[int] = mapped_column(Count, default=0)


class DailyDwellRow(Base):
    """Dwell time in the controlled area of goods that left that day: bucket = upper bound in hours."""

    __tablename__ = "reports_daily_dwell"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Count, default=0)


class OpenAlertRow(Base):
    """The alerts counted open by the rollups, so that a closing moves the figures only for an alert whose
    raising they counted (one raised before the reports existed, or on a node not yet federated, is not)."""

    __tablename__ = "reports_open_alerts"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    alert_id: Mapped[int] = mapped_column(Count, primary_key=True)  # unique within a unit's node


class DailySeizureRow(Base):
    __tablename__ = "reports_daily_seizures"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    province: Mapped[str] = mapped_column(String(60), primary_key=True)
    route: Mapped[str] = mapped_column(String(30), primary_key=True)
    substance: Mapped[str] = mapped_column(String(60), primary_key=True)
    unit_of_measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    cases: Mapped[int] = mapped_column(Count, default=0)
    quantity: Mapped[Decimal]


class DailyPermitRequestRow(Base):
    """Other agencies' permits by the day they were requested: how many, and how many of those are decided
    (so the pending ones keep their age)."""

    __tablename__ = "reports_daily_permit_requests"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency: Mapped[str] = mapped_column(String(12), primary_key=True)
    requested: Mapped[int] = mapped_column(Count, default=0)
    closed: Mapped[int] = mapped_column(Count, default=0)


class DailyPermitOutcomeRow(Base):
    """Other agencies' decisions by the day they were taken, and the deadlines that passed that day."""

    __tablename__ = "reports_daily_permit_outcomes"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency: Mapped[str] = mapped_column(String(12), primary_key=True)
    approved: Mapped[int] = mapped_column(Count, default=0)
    conditional: Mapped[int] = mapped_column(Count, default=0)
    refused: Mapped[int] = mapped_column(Count, default=0)
    overdue: Mapped[int] = mapped_column(Count, default=0)
    minutes: Mapped[int] = mapped_column(Count, default=0)  # from request to decision, summed


class DailyPreferenceRow(Base):
    """ATIGA preference claims (origin): verdicts by the day they were taken (`accepted`; `refused` and the
    import duty the preference would have spared, by `reason`), and the claims deferred by the day they were
    deferred with how many of those are decided since (so the pending ones are deferred less resolved).
    Rows of accepted and deferred claims carry the reason ``""``."""

    __tablename__ = "reports_daily_preferences"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    accepted: Mapped[int] = mapped_column(Count, default=0)
    refused: Mapped[int] = mapped_column(Count, default=0)
    duty_at_stake: Mapped[Decimal]
    deferred: Mapped[int] = mapped_column(Count, default=0)
    resolved: Mapped[int] = mapped_column(Count, default=0)


class OpenPreferenceRow(Base):
    """The deferred claims the rollups counted pending, with their office and day, so that a later verdict
    closes each once (a claim deferred again on amendment is not counted twice)."""

    __tablename__ = "reports_open_preferences"
    declaration_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)


for _t in (
    DailyRevenueRow,
    DailyDeclarationRow,
    DailyClearanceRow,
    DailySupervisionRow,
    DailyDwellRow,
    DailySeizureRow,
    DailyPermitRequestRow,
    DailyPermitOutcomeRow,
    DailyPreferenceRow,
):
    Index(f"ix_{_t.__tablename__}_day_unit", _t.day, _t.unit)

TOTAL = "+"  # prefix of the pre-summed subtree rows


def total_key(node: str) -> str:
    return TOTAL + node


class RunningBalanceRow(Base):
    """Running balances of a node's subtree, moved by the same events as the rollups."""

    __tablename__ = "reports_balances"
    node: Mapped[str] = mapped_column(String(16), primary_key=True)
    in_area: Mapped[int] = mapped_column(Count, default=0)
    alerts_open: Mapped[int] = mapped_column(Count, default=0)
    refunds_due: Mapped[Decimal]


CLEARANCE_BUCKETS_MIN = (5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10**6)
DWELL_BUCKETS_H = (6, 12, 24, 48, 72, 168, 720, 10**6)


def bucket_of(value: float, bounds: tuple[int, ...]) -> int:
    for b in bounds:
        if value <= b:
            return b
    return bounds[-1]
