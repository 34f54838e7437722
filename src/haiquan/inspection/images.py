"""Customs' image store: scanner images kept as files under `<data_dir>/scanner-images`, named by their
SHA-256 (content-addressed: the same image stored twice is one file). The database keeps the key and the
hash only. A storage key is a relative path checked by inspection.scanning; nothing outside the store's
folder is ever read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from haiquan.inspection import scanning

FOLDER = "scanner-images"
EXTENSION = {"image/png": "png", "image/jpeg": "jpg", "application/dicos": "dcs"}


def root(data_dir: Path) -> Path:
    return data_dir / FOLDER


def key_for(sha256: str, content_type: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}.{EXTENSION[content_type]}"


def path_of(data_dir: Path, key: str) -> Path | None:
    """The file a key names inside the store, or None (a key that leaves the store names nothing)."""
    base = root(data_dir).resolve()
    target = (base / key).resolve()
    return target if target.is_relative_to(base) else None


def put(data_dir: Path, data: bytes, content_type: str) -> tuple[str, str]:
    """Store `data` (checked against its type's first bytes); returns (key, sha256)."""
    digest = hashlib.sha256(data).hexdigest()
    scanning.check_content(data, sha256=digest, size=len(data), content_type=content_type)
    key = key_for(digest, content_type)
    target = path_of(data_dir, key)
    assert target is not None
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: a reader never sees half an image
    return key, digest


def read(data_dir: Path, key: str) -> bytes | None:
    target = path_of(data_dir, key)
    if target is None or not target.is_file():
        return None
    return target.read_bytes()
