"""The public reference API through HTTP, on SQLite and PostgreSQL: no key, cached answers (ETag, 304,
Cache-Control public), diacritics-insensitive HS search, and a rate per client address (429 with
Retry-After as problem+json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.settings import Settings
from haiquan.reference import service, words
from tests.support import World


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-key-" + "x" * 32, run_dispatcher=False,
                    rate_public_per_second=0.01, rate_public_burst=12)  # fmt: skip


@pytest.fixture
def shipped(world: World, app: Any) -> World:
    """The world with the shipped reference files loaded (HS 2022, the tariff sample, the rates)."""
    with app.state.db.unit_of_work() as uow:
        service.load_hs(uow.session)
        service.load_tariff(uow.session)
        service.load_exchange_rates(uow.session)
        uow.commit()
    return world


def test_a_tariff_line_with_its_rates_per_scheme_without_a_key(shipped: World, app: Any) -> None:
    anonymous = TestClient(app)
    r = anonymous.get("/api/v1/public/tariff/02013000")
    assert r.status_code == 200, r.text
    line = r.json()
    assert line["description_vi"] == "Thịt bò không xương, tươi hoặc ướp lạnh"
    assert line["rates"]["MFN"] == "14.000" or float(line["rates"]["MFN"]) == 14
    assert float(line["rates"]["ATIGA"]) == 0
    assert float(line["rates"]["VAT"]) == 5
    assert "ACFTA" not in line["rates"]  # the file records no ACFTA rate on this line
    assert r.headers["cache-control"] == "public, max-age=3600"
    again = anonymous.get("/api/v1/public/tariff/02013000", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    missing = anonymous.get("/api/v1/public/tariff/99999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.headers["cache-control"] == "no-store"
    under = anonymous.get("/api/v1/public/tariff", params={"prefix": "0201"}).json()
    assert [x["hs8"] for x in under] == sorted(x["hs8"] for x in under)
    assert under
    assert all(x["hs8"].startswith("0201") for x in under)
    # a key sent along changes nothing: nobody is authenticated here
    assert anonymous.get("/api/v1/public/tariff/02013000", headers=shipped.ent("0100109106")).json() == line


def test_exchange_rates_of_a_day_and_procedure_codes(shipped: World, app: Any) -> None:
    anonymous = TestClient(app)
    day = anonymous.get("/api/v1/public/exchange-rates", params={"date": "2025-01-08"}).json()
    aud = next(x for x in day["rates"] if x["currency"] == "AUD")
    assert (aud["valid_from"], float(aud["vnd_per_unit"])) == ("2025-01-06", 15680)
    codes = anonymous.get("/api/v1/public/procedure-codes", params={"kind": "import"}).json()
    assert codes[0]["code"] == "A11"
    assert all(c["kind"] == "import" for c in codes)
    assert anonymous.get("/api/v1/public/procedure-codes", params={"bogus": "1"}).status_code == 422


def test_hs_search_by_code_and_by_words_in_either_language(shipped: World, app: Any) -> None:
    anonymous = TestClient(app)

    def codes(q: str) -> list[str]:
        r = anonymous.get("/api/v1/public/hs", params={"q": q})
        assert r.status_code == 200, r.text
        return [h["code"] for h in r.json()]

    by_code = codes("0201")
    assert by_code[0] == "0201"
    assert all(c.startswith("0201") for c in by_code)
    assert [len(c) for c in by_code] == sorted(len(c) for c in by_code)  # the heading, then below it
    assert codes("8517.13")[0] == "851713"
    assert "02013000" in codes("thit bo khong xuong")
    assert codes("THỊT BÒ không xương") == codes("thit bo khong xuong")
    assert "02013000" in codes("bovine boneless")
    assert codes("zzzzqqq") == []


def test_the_public_rate_is_per_address_and_answers_429(shipped: World, app: Any) -> None:
    anonymous = TestClient(app)
    answers = [anonymous.get("/api/v1/public/procedure-codes").status_code for _ in range(14)]
    assert answers[:12] == [200] * 12
    refused = anonymous.get("/api/v1/public/procedure-codes")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    # another address has its own rate
    other = TestClient(app, client=("203.0.113.9", 5000))
    assert other.get("/api/v1/public/procedure-codes").status_code == 200


def test_folding_ignores_case_and_diacritics() -> None:
    assert words.fold("Thịt BÒ, Đường") == "thit bo, duong"
    assert words.code_query("8517.13 00") == "85171300"
    assert words.code_query("bo 85") is None
