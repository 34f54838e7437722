"""Scanner results, in plain Python: what an image reference may be, its hash, its type, and what a
verdict does to the declaration or the parcel it concerns."""

from __future__ import annotations

import re
from enum import StrEnum


class ScanVerdict(StrEnum):
    CLEAR = "clear"
    SUSPICIOUS = "suspicious"


class Effect(StrEnum):
    RECORDED = "recorded"  # a clear image, or nothing more to do
    TURNED_RED = "turned_red"  # the declaration moved to the red lane (physical inspection)
    ALREADY_RED = "already_red"
    FLAGGED = "flagged"  # the declaration is past the point where its lane changes: recorded, shown
    HELD = "held"  # a parcel held (lowvalue)


class ReferenceKind(StrEnum):
    URL = "url"  # https://..., in the operator's store: shown as a link
    KEY = "key"  # a key in customs' image store: shown on the inspection form
    DICOS = "dicos"  # a DICOS object name: dicos:<UID>, opened in a DICOS viewer


CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "application/dicos"})
SHOWN_INLINE = frozenset({"image/jpeg", "image/png"})
MAX_IMAGE_BYTES = 64 * 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?/[\x21-\x7e]{1,1800}$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,5}$")
_DICOS = re.compile(r"^dicos:[0-9]+(\.[0-9]+){1,40}$")
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


class ScanError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def reference_kind(reference: str, content_type: str) -> ReferenceKind:
    """What the reference is, or ScanError naming `image.reference` / `image.content_type`."""
    if content_type not in CONTENT_TYPES:
        allowed = ", ".join(sorted(CONTENT_TYPES))
        raise ScanError(f"content type {content_type!r} is not one of {allowed}", field="image.content_type")
    if _DICOS.match(reference):
        if content_type != "application/dicos":
            raise ScanError("a dicos: reference names a DICOS object", field="image.content_type")
        return ReferenceKind.DICOS
    if reference.startswith("https://"):
        if not _URL.match(reference):
            raise ScanError("not a well-formed https URL", field="image.reference")
        return ReferenceKind.URL
    if not _KEY.match(reference) or ".." in reference:
        raise ScanError(
            "a reference is an https URL, a storage key (letters, digits, . _ - and /) or dicos:<UID>",
            field="image.reference",
        )
    return ReferenceKind.KEY


def check_hash(sha256: str) -> str:
    value = sha256.strip().lower()
    if not SHA256.match(value):
        raise ScanError("a SHA-256 is 64 hexadecimal digits", field="image.sha256")
    return value


def check_content(data: bytes, *, sha256: str, size: int, content_type: str) -> None:
    """The stored object is the one described: its size, hash and (for PNG and JPEG) its first bytes."""
    import hashlib

    if len(data) != size:
        raise ScanError(f"the stored object has {len(data)} bytes, not {size}", field="image.size_bytes")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ScanError("the stored object's SHA-256 is not the one given", field="image.sha256")
    magic = MAGIC.get(content_type)
    if magic is not None and not data.startswith(magic):
        raise ScanError(f"the stored object is not {content_type}", field="image.content_type")


def effect_on_declaration(verdict: ScanVerdict, *, status: str, channel: str | None) -> Effect:
    """What a verdict does to a commercial declaration: a suspicious image turns a declaration still
    under check red (or finds it red); past that, it is flagged for the officer."""
    if verdict is ScanVerdict.CLEAR:
        return Effect.RECORDED
    if channel == "red":
        return Effect.ALREADY_RED
    if status in ("registered", "documents_requested"):
        return Effect.TURNED_RED
    return Effect.FLAGGED
