"""Signing keys of a country node: a fresh RSA-3072 key and its self-signed certificate naming the country
(the test country node's `keygen`), and VN's own key for outgoing certificates, read from the settings'
path or made once in the data directory (mode 0600), its certificate beside it."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from haiquan.kit import clock
from haiquan.kit.settings import Settings

VN_KEY_NAME = "VN-MOIT-1"


def keygen(country: str, name: str, days: int = 730) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) of a country's signing key, valid from now for `days`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])  # fmt: skip
    now = clock.now()
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    return pem, cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def vn_key(settings: Settings) -> tuple[bytes, bytes]:
    """VN's signing key and certificate (`<key>.crt` beside the key), made once when absent."""
    path = (
        Path(settings.origin_signing_key)
        if settings.origin_signing_key
        else settings.data_dir / "origin" / "vn-signing.key"
    )
    crt = path.with_suffix(".crt")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key, cert = keygen("VN", "Viet Nam e-C/O issuing authority")
        _write(path, key, 0o600)
        _write(crt, cert, 0o644)
    return path.read_bytes(), crt.read_bytes()
