"""One trader's slow webhook receiver does not delay another's notifications (kit.receivers), and a failing
receiver is tried once per round, its other deliveries waiting behind the one that failed."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.declarations.tables import WebhookDeliveryRow
from haiquan.kit import webhooks
from haiquan.organization.tables import EnterpriseRow
from tests.support import World, import_declaration

SLOW, FAST = "https://slow.example/hook", "https://fast.example/hook"
DECLARANT, IMPORTER = "0100109106", "0101248141"  # each declaration notifies both


class Receivers:
    """Two traders' endpoints: `slow` answers after `pause` seconds (or fails), `fast` at once."""

    def __init__(self, pause: float, slow_status: int = 200, fast_pause: float = 0.0) -> None:
        self.pause, self.slow_status, self.fast_pause = pause, slow_status, fast_pause
        self.arrived: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def handle(self, request: httpx.Request) -> httpx.Response:
        slow = request.url.host == "slow.example"
        time.sleep(self.pause if slow else self.fast_pause)
        with self.lock:
            self.arrived.append((request.url.host, time.monotonic() - self.started))
        return httpx.Response(self.slow_status if slow else 204)

    def client(self, timeout: float, development: bool = False) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), timeout=timeout)


def _pending(app: Any, world: World, declarations: int) -> None:
    with app.state.db.unit_of_work() as uow:
        for tax_code, url in ((DECLARANT, SLOW), (IMPORTER, FAST)):
            ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax_code))
            assert ent is not None
            ent.webhook_url, ent.webhook_secret = url, "s" * 32
        uow.commit()
    for _ in range(declarations):
        assert world.lodge(import_declaration()).status_code == 201
    app.state.dispatcher.run_once()


def _deliveries(app: Any) -> list[Any]:
    d = WebhookDeliveryRow
    with app.state.db.unit_of_work() as uow:
        q = select(d.url, d.attempts, d.state, d.next_attempt_at).order_by(d.id)
        return list(uow.session.execute(q).all())


def test_a_slow_receiver_does_not_hold_back_another_traders_notifications(
    world: World, app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pending(app, world, 4)
    assert {d.url for d in _deliveries(app)} == {SLOW, FAST}
    assert len(_deliveries(app)) == 8
    hooks = Receivers(pause=0.5)
    monkeypatch.setattr(webhooks, "client", hooks.client)
    monkeypatch.setattr(app.state.settings, "development", True)  # *.example resolve nowhere (kit.outbound)
    hooks.started = time.monotonic()
    assert app.state.webhooks.deliver_due() == 8
    fast = [at for host, at in hooks.arrived if host == "fast.example"]
    slow = [at for host, at in hooks.arrived if host == "slow.example"]
    assert len(fast) == 4
    assert len(slow) == 4
    # the fast trader has all four while the slow one is still answering its first (one after another
    # in one line, the fast trader's last came after three of the slow one's: 1.5 s)
    assert max(fast) < 0.4 < min(slow), hooks.arrived


def test_a_failing_receiver_is_tried_once_a_round_and_its_others_wait_in_order(
    world: World, app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pending(app, world, 3)
    hooks = Receivers(pause=0, slow_status=503)
    monkeypatch.setattr(webhooks, "client", hooks.client)
    monkeypatch.setattr(app.state.settings, "development", True)  # *.example resolve nowhere (kit.outbound)
    assert app.state.webhooks.deliver_due() == 3  # the fast trader's three
    assert [host for host, _ in hooks.arrived].count("slow.example") == 1
    slow = [d for d in _deliveries(app) if d.url == SLOW]
    assert [d.attempts for d in slow] == [1, 0, 0]
    assert all(d.state == "pending" for d in slow)
    assert slow[1].next_attempt_at == slow[2].next_attempt_at == slow[0].next_attempt_at
    assert app.state.webhooks.deliver_due() == 0  # backing off: nothing is due
    assert [host for host, _ in hooks.arrived].count("slow.example") == 1


def test_the_background_round_returns_without_waiting_for_a_receiver(
    world: World, app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pending(app, world, 1)
    # both answer after a second, so that both are still being served at the second round (a fast one done
    # already could meet a notification the dispatcher made meanwhile, on a loaded machine)
    hooks = Receivers(pause=1.0, fast_pause=1.0)
    monkeypatch.setattr(webhooks, "client", hooks.client)
    monkeypatch.setattr(app.state.settings, "development", True)  # *.example resolve nowhere (kit.outbound)
    started = time.monotonic()
    futures = app.state.webhooks.receivers.tick()
    assert time.monotonic() - started < 0.5
    assert len(futures) == 2
    assert app.state.webhooks.receivers.tick() == []  # both receivers are being served: skipped
    assert sum(f.result() for f in futures) == 2
