"""Terminal operators' signing certificates (supervision.keys): customs registers and revokes them; the
operator's system and the officers of its unit list them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute
from haiquan.supervision import keys
from haiquan.supervision.schemas import KeyIn, KeyOut, KeyRevokeIn
from haiquan.supervision.tables import OperatorKeyRow

router = APIRouter(prefix="/api/v1", tags=["supervision"], route_class=TransactionRoute)
OperatorId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
KeyName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-]+$")]


def key_out(k: OperatorKeyRow) -> KeyOut:
    return KeyOut(key_name=k.key_name, fingerprint=k.fingerprint, created_at=k.created_at,
                  not_before=k.not_before, not_after=k.not_after, revoked_at=k.revoked_at)  # fmt: skip


@router.post(
    "/terminal-operators/{operator_id}/keys",
    status_code=201,
    response_model=KeyOut,
    summary="Register an operator's signing certificate (customs: officers with an administrative role)",
)
def add_key(operator_id: OperatorId, body: KeyIn, tx: Tx) -> KeyOut:
    return key_out(keys.add_key(tx.session, principal=tx.principal, operator_id=operator_id, data=body))


@router.get(
    "/terminal-operators/{operator_id}/keys",
    response_model=list[KeyOut],
    summary="An operator's signing certificates (its officers; the operator's own system)",
)
def list_keys(operator_id: OperatorId, ctx: Ctx) -> list[KeyOut]:
    return [key_out(k) for k in keys.listed(ctx.session, principal=ctx.principal, operator_id=operator_id)]


@router.post(
    "/terminal-operators/{operator_id}/keys/{key_name}/revoke",
    response_model=KeyOut,
    summary="Revoke a signing certificate now (customs): messages signed with it are refused",
)
def revoke_key(operator_id: OperatorId, key_name: KeyName, body: KeyRevokeIn, tx: Tx) -> KeyOut:
    row = keys.revoke_key(tx.session, principal=tx.principal, operator_id=operator_id, key_name=key_name,
                          reason=body.reason)  # fmt: skip
    return key_out(row)
