"""Credential routes: an officer's logout and an administrator's view and revocation of an officer's
sessions; an enterprise's API keys (issue, list, revoke: rotation without downtime) and webhook (URL,
signing secret rotation), by the enterprise itself with a key carrying the `manage` scope or by an
administrator. A secret (an API key, a webhook secret) is in one answer only: with an Idempotency-Key a
replay answers the same with the secret null, as it is never stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from haiquan.deps import Ctx, RequestContext, Tx
from haiquan.kit import clock
from haiquan.kit.auth import ALL_SCOPES, KeyScope, Role
from haiquan.kit.errors import NotFound
from haiquan.kit.transaction import Transaction, TransactionRoute
from haiquan.organization import credentials, officers, repository, service, sessions
from haiquan.organization.schemas import (
    ApiKeyIn,
    ApiKeyIssuedOut,
    ApiKeyOut,
    SessionOut,
    SessionsRevokedOut,
    WebhookIn,
    WebhookOut,
    WebhookSecretOut,
)
from haiquan.organization.tables import ApiKeyRow, EnterpriseRow

router = APIRouter(prefix="/api/v1", tags=["credentials"], route_class=TransactionRoute)
ADMIN = Role.ADMINISTRATOR.value
Username = Annotated[str, Path(min_length=1, max_length=60, description="The officer's login name")]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="The key's id (hq_<key_id>_...)")]
TaxCode = Annotated[str, Path(pattern=r"^[0-9]{10}(-?[0-9]{3})?$", description="The enterprise's tax code")]


@router.post(
    "/auth/logout", response_model=SessionsRevokedOut, summary="End the caller's officer session now"
)
def logout(tx: Tx) -> SessionsRevokedOut:
    tx.principal.require_officer()
    sid = tx.principal.session_id or ""
    return SessionsRevokedOut(
        revoked=sessions.revoke(tx.session, session_id=sid, reason="logout", actor=tx.principal.label)
    )


@router.get(
    "/officers/{username}/sessions",
    response_model=list[SessionOut],
    summary="An officer's open sessions (administrators)",
)
def officer_sessions(username: Username, ctx: Ctx) -> list[SessionOut]:
    ctx.principal.require_officer(ADMIN)
    row = officers.by_username(ctx.session, username, actor=ctx.principal)
    found = sessions.open_sessions(ctx.session, officer=row, idle_minutes=ctx.settings.session_idle_minutes)
    return [SessionOut(id=s.id, created_at=s.created_at, last_seen_at=s.last_seen_at, expires_at=s.expires_at)
            for s in found]  # fmt: skip


@router.post(
    "/officers/{username}/sessions/revoke",
    response_model=SessionsRevokedOut,
    summary="End every session of an officer now (administrators)",
)
def revoke_officer_sessions(username: Username, tx: Tx) -> SessionsRevokedOut:
    tx.principal.require_officer(ADMIN)
    row = officers.by_username(tx.session, username, actor=tx.principal)
    n = sessions.revoke_all(tx.session, officer=row, reason="revoked", actor=tx.principal.label)
    return SessionsRevokedOut(revoked=n)


def key_out(row: ApiKeyRow, full: str | None = None) -> ApiKeyOut:
    active = row.revoked_at is None and (row.expires_at is None or row.expires_at > clock.now())
    fields: dict[str, Any] = {"key_id": row.key_id, "label": row.label, "scopes": credentials.scopes_of(row),
                              "created_at": row.created_at, "expires_at": row.expires_at,
                              "revoked_at": row.revoked_at, "active": active}  # fmt: skip
    return ApiKeyIssuedOut(**fields, key=full) if full is not None else ApiKeyOut(**fields)


def _own(ctx: RequestContext | Transaction) -> EnterpriseRow:
    """The calling enterprise, for a key carrying the `manage` scope."""
    ctx.principal.require_enterprise()
    ctx.principal.require_scope(KeyScope.MANAGE)
    return repository.own_enterprise(ctx.session, scope=ctx.principal.scope)


def _administered(ctx: RequestContext | Transaction, tax_code: str) -> EnterpriseRow:
    ctx.principal.require_officer(ADMIN)
    ent = service.enterprise_by_tax_code(ctx.session, tax_code)
    if not ctx.principal.scope.covers_unit(ent.unit or credentials.HEAD_OFFICE):
        raise NotFound(f"no enterprise with tax code {tax_code} in your scope", field="tax_code")
    return ent


def _issue(tx: Transaction, ent: EnterpriseRow, body: ApiKeyIn, default: frozenset[str]) -> ApiKeyIssuedOut:
    within = tx.principal.key_scopes  # an enterprise's key issues no more than its own scopes
    scopes = credentials.check_scopes(body.scopes if body.scopes is not None else default, within=within)
    full, row = credentials.issue_key(tx.session, enterprise=ent, actor=tx.principal.label,
                                      label=body.label, scopes=scopes, expires_at=body.expires_at)  # fmt: skip
    tx.session.flush()
    out = key_out(row, full)
    assert isinstance(out, ApiKeyIssuedOut)
    tx.keep(out.model_copy(update={"key": None}))  # a replay answers without the key: shown once
    return out


def _revoke(tx: Transaction, ent: EnterpriseRow, key_id: str) -> ApiKeyOut:
    return key_out(
        credentials.revoke_key(tx.session, enterprise=ent, key_id=key_id, actor=tx.principal.label)
    )


@router.get(
    "/enterprise/api-keys", response_model=list[ApiKeyOut], summary="The calling enterprise's API keys"
)
def own_keys(ctx: Ctx) -> list[ApiKeyOut]:
    return [key_out(r) for r in credentials.keys_of(ctx.session, _own(ctx).id)]


@router.post(
    "/enterprise/api-keys",
    status_code=201,
    response_model=ApiKeyIssuedOut,
    summary="Issue another API key (rotation: the caller's keys keep working until revoked); shown once",
)
def issue_own_key(body: ApiKeyIn, tx: Tx) -> ApiKeyIssuedOut:
    return _issue(tx, _own(tx), body, tx.principal.key_scopes or frozenset())


@router.post(
    "/enterprise/api-keys/{key_id}/revoke",
    response_model=ApiKeyOut,
    summary="Revoke one of the caller's keys",
)
def revoke_own_key(key_id: KeyId, tx: Tx) -> ApiKeyOut:
    return _revoke(tx, _own(tx), key_id)


@router.get(
    "/enterprises/{tax_code}/api-keys",
    response_model=list[ApiKeyOut],
    summary="An enterprise's API keys (administrators)",
)
def enterprise_keys(tax_code: TaxCode, ctx: Ctx) -> list[ApiKeyOut]:
    return [key_out(r) for r in credentials.keys_of(ctx.session, _administered(ctx, tax_code).id)]


@router.post(
    "/enterprises/{tax_code}/api-keys",
    status_code=201,
    response_model=ApiKeyIssuedOut,
    summary="Issue an API key for an enterprise (administrators); shown once",
)
def issue_enterprise_key(tax_code: TaxCode, body: ApiKeyIn, tx: Tx) -> ApiKeyIssuedOut:
    return _issue(tx, _administered(tx, tax_code), body, ALL_SCOPES)


@router.post(
    "/enterprises/{tax_code}/api-keys/{key_id}/revoke",
    response_model=ApiKeyOut,
    summary="Revoke an enterprise's API key (administrators)",
)
def revoke_enterprise_key(tax_code: TaxCode, key_id: KeyId, tx: Tx) -> ApiKeyOut:
    return _revoke(tx, _administered(tx, tax_code), key_id)


@router.put("/enterprise/webhook", response_model=WebhookOut, summary="Set the enterprise's webhook URL")
def set_webhook(body: WebhookIn, tx: Tx) -> WebhookOut:
    ent = _own(tx)
    url = str(body.url) if body.url else None
    made = credentials.set_webhook(tx.session, enterprise=ent, url=url, development=tx.settings.development,
                                   actor=tx.principal.label)  # fmt: skip
    tx.keep(WebhookOut(url=url, secret=None))  # a replay answers without the secret: shown once
    return WebhookOut(url=url, secret=made)


@router.post(
    "/enterprise/webhook/secret",
    response_model=WebhookSecretOut,
    summary="Rotate the webhook signing secret; the new one is shown once, the old one signs a while longer",
)
def rotate_webhook_secret(tx: Tx) -> WebhookSecretOut:
    ent = _own(tx)
    secret, until = credentials.rotate_webhook_secret(
        tx.session, enterprise=ent, overlap_hours=tx.settings.webhook_secret_overlap_hours,
        actor=tx.principal.label,
    )  # fmt: skip
    tx.keep(WebhookSecretOut(secret=None, previous_valid_until=until))
    return WebhookSecretOut(secret=secret, previous_valid_until=until)
