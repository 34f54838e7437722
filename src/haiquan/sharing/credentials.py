"""Per-node NATS credentials, none derivable from another node's secrets (decision 0040).

- node_<UNIT> and agency_<CODE>: NATS nkeys (ed25519). The server's configuration holds only the public key
  (U…); the node (or the agency) holds its seed (SU…) in `<user>.nk`, readable by its owner only.
- leaf_<CHILD>: a random password. nats-server 2.9 authenticates a leaf connection by nkey only with JWTs
  (operator mode), so a leaf link keeps a user and password: the parent's configuration holds its bcrypt hash
  (`<user>.bcrypt`), the child its plain text (`<user>.pass`, handed to the child's operator once).

A credentials directory is one node's: the parent's holds its node seed, its children's leaf hashes and its
agencies' public keys; a child's holds its own node seed and its own leaf password."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_PREFIX_SEED = 18 << 3  # 'S'
_PREFIX_USER = 20 << 3  # 'U'
BCRYPT_ROUNDS = 11  # a leaf connection is checked once per connect: a tenth of a second is cheap


class CredentialError(ValueError):
    """A credential file missing or not what it should be."""


def _crc16(data: bytes) -> int:  # CRC-16/XMODEM, as the nkeys encoding uses
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _encode(raw: bytes) -> str:
    crc = _crc16(raw)
    return base64.b32encode(raw + bytes((crc & 0xFF, crc >> 8))).decode().rstrip("=")


def _decode(text: str) -> bytes:
    padded = text.strip() + "=" * (-len(text.strip()) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError as exc:
        raise CredentialError("not an nkey") from exc
    body, crc = raw[:-2], raw[-2:]
    if len(raw) < 4 or _crc16(body) != crc[0] | crc[1] << 8:
        raise CredentialError("not an nkey (checksum)")
    return body


def new_user_seed() -> str:
    """A user nkey's seed (SU…), 32 random bytes."""
    raw = os.urandom(32)
    b1 = _PREFIX_SEED | (_PREFIX_USER >> 5)
    b2 = (_PREFIX_USER & 31) << 3
    return _encode(bytes((b1, b2)) + raw)


def public_key(seed: str) -> str:
    """The user public key (U…) of a seed."""
    body = _decode(seed)
    if len(body) != 34 or body[0] & 0xF8 != _PREFIX_SEED or not seed.strip().startswith("SU"):
        raise CredentialError("not a user nkey seed (SU…)")
    key = Ed25519PrivateKey.from_private_bytes(body[2:])
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _encode(bytes((_PREFIX_USER,)) + pub)


def new_password() -> str:
    return secrets.token_urlsafe(24)


def password_hash(password: str) -> str:
    # nats-server 2.9 recognises $2a$ (and $2b$); $2a$ is the form its own tool writes
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS, prefix=b"2a")).decode()
    return hashed


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    path.chmod(0o600)


@dataclass(frozen=True)
class Credentials:
    """One node's credentials directory."""

    dir: Path

    def seed_file(self, user: str) -> Path:
        return self.dir / f"{user}.nk"

    def _read(self, name: str, hint: str) -> str:
        path = self.dir / name
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            raise CredentialError(f"{path} is missing: {hint}") from None

    def public_nkey(self, user: str) -> str:
        """From `<user>.pub` (an agency's key kept by the node) or the seed `<user>.nk`."""
        pub = self.dir / f"{user}.pub"
        if pub.exists():
            return pub.read_text().strip()
        return public_key(self._read(f"{user}.nk", "run `haiquan sharing credentials`"))

    def leaf_hash(self, user: str) -> str:
        return self._read(f"{user}.bcrypt", "run `haiquan sharing credentials --children …` on the parent")

    def leaf_password(self, user: str) -> str:
        return self._read(f"{user}.pass", "copy the file the parent's `haiquan sharing credentials` wrote")

    # --- generation (existing files are kept unless rotate is asked) ---
    def ensure_nkey(self, user: str, *, rotate: bool = False) -> tuple[Path, bool]:
        """The seed file of a user (node or agency); its public key beside it. True if written now."""
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.seed_file(user)
        if path.exists() and not rotate:
            return path, False
        seed = new_user_seed()
        _write_private(path, seed)
        (self.dir / f"{user}.pub").write_text(public_key(seed) + "\n")
        return path, True

    def ensure_leaf_password(self, user: str, *, rotate: bool = False) -> tuple[Path, bool]:
        """The password of a child's leaf link (`<user>.pass`, to hand over) and its hash (`<user>.bcrypt`)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{user}.pass"
        if (self.dir / f"{user}.bcrypt").exists() and not rotate:
            return path, False
        password = new_password()
        _write_private(path, password)
        (self.dir / f"{user}.bcrypt").write_text(password_hash(password) + "\n")
        return path, True
