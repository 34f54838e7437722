"""Administrators set officers' expert fields, which route work (the audit queue to the audit field)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute
from haiquan.organization import expertise, officers

router = APIRouter(prefix="/api/v1", tags=["organization"], route_class=TransactionRoute)
Username = Annotated[str, Path(min_length=2, max_length=60)]


class ExpertFieldsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        max_length=7, description="tax, supervision, audit, it, risk, inspection, customs_control"
    )


class ExpertFieldsOut(BaseModel):
    username: str
    unit: str
    fields: list[str]


@router.get(
    "/officers/{username}/expert-fields", response_model=ExpertFieldsOut, summary="An officer's expert fields"
)
def get_fields(username: Username, ctx: Ctx) -> ExpertFieldsOut:
    ctx.principal.require_officer("administrator")
    row = officers.by_username(ctx.session, username, actor=ctx.principal)
    return ExpertFieldsOut(username=row.username, unit=row.unit, fields=list(row.expert_fields or []))


@router.put(
    "/officers/{username}/expert-fields",
    response_model=ExpertFieldsOut,
    summary="Set an officer's expert fields",
)
def put_fields(username: Username, body: ExpertFieldsIn, tx: Tx) -> ExpertFieldsOut:
    tx.principal.require_officer("administrator")
    row = expertise.set_fields(
        tx.session, username=username, fields=body.fields, actor=tx.principal.label, by=tx.principal
    )
    return ExpertFieldsOut(username=row.username, unit=row.unit, fields=list(row.expert_fields or []))
