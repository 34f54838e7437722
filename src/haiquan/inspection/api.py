"""Inspection routes: locations (apply, check, approve), delegations of the approval, scanners, the image
store and scanner results. A scanner posts with its operator's API key or with its own device key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from haiquan.deps import (
    Credentials,
    Ctx,
    Tx,
    audit_refusal,
    caller,
    get_db,
    get_settings_dep,
    request_idempotency,
    token_from_request,
)
from haiquan.inspection import devices, scans, service
from haiquan.inspection import repository as repo
from haiquan.inspection.domain import InspectionLocationStatus
from haiquan.inspection.schemas import (
    ApprovalDecisionIn,
    DelegationIn,
    DelegationOut,
    ImageUploadIn,
    LocationApplicationIn,
    LocationCheckIn,
    LocationConditions,
    LocationHistoryOut,
    LocationOut,
    ScanIn,
    ScannerIn,
    ScannerOut,
    ScanOut,
    StoredImageOut,
    WithdrawalIn,
)
from haiquan.inspection.tables import LocationRow, ScannerRow, ScanResultRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import DomainError
from haiquan.kit.transaction import SCOPE_KEY, Idempotency, Transaction, TransactionRoute

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection"], route_class=TransactionRoute)
Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


def scanner_transaction(
    request: Request, creds: Credentials, idem: Annotated[Idempotency, Depends(request_idempotency)]
) -> Iterator[Transaction]:
    """`Tx` (haiquan.deps.transaction) that also admits a scanner's device key (`hqs_...`)."""
    with get_db(request).unit_of_work() as uow:
        token = token_from_request(request, creds) or ""
        if token.startswith(devices.PREFIX):
            try:
                principal = devices.principal_from_device_key(uow.session, token)
            except DomainError as exc:
                uow.rollback()
                audit_refusal(get_db(request), request, "anonymous", exc.message)
                raise
            request.state.principal = principal
        else:
            principal = caller(request, uow, creds)
        tx = Transaction(request, uow, principal, get_settings_dep(request), idem)
        tx.refuse_replay()
        request.scope[SCOPE_KEY] = tx
        yield tx
        tx.commit()


ScannerTx = Annotated[Transaction, Depends(scanner_transaction, scope="function")]


def location_out(loc: LocationRow, history: list[LocationHistoryOut] | None = None) -> LocationOut:
    return LocationOut(
        id=loc.id, code=loc.code, kind=loc.kind, name=loc.name, address=loc.address, unit=loc.unit,
        department=loc.department, operator_tax_code=loc.operator_tax_code, area_m2=loc.area_m2,
        scanners=loc.scanners, cameras=loc.cameras, status=loc.status, applied_at=loc.applied_at,
        approved_at=loc.approved_at, approved_by=loc.approved_by, approved_as=loc.approved_as,
        history=history or [],
    )  # fmt: skip


def full_location(session: Session, loc: LocationRow) -> LocationOut:
    """With its history (the location was read in the caller's scope: its history is the caller's too)."""
    rows = repo.history_of(session, loc.id, scope=Scope(units=None))
    return location_out(loc, [LocationHistoryOut.model_validate(h, from_attributes=True) for h in rows])


def scanner_out(row: ScannerRow, key: str | None = None) -> ScannerOut:
    return ScannerOut(id=row.id, location_id=row.location_id, serial=row.serial, model=row.model,
                      key_id=row.key_id, registered_at=row.registered_at, revoked_at=row.revoked_at,
                      device_key=key)  # fmt: skip


def scan_out(r: ScanResultRow, code: str, serial: str) -> ScanOut:
    return ScanOut(
        id=r.id, location_code=code, scanner_serial=serial, declaration_number=r.declaration_number,
        house_bill=r.house_bill, container=r.container, image_reference=r.image_reference,
        reference_kind=r.reference_kind, sha256=r.sha256, size_bytes=r.size_bytes, content_type=r.content_type,
        verdict=r.verdict, note=r.note, effect=r.effect, scanned_at=r.scanned_at, recorded_at=r.recorded_at,
    )  # fmt: skip


@router.post("/locations", status_code=201, response_model=LocationOut, summary="Apply for a location")
def apply(body: LocationApplicationIn, tx: Tx) -> LocationOut:
    loc = service.apply(tx.session, principal=tx.principal, data=body)
    return full_location(tx.session, loc)


@router.get("/locations", response_model=list[LocationOut], summary="Locations in the caller's scope")
def list_locations(ctx: Ctx, status: InspectionLocationStatus | None = None) -> list[LocationOut]:
    """An officer holding a delegation also sees the department's locations it may approve."""
    rows = repo.list_locations(ctx.session, scope=_reading_scope(ctx), status=status and status.value)
    return [location_out(r) for r in rows]


def _reading_scope(ctx: Ctx) -> Scope:
    return (
        service.approver_scope(ctx.session, ctx.principal)
        if ctx.principal.is_officer
        else ctx.principal.scope
    )


@router.get("/locations/{location_id}", response_model=LocationOut, summary="One location and its history")
def get_location(location_id: Id, ctx: Ctx) -> LocationOut:
    return full_location(ctx.session, repo.get_location(ctx.session, location_id, scope=_reading_scope(ctx)))


