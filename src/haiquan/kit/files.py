"""Files named by a person (an analyst's model file, a CSV to load): a regular file of at most `limit`
bytes, checked before anything reads it. A device (`/dev/zero`, `/dev/urandom`), a FIFO, a directory or a
file too large is refused with the reason instead of being read until the memory runs out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MiB = 1024 * 1024


class InputFileError(ValueError):
    """The path does not name a readable regular file within the size limit."""


def checked_file(path: str | os.PathLike[str], *, limit: int) -> Path:
    """The resolved path of a regular file of at most `limit` bytes, else InputFileError saying why."""
    file = Path(path).expanduser()
    try:
        info = file.stat()  # follows links: a link to /dev/zero is a device
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputFileError(f"{path}: {kind}")
    if info.st_size > limit:
        raise InputFileError(f"{path}: {info.st_size} bytes, more than the {limit} allowed")
    return file.resolve()


def read_limited(path: str | os.PathLike[str], *, limit: int) -> bytes:
    """The bytes of a checked file; a file that grew past `limit` since the check is refused too."""
    file = checked_file(path, limit=limit)
    with file.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputFileError(f"{path}: more than the {limit} bytes allowed")
    return data
