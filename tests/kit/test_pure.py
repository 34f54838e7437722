"""Pure helpers of the kit: no database."""

from __future__ import annotations

import dataclasses
import time as time_module
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.kit import auth, clock, ids, money, pagination
from haiquan.kit.db import new_id
from haiquan.kit.errors import Unauthorized, ValidationFailed
from haiquan.kit.outbox import Event, quick_event


@given(st.sampled_from("1356"), st.integers(min_value=0, max_value=10**10 - 1))
def test_declaration_numbers_have_12_digits_and_a_valid_check_digit(prefix: str, seq: int) -> None:
    n = ids.declaration_number(prefix, seq)
    assert len(n) == 12
    assert n.isdigit()
    assert n[0] == prefix
    assert ids.is_valid_luhn(n)
    wrong = n[:-1] + str((int(n[-1]) + 1) % 10)
    assert not ids.is_valid_luhn(wrong)


def test_vnd_rounds_half_up_to_whole_dong() -> None:
    assert money.vnd(Decimal("1234.5")) == Decimal("1235")
    assert money.vnd(Decimal("1234.49")) == Decimal("1234")


def test_working_hours_skip_nights_and_weekends() -> None:
    # Friday 16:00 Vietnam time + 2 working hours = Monday 08:00
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 16:00 ICT, a Friday
    none = frozenset[date]()  # public holidays: tests/reference/test_holidays.py (24/11/2026 is one)
    end = clock.add_working_hours(start, 2, none)
    assert clock.to_vn(end) == datetime(2026, 11, 23, 8, 0, tzinfo=clock.VN)
    # Inside a day it is plain addition
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 ICT Monday
    assert clock.to_vn(clock.add_working_hours(start, 8, none)) == datetime(
        2026, 11, 23, 17, 0, tzinfo=clock.VN
    )
    assert clock.to_vn(clock.add_working_hours(start, 9, none)) == datetime(
        2026, 11, 24, 8, 0, tzinfo=clock.VN
    )


def test_tokens_expire_and_reject_tampering() -> None:
    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    tok = auth.issue_token(secret="s" * 32, subject="abc", ttl_minutes=10)
    assert auth.read_token(tok, secret="s" * 32)["sub"] == "abc"
    with pytest.raises(Unauthorized):
        auth.read_token(tok, secret="t" * 32)
    clock.freeze(datetime(2026, 1, 1, 0, 11, tzinfo=UTC))
    with pytest.raises(Unauthorized, match="expired"):
        auth.read_token(tok, secret="s" * 32)


def test_api_keys_parse_and_hash() -> None:
    full, key_id, digest = auth.new_api_key()
    assert auth.parse_api_key(full) == key_id
    assert auth.same_hash(auth.hash_api_key(full), digest)
    assert auth.parse_api_key("hq_short_x") is None
    assert auth.parse_api_key("Bearer nonsense") is None


def test_cursor_round_trip_and_garbage() -> None:
    c = pagination.encode_cursor({"after": 42})
    assert pagination.decode_cursor(c) == {"after": 42}
    with pytest.raises(ValidationFailed):
        pagination.decode_cursor("!!!not-a-cursor")


def test_cursor_positions_must_fit_a_database_integer() -> None:
    assert pagination.cursor_int(None, "after") == 0
    assert pagination.cursor_int(pagination.encode_cursor({"after": 7}), "after") == 7
    for bad in (2**64, -1, "7", True):
        with pytest.raises(ValidationFailed):
            pagination.cursor_int(pagination.encode_cursor({"after": bad}), "after")


def test_the_vietnam_day_of_an_instant_turns_at_midnight_vietnam_time() -> None:
    last = datetime(2026, 11, 29, 16, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 in Hanoi
    assert clock.vn_day(last) == date(2026, 11, 29)
    assert clock.vn_day(last + timedelta(microseconds=1)) == date(2026, 11, 30)
    assert clock.vn_day(datetime(2026, 11, 30, 0, 0, tzinfo=clock.VN)) == date(2026, 11, 30)
    old = datetime(1960, 1, 1, 16, 59, 59, tzinfo=UTC)  # before 1970: a negative timestamp, floored
    assert clock.vn_day(old) == clock.to_vn(old).date()
    step = datetime(2026, 1, 1, tzinfo=UTC)
    for minutes in range(0, 3 * 24 * 60, 7):  # every 7 minutes for three days: as converting each one
        at = step + timedelta(minutes=minutes, seconds=minutes % 60)
        assert clock.vn_day(at) == clock.to_vn(at).date()


def test_a_quick_event_is_the_event_the_constructor_makes() -> None:
    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    args = (
        "e1",
        7,
        "declaration.registered",
        1,
        "01B1",
        "hq.ev.01.01B1.x",
        at,
        "officer:x",
        {"a": 1},
        "01AB",
    )
    quick, plain = quick_event(*args), Event(*args)
    assert quick == plain
    assert repr(quick) == repr(plain)
    assert hash(quick.id) == hash(plain.id)
    assert quick.federated
    assert not quick_event(*args[:-1]).federated
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.unit = "01"  # type: ignore[misc]
    assert dataclasses.replace(quick, unit="01") == quick_event(*args[:4], "01", *args[5:])  # type: ignore[arg-type]


def test_ids_are_uuid7_in_the_order_they_were_made(monkeypatch: pytest.MonkeyPatch) -> None:
    made = [new_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in made)
    u = uuid.UUID(made[0])
    assert u.version == 7
    assert u.variant == uuid.RFC_4122
    now = time_module.time_ns()
    monkeypatch.setattr(time_module, "time_ns", lambda: now)
    first = new_id()
    monkeypatch.setattr(time_module, "time_ns", lambda: now + 1_000_000)  # a millisecond later
    later = new_id()
    assert first < later
    assert int(first[:12], 16) == now // 1_000_000
