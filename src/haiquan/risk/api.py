"""Risk engine API for analysts (role analyst or administrator): profiles and their versions, testing
criteria against past declarations, value control, compliance classes, lane rates, overrides, learned
models, and performance (also readable by leaders, in their units)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query

from haiquan.deps import Ctx
from haiquan.kit import clock
from haiquan.kit.auth import LEADER_ROLES, Role
from haiquan.kit.errors import NotFound
from haiquan.risk import compliance, lanes, performance, profiles, registry, scoring, valuecontrol, watch
from haiquan.risk.engine import RiskEngine
from haiquan.risk.schemas import (
    LaneRatesIn,
    LaneRatesOut,
    ModelIn,
    ModelOut,
    OverrideIn,
    OverrideOut,
    ProfileChange,
    ProfileIn,
    ProfileOut,
    ProfileTestIn,
    ProfileVersionOut,
    RecomputeIn,
    ValueControlIn,
    ValueControlOut,
)
from haiquan.risk.tables import RiskDecisionRow

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])
ANALYSTS = (Role.ANALYST.value, Role.ADMINISTRATOR.value)
READERS = (*ANALYSTS, *(r.value for r in LEADER_ROLES))


def _analyst(ctx: Ctx) -> str:
    ctx.principal.require_officer(*ANALYSTS)
    return ctx.principal.label


def _engine(ctx: Ctx) -> RiskEngine | None:
    engine = getattr(ctx.request.app.state, "channel_engine", None)
    return engine if isinstance(engine, RiskEngine) else None


def _changed(ctx: Ctx, response: Any) -> Any:
    engine = _engine(ctx)
    if engine is not None:
        engine.invalidate()
    return response


# ---- profiles ------------------------------------------------------------------------------------
@router.get("/profiles", response_model=list[ProfileOut], summary="Risk profiles")
def list_profiles(ctx: Ctx, active_only: bool = False) -> Any:
    _analyst(ctx)
    return profiles.listing(ctx.session, active_only=active_only)


@router.post("/profiles", status_code=201, response_model=ProfileOut, summary="Add a risk profile")
def add_profile(ctx: Ctx, body: ProfileIn) -> Any:
    actor = _analyst(ctx)
    fn = lambda: ProfileOut.model_validate(profiles.create(ctx.session, data=body, actor=actor))  # noqa: E731
    return _changed(ctx, ctx.respond(fn, status_code=201, body=body))


@router.get("/profiles/{profile_id}", response_model=ProfileOut, summary="One risk profile")
def get_profile(ctx: Ctx, profile_id: str) -> Any:
    _analyst(ctx)
    return profiles.get(ctx.session, profile_id)


@router.patch("/profiles/{profile_id}", response_model=ProfileOut, summary="Change a profile (a new version)")
def change_profile(ctx: Ctx, profile_id: str, body: ProfileChange) -> Any:
    actor = _analyst(ctx)

    def fn() -> ProfileOut:
        return ProfileOut.model_validate(
            profiles.change(ctx.session, profile_id=profile_id, data=body, actor=actor)
        )

    return _changed(ctx, ctx.respond(fn, body=body))


@router.get(
    "/profiles/{profile_id}/versions", response_model=list[ProfileVersionOut], summary="Profile history"
)
def profile_versions(ctx: Ctx, profile_id: str) -> Any:
    _analyst(ctx)
    return profiles.versions(ctx.session, profile_id)


@router.post("/profiles/test", summary="How many past declarations a criteria text would have hit")
def test_profile(ctx: Ctx, body: ProfileTestIn) -> Any:
    _analyst(ctx)
    engine = _engine(ctx)
    watched = engine.reference(ctx.session).watched if engine else watch.load_sets(ctx.session)
    return profiles.test(
        ctx.session, text=body.criteria, scope=ctx.principal.scope, date_from=body.date_from, date_to=body.date_to,
        watched=watched,
    )  # fmt: skip


# ---- value control -------------------------------------------------------------------------------
@router.get("/value-control", response_model=list[ValueControlOut], summary="Accepted unit values")
def list_value_control(ctx: Ctx, hs_prefix: str = Query("", max_length=8)) -> Any:
    _analyst(ctx)
    return valuecontrol.listing(ctx.session, hs_prefix=hs_prefix)


@router.put("/value-control/{hs_code}/{origin}", response_model=ValueControlOut, summary="Set bounds by hand")
def edit_value_control(ctx: Ctx, hs_code: str, origin: str, body: ValueControlIn) -> Any:
    actor = _analyst(ctx)

    def fn() -> ValueControlOut:
        row = valuecontrol.edit(ctx.session, hs_code=hs_code, origin=origin, data=body, actor=actor)
        ctx.session.flush()
        return ValueControlOut.model_validate(row)

    return _changed(ctx, ctx.respond(fn, body=body))


@router.post("/value-control/recompute", summary="Learn the bounds from history (manual rows kept)")
def recompute_value_control(ctx: Ctx, body: RecomputeIn) -> Any:
    actor = _analyst(ctx)

    def fn() -> dict[str, int]:
        return valuecontrol.recompute(ctx.session, days=body.days, min_samples=body.min_samples, actor=actor)

    return _changed(ctx, ctx.respond(fn, body=body))


# ---- compliance ----------------------------------------------------------------------------------
@router.post("/compliance/recompute", summary="Recompute every declarant's compliance class")
def recompute_compliance(ctx: Ctx) -> Any:
    actor = _analyst(ctx)
    return ctx.respond(lambda: compliance.recompute_all(ctx.session, actor=actor), body={})


# ---- lane rates and overrides --------------------------------------------------------------------
@router.get(
    "/lane-rates/{office}", response_model=LaneRatesOut, summary="Lane rates of an office ('*' = default)"
)
def get_rates(ctx: Ctx, office: str) -> Any:
    ctx.principal.require_officer(*READERS)
    return lanes.rates(ctx.session, office)


@router.put("/lane-rates/{office}", response_model=LaneRatesOut, summary="Set the lane rates of an office")
def put_rates(ctx: Ctx, office: str, body: LaneRatesIn) -> Any:
    actor = _analyst(ctx)
    return _changed(
        ctx,
        ctx.respond(lambda: lanes.set_rates(ctx.session, office=office, data=body, actor=actor), body=body),
    )


@router.get("/overrides", response_model=list[OverrideOut], summary="Active lane overrides")
def list_overrides(ctx: Ctx) -> Any:
    _analyst(ctx)
    return lanes.overrides(ctx.session)


@router.post("/overrides", status_code=201, response_model=OverrideOut, summary="Set a lane override")
def add_override(ctx: Ctx, body: OverrideIn) -> Any:
    actor = _analyst(ctx)
    fn = lambda: OverrideOut.model_validate(lanes.add_override(ctx.session, data=body, actor=actor))  # noqa: E731
    return _changed(ctx, ctx.respond(fn, status_code=201, body=body))


@router.delete("/overrides/{override_id}", response_model=OverrideOut, summary="End a lane override")
def end_override(ctx: Ctx, override_id: str) -> Any:
    actor = _analyst(ctx)

    def fn() -> OverrideOut:
        return OverrideOut.model_validate(
            lanes.end_override(ctx.session, override_id=override_id, actor=actor)
        )

    return _changed(ctx, ctx.respond(fn))


# ---- learned models ------------------------------------------------------------------------------
@router.get("/models", response_model=list[ModelOut], summary="Registered learned models")
def list_models(ctx: Ctx) -> Any:
    _analyst(ctx)
    return registry.listing(ctx.session)


@router.post("/models", status_code=201, response_model=ModelOut, summary="Register a model file")
def add_model(ctx: Ctx, body: ModelIn) -> Any:
    actor = _analyst(ctx)
    fn = lambda: ModelOut.model_validate(registry.register(ctx.session, path=body.path, actor=actor))  # noqa: E731
    return ctx.respond(fn, status_code=201, body=body)


@router.post("/models/{version}/promote", response_model=ModelOut, summary="Serve this model")
def promote_model(ctx: Ctx, version: str) -> Any:
    actor = _analyst(ctx)
    engine = _engine(ctx)
    holder = engine.models if engine else scoring.ModelHolder()

    def fn() -> ModelOut:
        return ModelOut.model_validate(
            registry.promote(ctx.session, version=version, actor=actor, holder=holder)
        )

    return ctx.respond(fn)


# ---- decisions -----------------------------------------------------------------------------------
@router.get("/decisions/{number}", summary="The engine's decision on a declaration, with every reason")
def get_decision(ctx: Ctx, number: str) -> Any:
    ctx.principal.require_officer()
    rec = ctx.session.get(RiskDecisionRow, number)
    if rec is None or not ctx.principal.scope.covers_unit(rec.office):
        raise NotFound(f"no risk decision for {number} in your units", field="number")
    return {
        "number": rec.number, "office": rec.office, "decided_at": rec.decided_at, "channel": rec.channel,
        "score": rec.score, "score_source": rec.score_source, "random_pick": rec.random_pick,
        "forced": rec.forced, "reasons": rec.reasons, "inspected": rec.inspected, "fraud_found": rec.fraud_found,
    }  # fmt: skip


# ---- performance ---------------------------------------------------------------------------------
@router.get("/performance", summary="Targeting per office and month: hit rates, precision, revenue, drift")
def get_performance(
    ctx: Ctx, date_from: date | None = None, date_to: date | None = None, office: str | None = None
) -> Any:
    ctx.principal.require_officer(*READERS)
    end = date_to or clock.today_vn()
    start = date_from or end - timedelta(days=365)
    return performance.report(
        ctx.session, scope=ctx.principal.scope, date_from=start, date_to=end, office=office
    )
