"""Certificates made in the tests (`cryptography`): a self-signed RSA-2048 certificate whose subject names
whom the test says, valid when the test says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def certificate(
    common_name: str,
    *,
    serial_number: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM); by default valid from a year ago until 30 days from now (a year
    back: tests that freeze the clock at a fixed day must not find it not yet valid once that day is past)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if serial_number is not None:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    name = x509.Name(attrs)
    now = datetime.now(UTC)
    start = valid_from or now - timedelta(days=365)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(valid_until or now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
