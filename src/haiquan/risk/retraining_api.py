"""Retraining from the platform's labels through HTTP: run a challenger/champion comparison, read them,
and the analyst's audited decision that promotes (or rejects) the challenger. Analysts only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute
from haiquan.risk import retraining, scoring
from haiquan.risk.api import ANALYSTS

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], route_class=TransactionRoute)


class RetrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cutoff: datetime = Field(description="Only labels known before it train the challenger")
    test_to: datetime = Field(description="The held-out period is [cutoff, test_to)")
    model_dir: str = Field(min_length=1, max_length=500, description="Server folder for the model file")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    promote: bool
    why: str = Field(min_length=3, max_length=2000)


class ComparisonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    challenger: str
    champion: str | None
    cutoff: datetime
    test_to: datetime
    metrics: dict[str, Any]
    created_at: datetime
    created_by: str
    decision: str
    decided_by: str | None
    decided_at: datetime | None
    why: str


def holder(request: Request) -> scoring.ModelHolder:
    engine = getattr(request.app.state, "channel_engine", None)
    models = getattr(engine, "models", None)
    return models if isinstance(models, scoring.ModelHolder) else scoring.ModelHolder()


@router.post(
    "/retraining", status_code=201, response_model=ComparisonOut, summary="Train from our labels, compare"
)
def retrain(tx: Tx, body: RetrainIn) -> ComparisonOut:
    tx.principal.require_officer(*ANALYSTS)
    row = retraining.train_and_compare(
        tx.session, cutoff=body.cutoff, test_to=body.test_to, model_dir=Path(body.model_dir),
        actor=tx.principal.label,
    )  # fmt: skip
    return ComparisonOut.model_validate(row)


@router.get("/comparisons", response_model=list[ComparisonOut], summary="Challenger/champion comparisons")
def comparisons(ctx: Ctx) -> list[ComparisonOut]:
    ctx.principal.require_officer(*ANALYSTS)
    return [ComparisonOut.model_validate(r) for r in retraining.comparisons(ctx.session)]


@router.get("/comparisons/{comparison_id}", response_model=ComparisonOut, summary="One comparison")
def comparison(ctx: Ctx, comparison_id: str) -> ComparisonOut:
    ctx.principal.require_officer(*ANALYSTS)
    return ComparisonOut.model_validate(retraining.comparison(ctx.session, comparison_id))


@router.post(
    "/comparisons/{comparison_id}/decision",
    response_model=ComparisonOut,
    summary="Promote or reject (audited)",
)
def decide(tx: Tx, comparison_id: str, body: DecisionIn, request: Request) -> ComparisonOut:
    tx.principal.require_officer(*ANALYSTS)
    row = retraining.decide(
        tx.session, comparison_id=comparison_id, promote=body.promote, why=body.why, actor=tx.principal.label,
        holder=holder(request),
    )  # fmt: skip
    return ComparisonOut.model_validate(row)
