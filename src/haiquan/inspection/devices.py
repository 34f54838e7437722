"""Scanners' device keys: `hqs_<12 hex key id>_<secret>`, random, shown once, stored as SHA-256 (as API
keys are, kit.auth). A scanner posting with its device key acts as itself (`scanner:<code>/<serial>`) in
its operator's scope; a revoked scanner, or one whose location is no longer approved, is refused."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from haiquan.inspection import repository as repo
from haiquan.inspection.domain import InspectionLocationStatus
from haiquan.kit.auth import Principal, Scope, same_hash
from haiquan.kit.errors import Unauthorized

PREFIX = "hqs_"
KIND = "scanner"


def new_device_key() -> tuple[str, str, str]:
    """(key shown once, key id, stored hash)."""
    key_id = secrets.token_hex(6)
    full = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return full, key_id, hashlib.sha256(full.encode()).hexdigest()


def _key_id(full: str) -> str | None:
    key_id, sep, secret = full.removeprefix(PREFIX).partition("_")
    return key_id if sep and len(key_id) == 12 and secret else None


def principal_from_device_key(session: Session, key: str) -> Principal:
    key_id = _key_id(key) if key.startswith(PREFIX) else None
    found = repo.unscoped_scanner_by_key(session, key_id) if key_id else None
    if found is None or not same_hash(found[0].key_hash, hashlib.sha256(key.encode()).hexdigest()):
        raise Unauthorized("the device key is not valid", code="invalid_device_key")
    scanner, loc = found
    if scanner.revoked_at is not None or loc.status != InspectionLocationStatus.APPROVED:
        raise Unauthorized("this scanner or its location is no longer in service", code="device_revoked")
    return Principal(
        kind=KIND,
        id=scanner.id,
        name=f"{loc.code}/{scanner.serial}",
        scope=Scope(units=frozenset(), enterprise_id=loc.operator_id, tax_code=loc.operator_tax_code),
        tax_code=loc.operator_tax_code,
    )
