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
    if settings.nats_ca_file or settings.nats_url.startswith("tls://"):
        opts["tls"] = tls_context(settings.nats_ca_file, settings.nats_cert_file, settings.nats_key_file)
    return opts
