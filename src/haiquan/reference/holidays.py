"""Public holidays that the legal time limits skip: a CSV of dates (shipped: data/holidays_vn.csv, after
Bộ luật Lao động 2019 art. 112 and the Government's yearly announcements), replaceable by the file named in
HAIQUAN_HOLIDAYS_FILE. Read at start-up and installed in the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from haiquan.kit import clock
from haiquan.kit.settings import Settings
from haiquan.reference.domain import DATA_DIR, _Rows

HOLIDAYS_FILE = DATA_DIR / "holidays_vn.csv"
HOLIDAY_COLUMNS = ("date", "name_vi", "name_en", "source")


@dataclass(frozen=True)
class Holiday:
    day: date
    name_vi: str
    name_en: str
    source: str


def read_holidays(path: Path = HOLIDAYS_FILE) -> list[Holiday]:
    """The rows of a holidays file, checked: ISO dates, each once, named (Vietnamese), sourced."""
    rows = _Rows(path, HOLIDAY_COLUMNS)
    out: dict[date, Holiday] = {}
    for n, v in rows:
        try:
            day = date.fromisoformat(v["date"])
        except ValueError:
            raise rows.error(f"{v['date']!r} is not a date (YYYY-MM-DD)", n, "date") from None
        if day in out:
            raise rows.error(f"{day} appears twice", n, "date")
        out[day] = Holiday(
            day=day,
            name_vi=rows.text(v, "name_vi", n, max_len=200),
            name_en=rows.text(v, "name_en", n, max_len=200, required=False),
            source=rows.text(v, "source", n, max_len=300),
        )
    return sorted(out.values(), key=lambda h: h.day)


@lru_cache(maxsize=4)
def holiday_dates(path: Path) -> frozenset[date]:
    return frozenset(h.day for h in read_holidays(path))


def holidays_file(settings: Settings) -> Path:
    return Path(settings.holidays_file) if settings.holidays_file else HOLIDAYS_FILE


def install(settings: Settings) -> frozenset[date]:
    """Read the configured holidays file (ReferenceFileError when it is unusable) and install its dates as
    the days the legal clock skips."""
    days = holiday_dates(holidays_file(settings).resolve())
    clock.set_holidays(days)
    return days
