"""Organisation routes: officer login, who am I, the unit hierarchy in the caller's scope, and officers' accounts
for administrators (credentials: organization.credentials_api)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request

from haiquan.declarations.assignment import change_officer
from haiquan.deps import Ctx, Tx, get_db, get_settings_dep
from haiquan.kit import audit, clock, logins
from haiquan.kit.auth import Role
from haiquan.kit.db import Database
from haiquan.kit.errors import NotFound, Unauthorized, ValidationFailed
from haiquan.kit.settings import Settings
from haiquan.kit.transaction import TransactionRoute
from haiquan.organization import enterprises, officers, repository, representations, service
from haiquan.organization.domain import UnitTree
from haiquan.organization.schemas import (
    EnterpriseStatusIn,
    EnterpriseStatusOut,
    MeOut,
    OfficerIn,
    OfficerIssuedOut,
    OfficerOut,
    OfficerPatchIn,
    RepresentationIn,
    RepresentationOut,
    TokenOut,
    UnitOut,
)
from haiquan.organization.tables import OfficerRow

router = APIRouter(prefix="/api/v1", tags=["organization"], route_class=TransactionRoute)


@router.post("/auth/token", response_model=TokenOut, summary="Officer login (OAuth2 password form)")
def token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=60)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings_dep)],
) -> TokenOut:
    logins.check(request, username)  # 429 while this username and address must wait (kit.logins)
    with db.unit_of_work() as uow:
        try:
            tok = service.login(
                uow.session,
                username=username,
                password=password,
                secret=settings.effective_secret_key,
                ttl_minutes=settings.token_ttl_minutes,
            )
        except Exception as exc:
            if isinstance(exc, Unauthorized):  # a wrong password (not a busy or failing server)
                logins.record(request, username, ok=False)
            uow.rollback()
            audit.append(
                uow.session,
                actor=f"officer:{username}",
                action="auth.login",
                target="auth",
                outcome="refused",
            )
            uow.commit()
            raise
        uow.commit()
    logins.record(request, username, ok=True)
    return TokenOut(access_token=tok, expires_in=settings.token_ttl_minutes * 60)


@router.get("/me", response_model=MeOut, summary="Who the caller is and what it may see")
def me(ctx: Ctx) -> MeOut:
    p = ctx.principal
    units = p.scope.units
    return MeOut(
        kind=p.kind,
        name=p.name,
        unit=p.unit,
        role=p.role,
        roles=sorted(p.enterprise_roles),
        tax_code=p.tax_code,
        units_in_scope=None if units is None else len(units),
    )


@router.get("/units", response_model=list[UnitOut], summary="Units in the caller's scope")
def units(ctx: Ctx) -> list[UnitOut]:
    ctx.principal.require_officer()
    tree = service.TREES.get(ctx.session)
    codes = sorted(tree.units) if ctx.principal.scope.units is None else sorted(ctx.principal.scope.units)
    return [_unit_out(tree, c) for c in codes if c in tree.units]


@router.get("/units/{code}", response_model=UnitOut, summary="One unit and its children")
def unit(code: str, ctx: Ctx) -> UnitOut:
    ctx.principal.require_officer()
    tree = service.TREES.get(ctx.session)
    if code not in tree.units or not ctx.principal.scope.covers_unit(code):
        raise NotFound(f"no unit {code} in your scope", field="code")
    return _unit_out(tree, code)


def _unit_out(tree: UnitTree, code: str) -> UnitOut:
    u = tree.units[code]
    return UnitOut(
        code=u.code,
        name_vi=u.name_vi,
        name_en=u.name_en,
        level=u.level,
        parent=u.parent,
        children=tree.children.get(code, []),
    )


@router.post(
    "/representations",
    status_code=201,
    response_model=RepresentationOut,
    tags=["representations"],
    summary="Grant a declarant the right to name the caller as importer or exporter",
)
def grant_representation(body: RepresentationIn, tx: Tx) -> RepresentationOut:
    return representations.grant(tx.session, principal=tx.principal, data=body).out(clock.now())


@router.get(
    "/representations",
    response_model=list[RepresentationOut],
    tags=["representations"],
    summary="Representations the caller granted or was granted (an administrator: all, or a tax code's)",
)
def list_representations(ctx: Ctx, tax_code: str | None = None) -> list[RepresentationOut]:
    p = ctx.principal
    if p.is_officer:
        p.require_officer(Role.ADMINISTRATOR)
        found = representations.listing(ctx.session, enterprise_id=None, tax_code=tax_code)
    else:
        found = representations.listing(ctx.session, enterprise_id=p.id, tax_code=tax_code)
    now = clock.now()
    return [x.out(now) for x in found]


@router.post(
    "/representations/{id}/revoke",
    response_model=RepresentationOut,
    tags=["representations"],
    summary="End a representation the caller granted, now",
)
def revoke_representation(
    tx: Tx, id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The representation's id")]
) -> RepresentationOut:
    done = representations.revoke(tx.session, principal=tx.principal, representation_id=id)
    return done.out(clock.now())


Username = Annotated[str, Path(min_length=1, max_length=60, description="The officer's login name")]


def _officer_out(row: OfficerRow, changes: list[str] | None = None, moved: int = 0) -> OfficerOut:
    return OfficerOut(
        username=row.username,
        full_name=row.full_name,
        unit=row.unit,
        role=row.role,
        active=row.active,
        on_roster=row.on_roster,
        changes=changes or [],
        checks_reassigned=moved,
    )


@router.post(
    "/officers",
    status_code=201,
    response_model=OfficerIssuedOut,
    summary="Create an officer's account in a unit of the caller's scope, its first password shown once "
    "(administrators)",
)
def add_officer(body: OfficerIn, tx: Tx) -> OfficerIssuedOut:
    tx.principal.require_officer("administrator")
    password = officers.initial_password()
    row = service.add_officer(tx.session, **body.model_dump(), password=password, actor=tx.principal.label,
                              by=tx.principal)  # fmt: skip
    return OfficerIssuedOut(**_officer_out(row).model_dump(), initial_password=password)


@router.get(
    "/officers/{username}", response_model=OfficerOut, summary="An officer's account (administrators)"
)
def get_officer(username: Username, ctx: Ctx) -> OfficerOut:
    ctx.principal.require_officer("administrator")
    return _officer_out(officers.by_username(ctx.session, username, actor=ctx.principal))


@router.patch(
    "/officers/{username}",
    response_model=OfficerOut,
    summary="Deactivate or reactivate an officer, change their role or unit, take them off or put them back "
    "on the roster (administrators)",
)
def patch_officer(username: Username, body: OfficerPatchIn, tx: Tx) -> OfficerOut:
    tx.principal.require_officer("administrator")
    if all(v is None for v in body.model_dump().values()):
        raise ValidationFailed("give at least one of active, role, unit, on_roster", field="body")
    change = officers.OfficerChange(**body.model_dump())
    row, recorded, moved = change_officer(
        tx.session, username=username, change=change, actor=tx.principal.label, by=tx.principal
    )
    return _officer_out(row, recorded, moved)


TaxCode = Annotated[str, Path(pattern=r"^[0-9]{10}(-?[0-9]{3})?$", description="The enterprise's tax code")]


@router.patch(
    "/enterprises/{tax_code}",
    response_model=EnterpriseStatusOut,
    summary="Suspend, reinstate or dissolve an enterprise (administrators)",
)
def patch_enterprise(tax_code: TaxCode, body: EnterpriseStatusIn, tx: Tx) -> EnterpriseStatusOut:
    tx.principal.require_officer("administrator")
    repository.enterprise_by_tax_code(tx.session, tax_code, scope=tx.principal.scope)
    ent, kind = enterprises.set_status(
        tx.session, tax_code=tax_code, status=body.status, reason=body.reason, actor=tx.principal.label
    )
    reason = enterprises.reason_of(ent)
    return EnterpriseStatusOut(
        tax_code=ent.tax_code, name=ent.name, status=ent.status, reason=reason, event=kind
    )
