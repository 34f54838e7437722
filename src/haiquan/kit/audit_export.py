"""The audit log as a file that can be checked without the database (`haiquan audit export`,
`haiquan audit verify --offline`).

One JSON object per line: a header (format, node, time, the node's public key), every entry in chain order
with its stored hashes, then the signed checkpoints known at export time, the last one taken at the export.
The offline check recomputes every hash from the entries' content, follows the chain, and checks each
checkpoint's signature with a public key the checker trusts and its sequence number and hash against the
chain: an export cut short, or rewritten with its hashes recomputed, fails at a named line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from haiquan.kit import audit, checkpoints, clock
from haiquan.kit.checkpoints import Checkpoint, CheckpointError
from haiquan.kit.tables import AuditEntry

FORMAT = "haiquan.audit.export"
ENTRY_FIELDS = (
    "seq",
    "id",
    "at",
    "actor",
    "action",
    "target",
    "unit",
    "outcome",
    "detail",
    "prev_hash",
    "hash",
)


def _entry_line(row: AuditEntry) -> str:
    data = {name: getattr(row, name) for name in ENTRY_FIELDS}
    data["at"] = row.at.isoformat()
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write(
    session: Session,
    out: IO[str],
    *,
    node: str,
    public_pem: str,
    known: list[Checkpoint],
    final: Checkpoint | None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to `out`; returns the number of entries written."""
    header = {"kind": FORMAT, "version": 1, "node": node, "exported_at": clock.now().isoformat(),
              "public_key": public_pem}  # fmt: skip
    out.write(json.dumps(header, separators=(",", ":")) + "\n")
    count = 0
    for row in audit.entries(session):
        if final is not None and row.seq > final.seq:
            break  # committed after the export's checkpoint was taken: the next export carries it
        out.write(_entry_line(row) + "\n")
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(count % 1000)
    for cp in [*known, *([final] if final is not None else [])]:
        out.write(cp.to_json() + "\n")
    return count


@dataclass(frozen=True)
class Report:
    entries: int
    checkpoints: int
    problem: str | None
    key_from_export: bool


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise CheckpointError(f"line {n}: not JSON ({exc.msg})") from None


def _digest(data: dict[str, Any], prev: str) -> str:
    entry = {name: data.get(name) for name in ENTRY_FIELDS}
    entry["at"] = datetime.fromisoformat(str(data["at"]))
    return audit.digest(entry, prev)


class _Walk:
    """Follows the chain line by line, keeping the hash at each sequence number for the checkpoints."""

    def __init__(self) -> None:
        self.prev = audit.GENESIS
        self.last_seq = 0
        self.count = 0
        self.hash_at: dict[int, str] = {}

    def step(self, n: int, data: dict[str, Any]) -> str | None:
        try:
            seq = int(data["seq"])
            if data.get("prev_hash") != self.prev:
                return f"line {n} (entry seq={seq}): previous hash does not match the entry before it"
            if _digest(data, self.prev) != data.get("hash"):
                return f"line {n} (entry seq={seq}): content does not match its hash"
        except (KeyError, TypeError, ValueError) as exc:
            return f"line {n}: unreadable entry ({type(exc).__name__}: {exc})"
        if seq <= self.last_seq:
            return f"line {n} (entry seq={seq}): out of order after seq={self.last_seq}"
        self.prev, self.last_seq = str(data["hash"]), seq
        self.hash_at[seq] = self.prev
        self.count += 1
        return None


def verify_file(
    path: Path, trusted: Ed25519PublicKey | None, extra: list[Checkpoint] | None = None
) -> Report:
    """Check an export on its own. `trusted`: the public key to check signatures with; None uses the key in
    the export's header (which proves only that the file is consistent, not who signed it). `extra`:
    checkpoints kept elsewhere (the node's checkpoint file, an auditor's copy) checked against it too."""
    walk, found = _Walk(), list(extra or [])
    public, from_export = trusted, trusted is None
    for n, data in _lines(path):
        kind = data.get("kind")
        if kind == FORMAT:
            if public is None:
                public = checkpoints.load_public_key(str(data.get("public_key", "")))
        elif kind == checkpoints.KIND:
            found.append(checkpoints.parse(json.dumps(data), f"line {n}"))
        else:
            problem = walk.step(n, data)
            if problem is not None:
                return Report(walk.count, len(found), problem, from_export)
    if public is None:
        return Report(walk.count, len(found), "no header with a public key, and none given", from_export)
    mismatch = checkpoints.check(found, public, walk.hash_at, walk.last_seq)
    if not found:
        return Report(walk.count, 0, "no checkpoint: nothing signed vouches for this export", from_export)
    return Report(walk.count, len(found), str(mismatch) if mismatch else None, from_export)
