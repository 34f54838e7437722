"""Loaders and lookups on SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from haiquan.kit.db import Database
from haiquan.reference import domain, service
from haiquan.reference.service import ReferenceFileError


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The PostgreSQL test database is truncated between tests behind the cache's back.
    service.CACHE.invalidate()
    yield
    service.CACHE.invalidate()


def _load_all(db: Database) -> list[dict[str, int]]:
    with db.unit_of_work() as uow:
        counts = [
            service.load_hs(uow.session),
            service.load_tariff(uow.session),
            service.load_exchange_rates(uow.session),
        ]
        uow.commit()
    return counts


def _rewrite(src: Path, dst: Path, change: dict[str, dict[str, str]]) -> Path:
    """Copy a CSV, replacing cells of the rows whose first column is a key of `change`."""
    with src.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = [{**r, **change.get(r[fields[0]], {})} for r in reader]
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return dst


def test_shipped_files_load_and_reload_changes_nothing(db: Database) -> None:
    first = _load_all(db)
    assert [c["added"] for c in first] == [c["total"] for c in first]
    assert first[0]["total"] == 6936
    assert first[1]["total"] == 243
    assert first[2]["total"] == 1089
    second = _load_all(db)
    assert [(c["added"], c["changed"], c["unchanged"]) for c in second] == [(0, 0, c["total"]) for c in first]
    with db.unit_of_work() as uow:
        line = service.tariff_line(uow.session, hs8="8517.13.00")
        assert line is not None
        assert line.mfn_rate == 0
        assert line.vat_rate == 10
        car = service.tariff_line(uow.session, hs8="87032361")
        assert car is not None
        assert car.excise_rate == 40
        assert service.preferential_rate(car, "atiga") == Decimal(0)
        assert service.preferential_rate(car, "EVFTA") is None
        assert service.tariff_line(uow.session, hs8="99999999") is None
        assert service.hs_exists(uow.session, code="85")
        assert service.hs_exists(uow.session, code="8517")
        assert service.hs_exists(uow.session, code="851713")
        assert service.hs_exists(uow.session, code="8517.13.00")
        assert not service.hs_exists(uow.session, code="999999")
        assert not service.hs_exists(uow.session, code="TOTAL")
        assert service.exchange_rate(uow.session, currency="usd", on=date(2026, 11, 22)) is not None


def test_a_changed_line_is_updated_and_the_cache_follows_the_commit(db: Database, tmp_path: Path) -> None:
    _load_all(db)
    with db.unit_of_work() as uow:
        before = service.tariff_line(uow.session, hs8="22030090")
        assert before is not None
        assert before.mfn_rate == 35
        assert before.preferential == {"ATIGA": "0"}
    changed = _rewrite(
        domain.TARIFF_FILE, tmp_path / "t.csv", {"22030090": {"mfn_rate": "30", "evfta_rate": "12.5"}}
    )
    with db.unit_of_work() as uow:
        counts = service.load_tariff(uow.session, path=changed)
        assert counts == {"added": 0, "changed": 1, "unchanged": 242, "total": 243}
        uow.commit()
    with db.unit_of_work() as uow:
        after = service.tariff_line(uow.session, hs8="22030090")
        assert after is not None
        assert after.mfn_rate == 30
        assert service.preferential_rate(after, "EVFTA") == Decimal("12.5")


def test_a_rolled_back_load_leaves_no_trace_in_the_cache(db: Database, tmp_path: Path) -> None:
    _load_all(db)
    changed = _rewrite(domain.TARIFF_FILE, tmp_path / "t.csv", {"85171300": {"vat_rate": "5"}})
    with db.unit_of_work() as uow:
        service.load_tariff(uow.session, path=changed)
        inside = service.tariff_line(uow.session, hs8="85171300")
        assert inside is not None
        assert inside.vat_rate == 5
        uow.rollback()
    with db.unit_of_work() as uow:
        line = service.tariff_line(uow.session, hs8="85171300")
        assert line is not None
        assert line.vat_rate == 10


def test_a_bad_row_names_file_row_and_column_and_loads_nothing(db: Database, tmp_path: Path) -> None:
    bad = _rewrite(domain.TARIFF_FILE, tmp_path / "bad.csv", {"08081000": {"vat_rate": "7"}})
    row = 1 + next(i for i, r in enumerate(domain.read_tariff(), start=1) if r.hs8 == "08081000")
    with db.unit_of_work() as uow, pytest.raises(ReferenceFileError) as caught:
        service.load_tariff(uow.session, path=bad)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("bad.csv", row, "vat_rate")
    assert f"bad.csv, row {row}, column vat_rate" in str(caught.value)
    with db.unit_of_work() as uow:
        assert service.tariff_line(uow.session, hs8="08081000") is None


def test_a_line_outside_the_loaded_nomenclature_is_refused(db: Database, tmp_path: Path) -> None:
    bad = _rewrite(domain.TARIFF_FILE, tmp_path / "bad.csv", {"85171300": {"hs8": "85171900"}})
    with db.unit_of_work() as uow:
        service.load_hs(uow.session)
        with pytest.raises(ReferenceFileError, match="851719 is not a subheading") as caught:
            service.load_tariff(uow.session, path=bad)
    assert caught.value.column == "hs8"


def test_rate_lookup_picks_the_latest_rate_not_after_the_date(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "currency,valid_from,vnd_per_unit\n"
        "USD,2026-01-12,26100\nUSD,2026-01-05,26000.5\nJPY,2026-01-05,170.1234\n",
        encoding="utf-8",
    )
    with db.unit_of_work() as uow:
        assert service.load_exchange_rates(uow.session, path=path)["added"] == 3
        uow.commit()
    with db.unit_of_work() as uow:
        s = uow.session

        def usd(day: date) -> Decimal | None:
            return service.exchange_rate(s, currency="USD", on=day)

        assert usd(date(2026, 1, 4)) is None
        assert usd(date(2026, 1, 5)) == Decimal("26000.5")
        assert usd(date(2026, 1, 11)) == Decimal("26000.5")
        assert usd(date(2026, 1, 12)) == Decimal("26100")
        assert usd(date(2030, 1, 1)) == Decimal("26100")
        assert service.exchange_rate_entry(s, currency="usd", on=date(2026, 1, 13)) == (
            date(2026, 1, 12),
            Decimal("26100"),
        )
        assert service.exchange_rate(s, currency="JPY", on=date(2026, 2, 1)) == Decimal("170.1234")
        assert service.exchange_rate(s, currency="VND", on=date(2000, 1, 1)) == Decimal(1)
        assert service.exchange_rate(s, currency="EUR", on=date(2026, 2, 1)) is None
