"""Federation routes: status of the child nodes (JSON and a page for department officers), the per-unit
summary in the caller's scope, and agency agreements (administrators only, audited)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from haiquan.deps import Ctx, Tx
from haiquan.kit import clock
from haiquan.kit.auth import LEADER_ROLES, Role
from haiquan.kit.transaction import TransactionRoute
from haiquan.sharing import (
    repository,
    service,
    words,  # noqa: F401  (registers the page's event labels)
)
from haiquan.sharing.holding import DUTY
from haiquan.sharing.reference import versions
from haiquan.sharing.schemas import (
    AgreementIn,
    AgreementOut,
    ChildStatusOut,
    LinkHolderOut,
    ReferenceVersionOut,
    StatusOut,
    TotalOut,
)
from haiquan.sharing.tables import AgencyAgreement
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["sharing"], route_class=TransactionRoute)
add_template_dir(Path(__file__).parent / "templates")
_STATUS_ROLES = (*sorted(LEADER_ROLES), Role.ANALYST.value)


def _status(ctx: Ctx) -> StatusOut:
    ctx.principal.require_officer(*_STATUS_ROLES)
    s = ctx.settings
    node = getattr(ctx.request.app.state, "sharing", None)
    pending = dict(node.source_pending) if node is not None else {}
    children = [c.strip() for c in s.child_nodes.split(",") if c.strip()]
    rows = repository.child_status(ctx.session, nodes=children, scope=ctx.principal.scope)
    return StatusOut(
        unit=s.unit,
        federated=bool(s.nats_url),
        relay_pending=repository.unscoped_relay_pending(ctx.session),
        children=[ChildStatusOut(**r.__dict__ | {"pending": pending.get(r.node)}) for r in rows],
        references=[
            ReferenceVersionOut(**v)
            for v in versions(ctx.session, s.unit)
            if ctx.principal.scope.covers_unit(v["node"])
        ],
        link_holder=_holder(ctx),
    )


def _holder(ctx: Ctx) -> LinkHolderOut | None:
    """Who holds the link: as its holder last wrote it (any worker answers the same), and whether it is
    the process answering."""
    h = repository.unscoped_link_holder(ctx.session, duty=DUTY) if ctx.settings.nats_url else None
    if h is None:
        return None
    held = getattr(ctx.request.app.state, "sharing_link", None)
    return LinkHolderOut(**h.__dict__, here=held is not None and held.holding)


@router.get("/api/v1/sharing/status", response_model=StatusOut, summary="Child nodes: received, lag, pending")
def status(ctx: Ctx) -> StatusOut:
    return _status(ctx)


@router.get(
    "/api/v1/sharing/totals", response_model=list[TotalOut], summary="Per-unit summary of the subtree"
)
def totals(ctx: Ctx, since: date | None = None, until: date | None = None) -> list[TotalOut]:
    ctx.principal.require_officer()
    rows = repository.totals(ctx.session, scope=ctx.principal.scope, since=since, until=until)
    return [TotalOut(**r.__dict__) for r in rows]


@router.get("/sharing", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request, ctx: PageCtx) -> Response:
    """The child nodes' state and today's per-unit figures, inside the shared layout; refreshed when the
    officer asks (a button), never by reloading itself."""
    st = _status(ctx)
    rows = repository.totals(ctx.session, scope=ctx.principal.scope, since=clock.today_vn())
    return render(request, "sharing_status.html", {
        "st": st, "totals": [r for r in rows if r.dim == ""], "to_vn": clock.to_vn, "now": clock.to_vn(clock.now()),
    })  # fmt: skip


def _out(r: AgencyAgreement) -> AgreementOut:
    return AgreementOut.model_validate(r, from_attributes=True)


@router.get("/api/v1/sharing/agreements", response_model=list[AgreementOut], summary="Agency agreements")
def agreements(ctx: Ctx) -> list[AgreementOut]:
    ctx.principal.require_officer(Role.ADMINISTRATOR.value)
    return [_out(r) for r in service.list_agreements(ctx.session)]


@router.post(
    "/api/v1/sharing/agreements", response_model=AgreementOut, status_code=201, summary="Record an agreement"
)
def create_agreement(tx: Tx, body: AgreementIn) -> AgreementOut:
    tx.principal.require_officer(Role.ADMINISTRATOR.value)
    return _out(service.create_agreement(tx.session, **body.model_dump(), actor=tx.principal.label))


@router.post("/api/v1/sharing/agreements/{agreement_id}/revoke", response_model=AgreementOut)
def revoke_agreement(tx: Tx, agreement_id: str) -> AgreementOut:
    tx.principal.require_officer(Role.ADMINISTRATOR.value)
    return _out(service.revoke_agreement(tx.session, agreement_id=agreement_id, actor=tx.principal.label))
