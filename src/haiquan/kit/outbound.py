"""Where haiquan may call out to (enterprises' webhooks). Outside a development installation
(`Settings.development`) a URL must be https, carry no user or password, and its host must resolve only
to global unicast addresses: never loopback, private (RFC 1918, IPv6 unique-local), link-local, shared
(100.64/10), multicast, reserved or unspecified, nor an IPv6 address carrying such an IPv4 address
(IPv4-mapped, 6to4, Teredo, NAT64). The check is made when the URL is registered and again at every
delivery, which then connects to the very address it checked (the name's certificate still verified by
TLS): a name that resolves to a public address at registration and to 127.0.0.1 a second later (DNS
rebinding) reaches nothing inside."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from haiquan.kit.errors import ValidationFailed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """A target haiquan does not call; the message says why."""


@dataclass(frozen=True)
class Target:
    """What to connect to: `url` names the checked address in place of the host name; the request carries
    the name in `Host` and, for https, as the TLS server name (`extensions`)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# How names are resolved (tests put a fake resolver here).
resolver: Callable[[str, int], list[str]] = _getaddrinfo


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def not_global(ip: Address) -> str | None:
    """Why an address is no place for a webhook (None: a global unicast address)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and (why := not_global(inner)):
            return f"{why} (inside {ip})"
    for flag, why in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not global"),
    ):
        if flag:
            return f"{ip} is a {why} address"
    return None


def _parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("an http or https URL with a host is needed")
    if parts.username is not None or parts.password is not None:
        raise Refused("a webhook URL carries no user name or password")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def addresses(host: str, port: int) -> list[Address]:
    """Every address the host stands for, each of them global; else Refused naming the first that is not."""
    try:
        found = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolver(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise Refused(f"the host {host} does not resolve") from exc
    if not found:
        raise Refused(f"the host {host} does not resolve")
    for ip in found:
        if why := not_global(ip):
            raise Refused(f"{host}: {why}")
    return found


def target(url: str, *, development: bool) -> Target:
    """Check `url` now and say what to connect to; Refused when haiquan may not call it. In a development
    installation the URL is used as it is."""
    if development:
        return Target(url)
    scheme, host, port, path = _parts(url)
    if scheme != "https":
        raise Refused("webhooks are delivered over https only")
    ip = addresses(host, port)[0]
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    default = port == 443
    host_header = host if default else f"{host}:{port}"
    return Target(
        url=f"https://{literal}:{port}{path}",
        headers={"Host": host_header},
        extensions={"sni_hostname": host},
    )


def check_registration(url: str, *, development: bool, field: str = "url") -> str:
    """The URL an enterprise registers, or a 422 naming `field` and why it is refused."""
    try:
        target(url, development=development)
    except Refused as exc:
        raise ValidationFailed(f"webhook URL refused: {exc}", field=field, code="url_refused") from exc
    return url
