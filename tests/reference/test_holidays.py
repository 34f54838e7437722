"""Public holidays in the legal clock: the shipped file, a replacement named by HAIQUAN_HOLIDAYS_FILE, and
working hours that skip them (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from haiquan.declarations.domain import Channel, check_deadline
from haiquan.kit import clock
from haiquan.kit.settings import Settings
from haiquan.reference import holidays
from haiquan.reference.domain import ReferenceFileError

SHIPPED = frozenset(h.day for h in holidays.read_holidays())


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=clock.VN)


@pytest.fixture(autouse=True)
def _restore_installed() -> Iterator[None]:
    before = clock.installed_holidays()
    yield
    clock.set_holidays(before)


def test_the_shipped_file_covers_2025_to_2027_with_sources() -> None:
    rows = holidays.read_holidays()
    assert {h.day.year for h in rows} == {2025, 2026, 2027}
    assert all(h.name_vi and h.source for h in rows)
    for day in ("2025-01-01", "2025-01-29", "2025-04-07", "2025-04-30", "2025-05-01", "2025-09-01",
                "2025-09-02", "2026-02-17", "2026-04-27", "2026-09-02", "2027-02-06", "2027-09-03"):  # fmt: skip
        assert date.fromisoformat(day) in SHIPPED, day
    assert all("Bộ luật Lao động 2019" in h.source for h in rows if h.day.month == 9 and h.day.day == 2)


def test_a_deadline_across_tet_skips_the_holidays() -> None:
    # Friday 13/2/2026 16:00 + 2 working hours: 1 hour that day, Tết 16-20/2, the weekends; Monday 23/2 08:00
    start = vn(2026, 2, 13, 16, 0)
    assert clock.to_vn(clock.add_working_hours(start, 2, SHIPPED)) == vn(2026, 2, 23, 8, 0)
    assert clock.to_vn(clock.add_working_hours(start, 2, frozenset())) == vn(2026, 2, 16, 8, 0)
    # 16 working hours from Friday 24/1/2025 09:00: 8 that day, Tết
    # 27-31/1/2025 and two weekends off, 8 on Monday 3/2 → 15:00 (without holidays: Monday 27/1)
    assert clock.to_vn(clock.add_working_hours(vn(2025, 1, 24, 9, 0), 16, SHIPPED)) == vn(2025, 2, 3, 15, 0)


def test_a_deadline_across_national_day_skips_both_days() -> None:
    # Friday 29/8/2025 15:00 + 8 working hours: 2 that day, 1-2/9 off, 6 on Wednesday 3/9 → 13:00
    start = vn(2025, 8, 29, 15, 0)
    assert clock.to_vn(clock.add_working_hours(start, 8, SHIPPED)) == vn(2025, 9, 3, 13, 0)
    # A start on a holiday waits for the next working morning
    assert clock.to_vn(clock.add_working_hours(vn(2025, 9, 2, 10, 0), 2, SHIPPED)) == vn(2025, 9, 3, 9, 0)


def test_installed_holidays_reach_the_legal_time_limits() -> None:
    registered = vn(2026, 2, 13, 16, 30)
    clock.set_holidays(frozenset())
    assert check_deadline(Channel.YELLOW, registered) == vn(2026, 2, 16, 8, 30)
    holidays.install(Settings(holidays_file=""))
    assert clock.installed_holidays() == SHIPPED
    assert check_deadline(Channel.YELLOW, registered) == vn(2026, 2, 23, 8, 30)


def test_holidays_file_setting_replaces_the_shipped_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("date,name_vi,name_en,source\n2026-02-16,Nghỉ,Day off,Thông báo\n", encoding="utf-8")
    monkeypatch.setenv("HAIQUAN_HOLIDAYS_FILE", str(path))
    assert holidays.install(Settings()) == frozenset({date(2026, 2, 16)})
    assert check_deadline(Channel.YELLOW, vn(2026, 2, 13, 16, 30)) == vn(2026, 2, 17, 8, 30)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("2026-02-30,x,y,s", "date", "not a date"),
        ("2026-01-01,x,y,s", "date", "appears twice"),
        ("2026-05-01,,y,s", "name_vi", "is empty"),
        ("2026-05-01,x,y,", "source", "is empty"),
    ],
)
def test_a_malformed_holidays_file_names_the_row_and_column(
    tmp_path: Path, row: str, column: str, reason: str
) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("date,name_vi,name_en,source\n2026-01-01,Tết Dương lịch,New Year,BLLĐ\n" + row + "\n")
    with pytest.raises(ReferenceFileError, match=reason) as info:
        holidays.install(Settings(holidays_file=str(path)))
    assert (info.value.row, info.value.column) == (3, column)
