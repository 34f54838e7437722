"""The pages' scripts and styles at content-hashed URLs (`/assets/<name>.<hash>.<ext>`): a browser keeps
them a year without asking again (`Cache-Control: immutable`), a changed file gets a new URL, and the
bytes travel gzip-compressed when the browser accepts it (compressed once, in memory). Decision 0023."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"
PREFIX = "/assets/"
# name used by the templates → file under static/ (Plotly: the cartesian build, the trace types we draw)
FILES = {
    "haiquan.css": "haiquan.css",
    "haiquan.js": "haiquan.js",
    "charts.js": "charts.js",
    "plotly.js": "vendor/plotly-cartesian.min.js",
}
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    url: str
    media_type: str
    raw: bytes
    gzipped: bytes
    etag: str


@cache
def load(name: str) -> Asset:
    path = STATIC / FILES[name]
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    stem, dot, ext = name.rpartition(".")
    url = f"{PREFIX}{stem}.{digest[:12]}{dot}{ext}"
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return Asset(url, TYPES[path.suffix], raw, packed, f'"{digest[:32]}"')


def url(name: str) -> str:
    """The URL a template writes for one of FILES (`{{ asset('plotly.js') }}`)."""
    return load(name).url


@lru_cache(maxsize=1)
def by_url() -> dict[str, Asset]:
    return {load(n).url: load(n) for n in FILES}
