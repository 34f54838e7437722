"""The federation's own certificate authority and a certificate per node (decision 0040).

`ca.pem` is given to every node (it verifies the servers it connects to, and a parent verifies its children's
leaf connections); `ca-key.pem` stays with whoever issues certificates (the General Department's operator).
A node's `<UNIT>.pem` and `<UNIT>-key.pem` serve both its nats-server's listeners and, as a client, its leaf
connection to its parent."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
NODE_DAYS = 825


@dataclass(frozen=True)
class TlsFiles:
    """What a node's nats-server (and haiquan process) use: the CA, and the node's certificate and key."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def in_dir(cls, directory: Path, unit: str) -> TlsFiles:
        d = directory.resolve()
        return cls(d / "ca.pem", d / f"{unit}.pem", d / f"{unit}-key.pem")

    def missing(self) -> list[Path]:
        return [p for p in (self.ca_file, self.cert_file, self.key_file) if not p.exists()]


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    path.chmod(0o600)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "haiquan federation"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def ensure_ca(directory: Path, *, rotate: bool = False) -> tuple[Path, bool]:
    """ca.pem and ca-key.pem in the directory (made if missing, or replaced when rotating)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists() and not rotate:
        return cert_path, False
    key = _key()
    now = dt.datetime.now(dt.UTC)
    name = _name("haiquan federation CA")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, True


def _san(hosts: list[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def issue_node(
    directory: Path, unit: str, hosts: list[str], *, rotate: bool = False
) -> tuple[TlsFiles, bool]:
    """The node's certificate, signed by the CA in the directory, for its host names and addresses (as a
    server) and as a client (its leaf connection to its parent)."""
    files = TlsFiles.in_dir(directory, unit)
    if not files.missing() and not rotate:
        return files, False
    ca_key = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("ca-key.pem is not the key haiquan sharing tls made")
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"hq-{unit}"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=NODE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san([*hosts, f"hq-{unit}"]), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.key_file, key)
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files, True
