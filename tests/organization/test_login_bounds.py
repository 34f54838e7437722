"""Login throttling (kit.logins) and the bounds on password checks (kit.passwords): progressive delay and
a lockout per (username, address) that another address does not share, spraying and distributed attacks,
argon2 work bounded per worker and done for unknown usernames too."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit import auth, passwords
from haiquan.kit.errors import Busy
from haiquan.kit.logins import LoginPolicy, LoginThrottle
from haiquan.kit.sources import networks
from haiquan.kit.tables import AuditEntry
from tests.support import PASSWORD, World


class FakeClock:
    def __init__(self) -> None:
        self.t = 5000.0

    def __call__(self) -> float:
        return self.t


POLICY = LoginPolicy(
    free_failures=3, max_delay=60, lockout_failures=10, lockout_seconds=900, source_failures=30,
    account_failures=50,
)  # fmt: skip


def test_wrong_passwords_cost_a_growing_delay_then_a_lockout_that_expires() -> None:
    clock = FakeClock()
    t = LoginThrottle(POLICY, now=clock)
    for _ in range(3):
        assert t.wait("nb_leader", "10.0.0.9") is None
        t.failed("nb_leader", "10.0.0.9")
    delays = []
    for _ in range(6):  # failures 4 to 9: each must wait 1, 2, 4, 8, 16, 32 s after the last
        wait = t.wait("nb_leader", "10.0.0.9")
        assert wait is not None
        assert wait[1] == "slow_down"
        delays.append(round(wait[0]))
        clock.t += wait[0]
        assert t.wait("nb_leader", "10.0.0.9") is None
        t.failed("nb_leader", "10.0.0.9")
    assert delays == [1, 2, 4, 8, 16, 32]
    clock.t += 64
    t.failed("nb_leader", "10.0.0.9")  # the tenth: locked
    locked = t.wait("nb_leader", "10.0.0.9")
    assert locked is not None
    assert locked[1] == "locked"
    assert round(locked[0]) == 900
    assert t.wait("nb_leader", "10.0.0.7") is None  # the officer's own address: not locked
    clock.t += 901
    assert t.wait("nb_leader", "10.0.0.9") is None  # the lock expires
    t.succeeded("nb_leader", "10.0.0.9")
    t.failed("nb_leader", "10.0.0.9")
    assert t.wait("nb_leader", "10.0.0.9") is None  # a success is a clean slate


def test_a_distributed_attack_on_one_account_leaves_its_known_and_trusted_addresses_in() -> None:
    clock = FakeClock()
    policy = LoginPolicy(**{**POLICY.__dict__, "trusted": networks("10.20.0.0/16")})
    t = LoginThrottle(policy, now=clock)
    t.succeeded("nb_leader", "10.0.0.7")  # where the officer logs in
    for n in range(50):  # 50 addresses, one wrong password each
        t.failed("nb_leader", f"203.0.113.{n}")
    guarded = t.wait("nb_leader", "198.51.100.1")
    assert guarded is not None
    assert guarded[1] == "account_guarded"
    assert t.wait("nb_leader", "10.0.0.7") is None  # known: still logs in
    assert t.wait("nb_leader", "10.20.3.4") is None  # the customs network: still logs in
    assert t.wait("nb_officer1", "198.51.100.1") is None  # other accounts: untouched
    clock.t += 901
    assert t.wait("nb_leader", "198.51.100.1") is None  # the guard lifts when the attack stops


def test_password_spraying_from_one_address_is_stopped() -> None:
    t = LoginThrottle(POLICY, now=FakeClock())
    t.succeeded("nb_officer1", "192.0.2.1")
    for n in range(30):  # one wrong password for each of 30 usernames
        t.failed(f"user{n}", "192.0.2.1")
    blocked = t.wait("someone", "192.0.2.1")
    assert blocked is not None
    assert blocked[1] == "source_blocked"
    assert t.wait("nb_officer1", "192.0.2.1") is None  # an officer who logs in from there
    assert t.wait("someone", "192.0.2.2") is None


def test_memory_is_bounded() -> None:
    t = LoginThrottle(LoginPolicy(cap=100), now=FakeClock())
    for n in range(5000):
        t.failed(f"user{n}", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        t.succeeded(f"u{n}", "10.0.0.1")
    assert max(len(t._pairs), len(t._sources), len(t._accounts), len(t._good)) <= 100


def _login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_thirty_wrong_passwords_then_the_right_one_is_refused_there_and_served_elsewhere(
    world: World, app: Any, client: TestClient
) -> None:
    clock = FakeClock()
    app.state.logins = LoginThrottle(POLICY, now=clock)
    answers = []
    for _ in range(30):
        r = _login(client, "nb_leader", "wrong-password")
        answers.append(r.status_code)
        if r.status_code == 429:
            assert r.json()["code"] == "login_throttled"
            assert int(r.headers["retry-after"]) >= 1
            if int(r.headers["retry-after"]) <= 60:
                clock.t += int(r.headers["retry-after"])  # an attacker who waits as told, but not 15 min
    assert answers == [401] * 3 + [429, 401] * 7 + [429] * 13  # 1, 2 ... 64 s apart, then locked
    r = _login(client, "nb_leader", PASSWORD)
    assert r.status_code == 429
    assert 800 <= int(r.headers["retry-after"]) <= 900
    officer = TestClient(app, client=("10.0.0.7", 5000))  # the officer's workstation
    assert _login(officer, "nb_leader", PASSWORD).status_code == 200
    app.state.refusals.flush(everything=True)
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.login").order_by(AuditEntry.seq)
        ).all()
        details = [dict(r.detail) for r in rows]
        assert {(r.actor, r.outcome) for r in rows} == {("officer:nb_leader", "refused")}
    # the 10 wrong passwords one by one; the 21 refused attempts (the right password's included): the
    # first of a minute in full (why), the others of that minute counted in one entry
    assert len([d for d in details if not d]) == 10
    firsts = [d for d in details if d.get("reason")]
    assert firsts[0]["reason"] == "slow_down"
    assert {d["client"] for d in firsts} == {"testclient"}
    assert len(firsts) + sum(d.get("more", 0) for d in details) == 21
    assert len(details) <= 10 + 4


def test_the_login_page_says_to_wait(world: World, app: Any, client: TestClient) -> None:
    app.state.logins = LoginThrottle(LoginPolicy(free_failures=1), now=FakeClock())
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"username": "nb_officer1", "password": "wrong-password", "csrf": csrf, "next": "/queue"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 401
    r = client.post("/login", data=form | {"password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert "Nhập sai mật khẩu quá nhiều lần" in r.text
    assert "hq_session" not in r.headers.get("set-cookie", "")


@pytest.fixture
def counting_hasher(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The real hasher, with its checks counted and their concurrency measured."""
    real = auth._hasher
    seen = {"calls": 0, "now": 0, "most": 0}
    lock = threading.Lock()

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, stored: str, password: str) -> bool:
            with lock:
                seen["calls"] += 1
                seen["now"] += 1
                seen["most"] = max(seen["most"], seen["now"])
            try:
                time.sleep(0.02)
                return real.verify(stored, password)
            finally:
                with lock:
                    seen["now"] -= 1

    monkeypatch.setattr(auth, "_hasher", Counting())
    return seen


