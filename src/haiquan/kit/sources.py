"""Who is asking, as far as the limits are concerned: the socket's peer, or, when that peer is a proxy
named in HAIQUAN_TRUSTED_PROXIES, the last address it put in `X-Forwarded-For` (the one the proxy saw).
Nothing else trusts that header (the audit log's `client` and /metrics' loopback check keep the socket's
peer): a client cannot choose the address its limits are counted on unless it is the proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(spec: str | Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.0/8, 127.0.0.1` → networks; a bad item raises ValueError naming it."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = []
    for item in (i.strip() for i in items):
        if item:
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"not an address or network: {item!r}") from exc
    return tuple(out)


def within(address: str, nets: tuple[Network, ...]) -> bool:
    if not nets:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(scope: Scope, proxies: tuple[Network, ...] = ()) -> str:
    peer = scope.get("client")
    host = str(peer[0]) if peer else "unknown"
    if not within(host, proxies):
        return host
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-forwarded-for":
            hops = [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
            for hop in reversed(hops):  # the proxy appends what it saw; earlier hops are the client's word
                if not within(hop, proxies):
                    return hop[:64]
    return host