@router.post(
    "/locations/{location_id}/resubmit", response_model=LocationOut, summary="Resubmit after a return"
)
def resubmit(location_id: Id, body: LocationConditions, tx: Tx) -> LocationOut:
    loc = service.resubmit(tx.session, principal=tx.principal, location_id=location_id, data=body)
    return full_location(tx.session, loc)


@router.post(
    "/locations/{location_id}/withdraw", response_model=LocationOut, summary="Withdraw an application"
)
def withdraw(location_id: Id, body: WithdrawalIn, tx: Tx) -> LocationOut:
    loc = service.withdraw(tx.session, principal=tx.principal, location_id=location_id, note=body.note)
    return full_location(tx.session, loc)


@router.post("/locations/{location_id}/check", response_model=LocationOut, summary="Record the on-site check")
def check(location_id: Id, body: LocationCheckIn, tx: Tx) -> LocationOut:
    loc = service.check(tx.session, principal=tx.principal, location_id=location_id, data=body)
    return full_location(tx.session, loc)


@router.post(
    "/locations/{location_id}/decision",
    response_model=LocationOut,
    summary="Approve or refuse (director or delegate)",
)
def decide(location_id: Id, body: ApprovalDecisionIn, tx: Tx) -> LocationOut:
    loc = service.decide(tx.session, principal=tx.principal, location_id=location_id, data=body)
    return full_location(tx.session, loc)


@router.post(
    "/locations/{location_id}/scanners",
    status_code=201,
    response_model=ScannerOut,
    summary="Register a scanner",
)
def add_scanner(location_id: Id, body: ScannerIn, tx: Tx) -> ScannerOut:
    row, key = scans.register_scanner(tx.session, principal=tx.principal, location_id=location_id, data=body)
    tx.keep(scanner_out(row))  # a replay never shows the device key again
    return scanner_out(row, key)


@router.get(
    "/locations/{location_id}/scanners", response_model=list[ScannerOut], summary="A location's scanners"
)
def list_scanners(location_id: Id, ctx: Ctx) -> list[ScannerOut]:
    return [scanner_out(r) for r in repo.scanners_of(ctx.session, location_id, scope=ctx.principal.scope)]


@router.post(
    "/locations/{location_id}/scanners/{scanner_id}/revoke", response_model=ScannerOut,
    summary="Take a scanner out of service: its device key stops working",
)  # fmt: skip
def revoke_scanner(location_id: Id, scanner_id: Id, tx: Tx) -> ScannerOut:
    row = scans.revoke_scanner(
        tx.session, principal=tx.principal, location_id=location_id, scanner_id=scanner_id
    )
    return scanner_out(row)


@router.post("/delegations", status_code=201, response_model=DelegationOut, summary="Delegate the approval")
def delegate(body: DelegationIn, tx: Tx) -> DelegationOut:
    row = service.delegate(tx.session, principal=tx.principal, data=body)
    return DelegationOut.model_validate(row, from_attributes=True)


@router.get(
    "/delegations", response_model=list[DelegationOut], summary="Delegations of the caller's departments"
)
def list_delegations(ctx: Ctx) -> list[DelegationOut]:
    rows = repo.delegations(ctx.session, scope=ctx.principal.scope)
    return [DelegationOut.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/delegations/{delegation_id}/revoke", response_model=DelegationOut, summary="Revoke a delegation"
)
def revoke(delegation_id: Id, tx: Tx) -> DelegationOut:
    row = service.revoke(tx.session, principal=tx.principal, delegation_id=delegation_id)
    return DelegationOut.model_validate(row, from_attributes=True)


@router.post(
    "/images", status_code=201, response_model=StoredImageOut, summary="Put an image in customs' image store"
)
def put_image(body: ImageUploadIn, tx: ScannerTx) -> StoredImageOut:
    data = body.decoded()
    key, digest = scans.store_image(
        tx.session,
        principal=tx.principal,
        data_dir=tx.settings.data_dir,
        data=data,
        content_type=body.content_type,
    )
    return StoredImageOut(reference=key, sha256=digest, size_bytes=len(data), content_type=body.content_type)


@router.post("/scans", status_code=201, response_model=ScanOut, summary="Post a scanner's image and verdict")
def post_scan(body: ScanIn, tx: ScannerTx) -> ScanOut:
    row = scans.record_scan(tx.session, principal=tx.principal, data=body, data_dir=tx.settings.data_dir)
    serial = repo.scanners_by_id(tx.session, {row.scanner_id}, scope=Scope(units=None))[row.scanner_id].serial
    return scan_out(row, body.location_code, serial)


@router.get("/scans", response_model=list[ScanOut], summary="Scanner results in the caller's scope")
def list_scans(
    ctx: Ctx,
    declaration_number: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    house_bill: Annotated[str | None, Query(max_length=60)] = None,
) -> list[ScanOut]:
    rows = repo.scans(ctx.session, scope=ctx.principal.scope, declaration_number=declaration_number,
                      house_bill=house_bill)  # fmt: skip
    return scans_out(ctx.session, rows)


def scans_out(session: Session, rows: list[ScanResultRow]) -> list[ScanOut]:
    """Results with their location's code and scanner's serial (read where the results were: any scope)."""
    whole = Scope(units=None)
    locs = repo.locations_by_id(session, {r.location_id for r in rows}, scope=whole)
    devs = repo.scanners_by_id(session, {r.scanner_id for r in rows}, scope=whole)
    return [scan_out(r, locs[r.location_id].code or "", devs[r.scanner_id].serial) for r in rows]
