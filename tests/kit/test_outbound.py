"""Where webhooks may go: https to global addresses only (outside development), checked again at each
delivery, which connects to the address it checked (the name kept for Host and TLS)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from haiquan.kit import clock, outbound, webhooks

PUBLIC = "93.184.216.34"
REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fd00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert outbound.not_global(ipaddress.ip_address(address)) is not None
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(outbound.Refused):
        outbound.target(f"https://{literal}/hook", development=False)


@pytest.mark.parametrize("address", [PUBLIC, "2606:4700:4700::1111", "8.8.8.8"])
def test_global_addresses_are_accepted(address: str) -> None:
    assert outbound.not_global(ipaddress.ip_address(address)) is None


def test_names_that_resolve_inside_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(outbound.Refused, match="loopback"):
        outbound.target("https://localhost/hook", development=False)  # the machine's own resolver
    monkeypatch.setattr(outbound, "resolver", lambda host, port: [PUBLIC, "10.0.0.7"])
    with pytest.raises(outbound.Refused, match="private"):  # one inside address among public ones is enough
        outbound.target("https://mixed.example/hook", development=False)


def test_plain_http_and_credentials_in_the_url_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "resolver", lambda host, port: [PUBLIC])
    with pytest.raises(outbound.Refused, match="https"):
        outbound.target("http://hooks.example/x", development=False)
    with pytest.raises(outbound.Refused, match="user"):
        outbound.target("https://u:p@hooks.example/x", development=False)
    assert outbound.target("http://127.0.0.1:8124/x", development=True).url == "http://127.0.0.1:8124/x"


def test_the_target_is_the_checked_address_with_the_name_for_host_and_tls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbound, "resolver", lambda host, port: [PUBLIC])
    goal = outbound.target("https://hooks.example:8443/in?x=1", development=False)
    assert goal.url == f"https://{PUBLIC}:8443/in?x=1"
    assert goal.headers == {"Host": "hooks.example:8443"}
    assert goal.extensions == {"sni_hostname": "hooks.example"}


class Row:
    attempts = 0
    state = "pending"
    delivered_at: datetime | None = None
    last_error = ""
    next_attempt_at = datetime(2026, 1, 1, tzinfo=UTC)


def test_each_attempt_resolves_again_and_connects_to_what_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: public when registered, 127.0.0.1 at the next delivery: nothing is sent there."""
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    answers = iter([[PUBLIC], ["127.0.0.1"]])
    monkeypatch.setattr(outbound, "resolver", lambda host, port: next(answers))
    signing = webhooks.Signing("new-secret", previous="old-secret")
    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        first, second = Row(), Row()
        kw: dict[str, Any] = {
            "url": "https://hooks.example/in",
            "signing": signing,
            "body": b'{"a":1}',
            "max_attempts": 8,
        }
        assert webhooks.attempt(http, first, delivery_id="1", **kw) == 1
        assert webhooks.attempt(http, second, delivery_id="2", **kw) == 0
    assert len(seen) == 1
    assert seen[0].url.host == PUBLIC
    assert seen[0].headers["host"] == "hooks.example"
    assert seen[0].extensions["sni_hostname"] == "hooks.example"
    assert second.state == "pending"
    assert "loopback" in second.last_error
    assert second.attempts == 1
    ts = seen[0].headers["x-haiquan-timestamp"]
    for header, secret in (
        ("x-haiquan-signature", "new-secret"),
        ("x-haiquan-signature-previous", "old-secret"),
    ):
        mac = hmac.new(secret.encode(), ts.encode() + b"." + b'{"a":1}', hashlib.sha256).hexdigest()
        assert seen[0].headers[header] == "sha256=" + mac


def test_the_previous_secret_signs_only_until_its_time() -> None:
    class Ent:
        webhook_secret = "new"
        webhook_secret_previous = "old"
        webhook_previous_until = datetime(2026, 5, 2, tzinfo=UTC)

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    assert webhooks.signing_of(Ent()) == webhooks.Signing("new", "old")
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    assert webhooks.signing_of(Ent()) == webhooks.Signing("new", None)
