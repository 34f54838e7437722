"""Time: stored in UTC, shown in Asia/Ho_Chi_Minh. Tests can freeze the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze the clock (tests and simulations); None thaws it."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at


def today_vn() -> date:
    return now().astimezone(VN).date()


def to_vn(value: datetime) -> datetime:
    return value.astimezone(VN)


QUARTER_HOUR = 900  # seconds: every UTC offset in use is a whole number of quarter-hours


def vn_day(at: datetime) -> date:
    """The Vietnam calendar day of an aware instant. Read models count thousands of events a second by
    day: the day is looked up per UTC quarter-hour (a day starts on a quarter-hour in every zone) instead
    of converting each instant."""
    return _vn_day_of_quarter(int(at.timestamp() // QUARTER_HOUR))


@lru_cache(maxsize=4096)
def _vn_day_of_quarter(quarter: int) -> date:
    return datetime.fromtimestamp(quarter * QUARTER_HOUR, VN).date()


WORK_START_HOUR = 7
WORK_END_HOUR = 17

# Public holidays (Vietnam calendar days) the legal clock skips: installed at start-up from the holidays file
# (haiquan.reference.holidays.install); empty until then.
_holidays: frozenset[date] = frozenset()


def set_holidays(days: Iterable[date]) -> None:
    """Install the public holidays that add_working_hours skips by default."""
    global _holidays
    _holidays = frozenset(days)


def installed_holidays() -> frozenset[date]:
    return _holidays


def add_working_hours(start: datetime, hours: float, holidays: frozenset[date] | None = None) -> datetime:
    """Add working hours (Mon–Fri, 07:00–17:00 Vietnam time, public holidays excepted) to an instant: the
    legal clock of checks. `holidays` defaults to the installed ones (set_holidays)."""
    off = _holidays if holidays is None else holidays
    remaining = timedelta(hours=hours)
    t = start.astimezone(VN)
    while remaining > timedelta(0):
        day_start = t.replace(hour=WORK_START_HOUR, minute=0, second=0, microsecond=0)
        day_end = t.replace(hour=WORK_END_HOUR, minute=0, second=0, microsecond=0)
        if t.weekday() >= 5 or t >= day_end or t.date() in off:
            t = (day_start + timedelta(days=1)).replace(hour=WORK_START_HOUR)
            continue
        if t < day_start:
            t = day_start
        available = day_end - t
        if remaining <= available:
            t = t + remaining
            remaining = timedelta(0)
        else:
            remaining -= available
            t = day_end
    return t.astimezone(UTC)
