"""Enterprises' credentials: API keys (scopes, an optional end, several at once so that a system rotates its
key without downtime: issue the new one, deploy it, revoke the old) and the webhook (its URL, checked by
kit.outbound; its signing secret, shown once when made and when rotated, the previous one still signing
for `webhook_secret_overlap_hours`). Each change is audited and recorded as an event of the organisation's
catalogue in the caller's transaction; no event or audit entry carries a secret. Services never commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbound, outbox
from haiquan.kit.auth import ALL_SCOPES, new_api_key
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.tables import ApiKeyRow, EnterpriseRow

HEAD_OFFICE = "00"  # enterprises registered without a unit are the General Department's
MAX_KEY_DAYS = 3 * 366  # an expiry further than this is a typo


def _record(
    session: Session, ent: EnterpriseRow, kind: OrganizationEvent, actor: str, **detail: object
) -> None:
    unit = ent.unit or HEAD_OFFICE
    payload = {"enterprise_id": ent.id, "tax_code": ent.tax_code, **detail}
    outbox.record(session, type=kind, unit=unit, actor=actor, payload=payload)
    action = "enterprise." + kind.split(".", 1)[1]
    audit.append(session, actor=actor, action=action, target=f"enterprise:{ent.tax_code}", unit=unit,
                 detail=dict(detail))  # fmt: skip


def check_scopes(scopes: Iterable[str], *, within: frozenset[str] | None = None) -> list[str]:
    """Known scopes, sorted; with `within` (the issuing key's scopes), none beyond them."""
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in ALL_SCOPES]
    if unknown or not wanted:
        raise ValidationFailed(
            f"scopes must be among: {', '.join(sorted(ALL_SCOPES))}", field="scopes", code="unknown_scope"
        )
    if within is not None and not set(wanted) <= within:
        beyond = ", ".join(sorted(set(wanted) - within))
        raise ValidationFailed(
            f"a key cannot issue a key with more than its own scopes ({beyond})",
            field="scopes",
            code="scope_beyond_issuer",
        )
    return wanted


def check_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    now = clock.now()
    if expires_at <= now:
        raise ValidationFailed("expires_at must be in the future", field="expires_at")
    if expires_at > now + timedelta(days=MAX_KEY_DAYS):
        raise ValidationFailed(f"expires_at is at most {MAX_KEY_DAYS} days ahead", field="expires_at")
    return expires_at


def issue_key(
    session: Session,
    *,
    enterprise: EnterpriseRow,
    actor: str,
    label: str = "",
    scopes: Iterable[str] = ALL_SCOPES,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKeyRow]:
    """A new API key (shown once, stored hashed); the enterprise's other keys keep working."""
    wanted = check_scopes(scopes)
    until = check_expiry(expires_at)
    full, key_id, digest = new_api_key()
    row = ApiKeyRow(key_id=key_id, enterprise_id=enterprise.id, key_hash=digest, label=label[:100],
                    created_at=clock.now(), scopes=" ".join(wanted), expires_at=until)  # fmt: skip
    session.add(row)
    _record(session, enterprise, OrganizationEvent.API_KEY_ISSUED, actor, key_id=key_id, label=row.label,
            scopes=wanted, expires_at=until.isoformat() if until else None)  # fmt: skip
    return full, row


def keys_of(session: Session, enterprise_id: str) -> list[ApiKeyRow]:
    return list(
        session.scalars(
            select(ApiKeyRow).where(ApiKeyRow.enterprise_id == enterprise_id).order_by(ApiKeyRow.created_at)
        )
    )


def revoke_key(session: Session, *, enterprise: EnterpriseRow, key_id: str, actor: str) -> ApiKeyRow:
    """End one key now (in every process within the callers' memory's 5 s); revoking a revoked key
    changes nothing."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.enterprise_id != enterprise.id:
        raise NotFound(f"no API key {key_id} of this enterprise", field="key_id")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        _record(session, enterprise, OrganizationEvent.API_KEY_REVOKED, actor, key_id=key_id)
        session.flush()  # the mapper event forgets this process's memory of callers at once
    return row


def revoke_all(session: Session, *, enterprise: EnterpriseRow, actor: str) -> int:
    rows = [r for r in keys_of(session, enterprise.id) if r.revoked_at is None]
    for row in rows:
        revoke_key(session, enterprise=enterprise, key_id=row.key_id, actor=actor)
    return len(rows)


def host_of(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def set_webhook(
    session: Session, *, enterprise: EnterpriseRow, url: str | None, development: bool, actor: str
) -> str | None:
    """Set (or with None turn off) the webhook URL; returns the signing secret when one was made now (the
    first URL ever set), else None: a secret is shown once, never again on an update."""
    if url is not None:
        outbound.check_registration(url, development=development)
    enterprise.webhook_url = url
    made = None
    if url is not None and not enterprise.webhook_secret:
        made = enterprise.webhook_secret = secrets.token_urlsafe(24)
    _record(session, enterprise, OrganizationEvent.WEBHOOK_CHANGED, actor, host=host_of(url))
    return made


def rotate_webhook_secret(
    session: Session, *, enterprise: EnterpriseRow, overlap_hours: int, actor: str
) -> tuple[str, datetime | None]:
    """A new signing secret, returned once; the previous one also signs deliveries (a second header) until
    the returned time, so that the receiver switches without refusing a genuine delivery."""
    previous = enterprise.webhook_secret
    until = clock.now() + timedelta(hours=overlap_hours) if previous and overlap_hours > 0 else None
    enterprise.webhook_secret = secrets.token_urlsafe(24)
    enterprise.webhook_secret_previous = previous if until else None
    enterprise.webhook_previous_until = until
    _record(session, enterprise, OrganizationEvent.WEBHOOK_SECRET_ROTATED, actor,
            previous_valid_until=until.isoformat() if until else None)  # fmt: skip
    return enterprise.webhook_secret, until


def scopes_of(row: ApiKeyRow) -> list[str]:
    return sorted(row.scopes.split())