def test_an_unknown_username_costs_one_password_check_like_a_known_one(
    world: World, client: TestClient, counting_hasher: dict[str, int]
) -> None:
    for username in ("nb_leader", "no_such_officer"):
        before = counting_hasher["calls"]
        assert _login(client, username, "wrong-password").status_code == 401
        assert counting_hasher["calls"] - before == 1, username


def test_known_and_unknown_usernames_answer_in_the_same_time(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth.configure_password_hashing(time_cost=2, memory_cost=8192)  # ~10 ms: measurable
    try:
        with client.app.state.db.unit_of_work() as uow:  # type: ignore[attr-defined]
            from haiquan.organization.tables import OfficerRow

            row = uow.session.scalar(select(OfficerRow).where(OfficerRow.username == "nb_officer1"))
            assert row is not None
            row.password_hash = auth.hash_password(PASSWORD)
            uow.commit()
        client.app.state.logins = None  # type: ignore[attr-defined]  # many tries: no throttle here
        times: dict[str, list[float]] = {"nb_officer1": [], "nobody_here": []}
        for _ in range(9):
            for username in times:
                start = time.perf_counter()
                assert _login(client, username, "wrong-password").status_code == 401
                times[username].append(time.perf_counter() - start)
        known, unknown = (statistics.median(t) for t in times.values())
        assert 0.6 < unknown / known < 1.6, (known, unknown)  # today: 8 ms against 149 ms
    finally:
        auth.configure_password_hashing(time_cost=1, memory_cost=1024)


def test_no_more_than_the_configured_password_checks_run_at_once(
    world: World, app: Any, client: TestClient, counting_hasher: dict[str, int]
) -> None:
    """40 logins at once: at most `password_hash_concurrency` argon2 checks (each holds its memory
    cost, 64 MiB with the defaults) run together; the rest wait their turn."""
    assert app.state.settings.password_hash_concurrency == 2
    app.state.logins = None  # the throttle would refuse most of them: here the hashing bound is tested
    with ThreadPoolExecutor(40) as pool:
        answers = list(
            pool.map(lambda n: _login(client, f"nb_officer{n % 2 + 1}", "x").status_code, range(40))
        )
    assert answers == [401] * 40
    assert counting_hasher["calls"] == 40
    assert counting_hasher["most"] <= 2
    counting_hasher["most"] = 0
    stored = auth.hash_password(PASSWORD)
    with ThreadPoolExecutor(40) as pool:  # the checks themselves, 40 threads at once
        assert not any(pool.map(lambda _: auth.verify_password(stored, "x"), range(40)))
    assert counting_hasher["most"] == 2


def test_a_password_check_waits_for_a_place_at_most_a_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "WAIT", 0.1)
    passwords.configure(1)
    try:
        with (
            passwords.slot(),
            pytest.raises(Busy, match="too many logins at once") as refused,
            passwords.slot(),
        ):
            pass
        assert refused.value.status == 503
    finally:
        passwords.configure(2)
