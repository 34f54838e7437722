"""Documents a trader attaches to an application: checked before anything is stored (an allow-list of
types, each recognised by its first bytes and not by what the caller declares; a size limit; a file name
without a path), then kept under `<data_dir>/application-documents`, named by their SHA-256 and without an
extension: nothing here is ever executed, and the download is always an attachment with an inert type."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from haiquan.kit.domain_errors import ValidationFailed

FOLDER = "application-documents"
MAX_BYTES = 10 * 1024 * 1024
MAX_PER_APPLICATION = 20
# declared type -> the extensions a name may carry, and how its bytes begin
ALLOWED: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "application/pdf": ((".pdf",), (b"%PDF-",)),
    "image/jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "image/png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "application/xml": ((".xml",), (b"<?xml ", b"\xef\xbb\xbf<?xml ")),
}
# how a stored document is served: never a type a browser would run (XML is shown as text)
SERVED_AS = {
    "application/pdf": "application/pdf",
    "image/jpeg": "image/jpeg",
    "image/png": "image/png",
    "application/xml": "text/plain; charset=utf-8",
}
ACTIVE = re.compile(rb"<\s*(html|script|body|iframe|svg|object)\b|<!doctype\s+html", re.IGNORECASE)
SAFE_NAME = re.compile(r"^[\w\- .()]{1,120}$")


def check(filename: str, content_type: str, data: bytes) -> str:
    """The SHA-256 of an acceptable document, else a 422 naming the field that is wrong."""
    if content_type not in ALLOWED:
        raise ValidationFailed(
            f"only {', '.join(ALLOWED)} are accepted", field="content_type", code="document_type_refused"
        )
    extensions, magics = ALLOWED[content_type]
    name = filename.strip()
    if not SAFE_NAME.match(name) or name.startswith(".") or not name.lower().endswith(extensions):
        raise ValidationFailed(
            f"a plain file name ending in {' or '.join(extensions)}", field="filename", code="document_name"
        )
    if not data:
        raise ValidationFailed("the document is empty", field="data", code="document_empty")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            f"{len(data)} bytes, more than the {MAX_BYTES} allowed", field="data", code="document_too_large"
        )
    if not data.startswith(magics):
        raise ValidationFailed(
            f"the content is not {content_type} (its first bytes say otherwise)",
            field="data",
            code="document_content_mismatch",
        )
    if ACTIVE.search(data[:4096]):
        raise ValidationFailed(
            "the document carries HTML or script: refused", field="data", code="document_active_content"
        )
    return hashlib.sha256(data).hexdigest()


def key_for(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


def path_of(data_dir: Path, key: str) -> Path | None:
    base = (data_dir / FOLDER).resolve()
    target = (base / key).resolve()
    return target if target.is_relative_to(base) else None


def store(data_dir: Path, sha256: str, data: bytes) -> str:
    """Write a checked document once (the same content twice is one file); its storage key."""
    key = key_for(sha256)
    target = path_of(data_dir, key)
    assert target is not None
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return key


def read(data_dir: Path, key: str) -> bytes | None:
    target = path_of(data_dir, key)
    if target is None or not target.is_file():
        return None
    return target.read_bytes()
