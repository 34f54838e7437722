"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain (kit.audit) shows an edit that leaves later hashes alone, but someone with write access to the
database can delete the last entries, or rewrite one and recompute every later hash, and the chain still
verifies. A checkpoint is the head's sequence number and hash at a moment, signed with the node's Ed25519
key and appended to a file that the database's writers cannot reach (operations.md: ship it to another host
or a write-once store). Verification then fails when an entry a checkpoint covers is missing or carries
another hash. What happened after the last checkpoint is covered only by the next one: take them daily (the
background duty) and on demand (`haiquan audit checkpoint`)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.settings import Settings
from haiquan.kit.tables import AuditEntry

KIND = "haiquan.audit.checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    node: str
    seq: int
    hash: str
    entries: int
    at: str
    key_id: str
    signature: str = ""
    kind: str = KIND
    version: int = 1

    def signed_bytes(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


class CheckpointError(ValueError):
    """A checkpoint file or line that cannot be read; the message names the line."""


# --- keys -------------------------------------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The node's signing key: read from `path` (PEM), or generated there once (mode 0600)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path}: not an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise CheckpointError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("not an Ed25519 public key")
    return key


# --- taking, storing, reading -----------------------------------------------------------------------------


def head(session: Session) -> tuple[int, str, int] | None:
    """(seq, hash, number of entries) of the chain's last entry; None when the chain is empty."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if last is None:
        return None
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return int(last[0]), str(last[1]), int(count)


def sign(key: Ed25519PrivateKey, *, node: str, seq: int, hash: str, entries: int) -> Checkpoint:
    unsigned = Checkpoint(
        node=node,
        seq=seq,
        hash=hash,
        entries=entries,
        at=clock.now().isoformat(),
        key_id=key_id(key.public_key()),
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def take(session: Session, key: Ed25519PrivateKey, node: str) -> Checkpoint | None:
    """A signed checkpoint of the chain's head as this transaction sees it; None when the chain is empty."""
    found = head(session)
    if found is None:
        return None
    seq, digest, count = found
    return sign(key, node=node, seq=seq, hash=digest, entries=count)


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(checkpoint.to_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def parse(line: str, where: str) -> Checkpoint:
    try:
        data: dict[str, Any] = json.loads(line)
        if data.get("kind") != KIND:
            raise CheckpointError(f"{where}: not a checkpoint (kind {data.get('kind')!r})")
        return Checkpoint(
            node=str(data["node"]),
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            entries=int(data["entries"]),
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
            version=int(data.get("version", 1)),
        )
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"{where}: unreadable checkpoint ({type(exc).__name__}: {exc})") from None


def read(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse(line, f"{path}:{n}") for n, line in enumerate(lines, 1) if line.strip()]


def signature_ok(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def due(path: Path, every: timedelta) -> bool:
    """True when the file's last checkpoint is older than `every` (or there is none)."""
    found = read(path)
    if not found:
        return True
    return clock.now() - datetime.fromisoformat(found[-1].at) >= every


# --- checking a chain against checkpoints ----------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    checkpoint: Checkpoint
    reason: str

    def __str__(self) -> str:
        cp = self.checkpoint
        return f"checkpoint of {cp.at} (seq={cp.seq}, node {cp.node}): {self.reason}"


def check(
    checkpoints: list[Checkpoint], public: Ed25519PublicKey, hash_at: dict[int, str], last_seq: int
) -> Mismatch | None:
    """The first checkpoint the chain contradicts: a bad signature, an entry it covers that is gone (the
    chain now ends before it), or an entry at its sequence number with another hash (history rewritten)."""
    for cp in checkpoints:
        if not signature_ok(cp, public):
            return Mismatch(cp, "signature does not verify with the trusted public key")
        if cp.seq > last_seq:
            return Mismatch(cp, f"the chain ends at seq={last_seq}: entries it covered were deleted")
        found = hash_at.get(cp.seq)
        if found is None:
            return Mismatch(cp, f"entry seq={cp.seq} is missing: entries it covered were deleted")
        if found != cp.hash:
            return Mismatch(cp, f"entry seq={cp.seq} has another hash: history up to it was rewritten")
    return None


def hashes_at(session: Session, seqs: list[int]) -> tuple[dict[int, str], int]:
    """The stored hashes at the checkpoints' sequence numbers, and the chain's last sequence number."""
    last = session.scalar(select(func.max(AuditEntry.seq))) or 0
    found: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        rows = session.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(chunk)))
        found.update({int(s): str(h) for s, h in rows})
    return found, int(last)


# --- where they live, and the daily duty -------------------------------------------------------------------


def key_path(settings: Settings) -> Path:
    return (
        Path(settings.audit_key_file)
        if settings.audit_key_file
        else settings.data_dir / "audit" / "signing.key"
    )


def store_path(settings: Settings) -> Path:
    if settings.audit_checkpoint_file:
        return Path(settings.audit_checkpoint_file)
    return settings.data_dir / "audit" / "checkpoints.jsonl"


def checkpoint_now(db: Database, settings: Settings) -> Checkpoint | None:
    """Take, sign and append a checkpoint of the chain's head; None when the chain is empty."""
    key = load_or_create_key(key_path(settings))
    with db.unit_of_work() as uow:
        cp = take(uow.session, key, settings.unit)
    if cp is not None:
        append(store_path(settings), cp)
    return cp


@dataclass
class DailyCheckpoints:
    """The background duty: a checkpoint whenever the last one is older than the configured period (one
    process per database, checked hourly)."""

    db: Database
    settings: Settings
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> Checkpoint | None:
        every = timedelta(hours=self.settings.audit_checkpoint_hours)
        if not due(store_path(self.settings), every):
            return None
        return checkpoint_now(self.db, self.settings)

    def start(self, interval: float = 3600.0, leadership: Leadership | None = None) -> None:
        if self._thread is None and self.settings.audit_checkpoint_hours > 0:
            self._thread = run_duty("audit-checkpoints", interval, self.run_once, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
