"""Risk engine API for analysts (role analyst or administrator): profiles and their versions, testing
criteria against past declarations, value control, compliance classes, lane rates, overrides, learned
models, and performance (also readable by leaders, in their units)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request

from haiquan.deps import Ctx, Tx
from haiquan.kit import clock
from haiquan.kit.auth import LEADER_ROLES, Role
from haiquan.kit.transaction import TransactionRoute
from haiquan.risk import (
    compliance,
    lanes,
    performance,
    profiles,
    registry,
    repository,
    scoring,
    valuecontrol,
    watch,
)
from haiquan.risk.engine import RiskEngine
from haiquan.risk.schemas import (
    ComplianceClassesOut,
    LaneRatesIn,
    LaneRatesOut,
    ModelIn,
    ModelOut,
    OverrideIn,
    OverrideOut,
    PerformanceOut,
    ProfileChange,
    ProfileIn,
    ProfileOut,
    ProfileTestIn,
    ProfileTestOut,
    ProfileVersionOut,
    RecomputedOut,
    RecomputeIn,
    RiskDecisionOut,
    ValueControlIn,
    ValueControlOut,
)

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], route_class=TransactionRoute)
ANALYSTS = (Role.ANALYST.value, Role.ADMINISTRATOR.value)
READERS = (*ANALYSTS, *(r.value for r in LEADER_ROLES))


def _analyst(ctx: Ctx | Tx) -> str:
    ctx.principal.require_officer(*ANALYSTS)
    return ctx.principal.label


def _engine(request: Request) -> RiskEngine | None:
    engine = getattr(request.app.state, "channel_engine", None)
    return engine if isinstance(engine, RiskEngine) else None


def _invalidate_on_commit(tx: Tx) -> None:
    """The engine reads profiles, bounds, rates and overrides again once the change is committed."""
    engine = _engine(tx.request)
    if engine is not None:
        tx.uow.after_commit(engine.invalidate)


# ---- profiles ------------------------------------------------------------------------------------
@router.get("/profiles", response_model=list[ProfileOut], summary="Risk profiles")
def list_profiles(ctx: Ctx, active_only: bool = False) -> list[ProfileOut]:
    _analyst(ctx)
    return [ProfileOut.model_validate(r) for r in profiles.listing(ctx.session, active_only=active_only)]


@router.post("/profiles", status_code=201, response_model=ProfileOut, summary="Add a risk profile")
def add_profile(tx: Tx, body: ProfileIn) -> ProfileOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    return ProfileOut.model_validate(profiles.create(tx.session, data=body, actor=actor))


@router.get("/profiles/{profile_id}", response_model=ProfileOut, summary="One risk profile")
def get_profile(ctx: Ctx, profile_id: str) -> ProfileOut:
    _analyst(ctx)
    return ProfileOut.model_validate(profiles.get(ctx.session, profile_id))


@router.patch("/profiles/{profile_id}", response_model=ProfileOut, summary="Change a profile (a new version)")
def change_profile(tx: Tx, profile_id: str, body: ProfileChange) -> ProfileOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    return ProfileOut.model_validate(
        profiles.change(tx.session, profile_id=profile_id, data=body, actor=actor)
    )


@router.get(
    "/profiles/{profile_id}/versions", response_model=list[ProfileVersionOut], summary="Profile history"
)
def profile_versions(ctx: Ctx, profile_id: str) -> list[ProfileVersionOut]:
    _analyst(ctx)
    return [ProfileVersionOut.model_validate(v) for v in profiles.versions(ctx.session, profile_id)]


@router.post(
    "/profiles/test",
    response_model=ProfileTestOut,
    summary="How many past declarations a criteria text would have hit",
)
def test_profile(ctx: Ctx, body: ProfileTestIn) -> ProfileTestOut:
    _analyst(ctx)
    engine = _engine(ctx.request)
    watched = engine.reference(ctx.session).watched if engine else watch.load_sets(ctx.session)
    return ProfileTestOut.model_validate(
        profiles.test(
            ctx.session, text=body.criteria, scope=ctx.principal.scope, date_from=body.date_from,
            date_to=body.date_to, watched=watched,
        )
    )  # fmt: skip


# ---- value control -------------------------------------------------------------------------------
@router.get("/value-control", response_model=list[ValueControlOut], summary="Accepted unit values")
def list_value_control(ctx: Ctx, hs_prefix: str = Query("", max_length=8)) -> list[ValueControlOut]:
    _analyst(ctx)
    return [ValueControlOut.model_validate(r) for r in valuecontrol.listing(ctx.session, hs_prefix=hs_prefix)]


@router.put("/value-control/{hs_code}/{origin}", response_model=ValueControlOut, summary="Set bounds by hand")
def edit_value_control(tx: Tx, hs_code: str, origin: str, body: ValueControlIn) -> ValueControlOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    row = valuecontrol.edit(tx.session, hs_code=hs_code, origin=origin, data=body, actor=actor)
    return ValueControlOut.model_validate(row)


@router.post(
    "/value-control/recompute",
    response_model=RecomputedOut,
    summary="Learn the bounds from history (manual rows kept)",
)
def recompute_value_control(tx: Tx, body: RecomputeIn) -> RecomputedOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    counts = valuecontrol.recompute(tx.session, days=body.days, min_samples=body.min_samples, actor=actor)
    return RecomputedOut.model_validate(counts)


# ---- compliance ----------------------------------------------------------------------------------
@router.post(
    "/compliance/recompute",
    response_model=ComplianceClassesOut,
    summary="Recompute every declarant's compliance class",
)
def recompute_compliance(tx: Tx) -> ComplianceClassesOut:
    actor = _analyst(tx)
    return ComplianceClassesOut.model_validate(compliance.recompute_all(tx.session, actor=actor))


# ---- lane rates and overrides --------------------------------------------------------------------
@router.get(
    "/lane-rates/{office}", response_model=LaneRatesOut, summary="Lane rates of an office ('*' = default)"
)
def get_rates(ctx: Ctx, office: str) -> LaneRatesOut:
    ctx.principal.require_officer(*READERS)
    return lanes.rates(ctx.session, office)


@router.put("/lane-rates/{office}", response_model=LaneRatesOut, summary="Set the lane rates of an office")
def put_rates(tx: Tx, office: str, body: LaneRatesIn) -> LaneRatesOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    return lanes.set_rates(tx.session, office=office, data=body, actor=actor)


@router.get("/overrides", response_model=list[OverrideOut], summary="Active lane overrides")
def list_overrides(ctx: Ctx) -> list[OverrideOut]:
    _analyst(ctx)
    return [OverrideOut.model_validate(r) for r in lanes.overrides(ctx.session)]


@router.post("/overrides", status_code=201, response_model=OverrideOut, summary="Set a lane override")
def add_override(tx: Tx, body: OverrideIn) -> OverrideOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    return OverrideOut.model_validate(lanes.add_override(tx.session, data=body, actor=actor))


@router.delete("/overrides/{override_id}", response_model=OverrideOut, summary="End a lane override")
def end_override(tx: Tx, override_id: str) -> OverrideOut:
    actor = _analyst(tx)
    _invalidate_on_commit(tx)
    return OverrideOut.model_validate(lanes.end_override(tx.session, override_id=override_id, actor=actor))


# ---- learned models ------------------------------------------------------------------------------
@router.get("/models", response_model=list[ModelOut], summary="Registered learned models")
def list_models(ctx: Ctx) -> list[ModelOut]:
    _analyst(ctx)
    return [ModelOut.model_validate(r) for r in registry.listing(ctx.session)]


@router.post("/models", status_code=201, response_model=ModelOut, summary="Register a model file")
def add_model(tx: Tx, body: ModelIn) -> ModelOut:
    actor = _analyst(tx)
    return ModelOut.model_validate(registry.register(tx.session, path=body.path, actor=actor))


@router.post("/models/{version}/promote", response_model=ModelOut, summary="Serve this model")
def promote_model(tx: Tx, version: str) -> ModelOut:
    actor = _analyst(tx)
    engine = _engine(tx.request)
    holder = engine.models if engine else scoring.ModelHolder()
    return ModelOut.model_validate(registry.promote(tx.session, version=version, actor=actor, holder=holder))


# ---- decisions -----------------------------------------------------------------------------------
@router.get(
    "/decisions/{number}",
    response_model=RiskDecisionOut,
    summary="The engine's decision on a declaration, with every reason",
)
def get_decision(ctx: Ctx, number: str) -> RiskDecisionOut:
    ctx.principal.require_officer()
    rec = repository.decision(ctx.session, number, scope=ctx.principal.scope)
    return RiskDecisionOut.model_validate(rec, from_attributes=True)


# ---- performance ---------------------------------------------------------------------------------
@router.get(
    "/performance",
    response_model=PerformanceOut,
    summary="Targeting per office and month: hit rates, precision, revenue, drift",
)
def get_performance(
    ctx: Ctx, date_from: date | None = None, date_to: date | None = None, office: str | None = None
) -> PerformanceOut:
    ctx.principal.require_officer(*READERS)
    end = date_to or clock.today_vn()
    start = date_from or end - timedelta(days=365)
    report = performance.report(
        ctx.session, scope=ctx.principal.scope, date_from=start, date_to=end, office=office
    )
    return PerformanceOut.model_validate(report)
