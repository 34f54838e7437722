"""How the haiquan process connects to its nats-server: the URL, and where the links are secured
(decision 0040) the node's nkey seed file and the federation's CA (and a client certificate where the server
verifies clients)."""

from __future__ import annotations

import ssl
from typing import Any

from haiquan.kit.settings import Settings


def tls_context(ca_file: str, cert_file: str = "", key_file: str = "") -> ssl.SSLContext:
    """Verifies the server's certificate against the federation's CA (and its host name)."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file or None)
    if cert_file:
        ctx.load_cert_chain(cert_file, key_file or None)
    return ctx


def connect_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for nats.connect beside the URL (empty for a URL that carries a password)."""
    opts: dict[str, Any] = {}
    if settings.nats_nkey_file:
        opts["nkeys_seed"] = settings.nats_nkey_file
    if settings.nats_ca_file or "tls://" in settings.nats_url:
        opts["tls"] = tls_context(settings.nats_ca_file, settings.nats_cert_file, settings.nats_key_file)
    return opts


def node_urls(nats_url: str, units: list[str]) -> dict[str, str]:
    """The URL of each served department's server: `UNIT=URL UNIT=URL` (a regional hub), or one URL for the
    one unit."""
    parts = nats_url.split()
    if not any("=" in p.split("://", 1)[0] for p in parts):
        if len(units) != 1:
            raise ValueError("a hub's HAIQUAN_NATS_URL names each department's server: UNIT=URL UNIT=URL")
        return {units[0]: nats_url}
    urls = dict(p.split("=", 1) for p in parts)
    missing = [u for u in units if u not in urls]
    if missing or len(urls) != len(units):
        raise ValueError(f"HAIQUAN_NATS_URL must name a server for each of {', '.join(units)}, and no other")
    return urls


def unit_options(settings: Settings, unit: str) -> dict[str, Any]:
    """connect_options for one department of a hub (its seed file where `{unit}` stands)."""
    opts = connect_options(settings)
    if "nkeys_seed" in opts:
        opts["nkeys_seed"] = settings.nats_nkey_file.replace("{unit}", unit)
    return opts
