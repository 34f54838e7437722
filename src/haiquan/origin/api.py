"""ASEAN e-C/O routes: the ASW gateway delivers signed e-Form D (one, or a batch) and carries verification
requests and their answers; customs registers the issuing countries' keys, reads certificates, asks for
verification and issues our own certificates for exports; a declarant reads its declarations' claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute
from haiquan.origin import keys, outgoing, receiving, service
from haiquan.origin.schemas import (
    CertificateOut,
    ClaimOut,
    CountryKeyIn,
    CountryKeyOut,
    OutgoingIn,
    ReceivedOut,
    RevokeIn,
    VerificationAnswerIn,
    VerificationIn,
    VerificationOut,
)
from haiquan.origin.tables import CertificateRow, CountryKeyRow, VerificationRow

router = APIRouter(prefix="/api/v1/origin", tags=["origin"], route_class=TransactionRoute)
CertNo = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9/\-]{3,39}$")]
Number = Annotated[str, Path(pattern=r"^[0-9]{12}$")]
Country = Annotated[str, Path(pattern=r"^[A-Z]{2}$")]
KeyName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-]+$")]
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]
_XML_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/xml": {"schema": {"type": "string", "description": (
            "One EFormD, or an EFormDBatch of up to 1,000, each signed (origin/schemas/atiga-eform-d.xsd)")}}},
    }
}  # fmt: skip


def key_out(k: CountryKeyRow) -> CountryKeyOut:
    return CountryKeyOut(country=k.country, key_name=k.key_name, fingerprint=k.fingerprint, endpoint=k.endpoint,
                         created_at=k.created_at, not_before=k.not_before, not_after=k.not_after,
                         revoked_at=k.revoked_at)  # fmt: skip


def certificate_out(c: CertificateRow | dict[str, Any]) -> CertificateOut:
    data = c if isinstance(c, dict) else {k: getattr(c, k) for k in CertificateOut.model_fields}
    return CertificateOut.model_validate(data)


def verification_out(v: VerificationRow) -> VerificationOut:
    return VerificationOut(id=v.id, certificate_no=v.certificate_no, country=v.country, reason=v.reason,
                           requested_at=v.requested_at, result=v.result, note=v.note,
                           answered_at=v.answered_at)  # fmt: skip


@router.post("/certificates", status_code=201, response_model=ReceivedOut, openapi_extra=_XML_DOC,
             summary="The ASW gateway delivers signed e-Form D: one message, or a batch (all or nothing)")  # fmt: skip
def receive(raw: RawBody, tx: Tx) -> ReceivedOut:
    numbers, decided = receiving.receive(tx.session, principal=tx.principal, body=raw)
    return ReceivedOut(received=len(numbers), certificates=numbers, claims_decided=decided)


@router.get("/certificates/{number}", response_model=CertificateOut, summary="A certificate (customs)")
def get_certificate(number: CertNo, ctx: Ctx) -> CertificateOut:
    return certificate_out(service.certificate(ctx.session, principal=ctx.principal, number=number))


@router.get("/declarations/{number}/claims", response_model=list[ClaimOut],
            summary="A declaration's ATIGA claims (its declarant: neutral; officers: the mismatches)")  # fmt: skip
def claims(number: Number, ctx: Ctx) -> list[ClaimOut]:
    return service.claims(ctx.session, principal=ctx.principal, number=number)


@router.post("/country-keys", status_code=201, response_model=CountryKeyOut,
             summary="Register an ASEAN country's e-Form D signing certificate (customs administrators)")  # fmt: skip
def add_key(body: CountryKeyIn, tx: Tx) -> CountryKeyOut:
    row = keys.register(tx.session, principal=tx.principal, data=body, development=tx.settings.development)
    return key_out(row)


@router.get(
    "/country-keys", response_model=list[CountryKeyOut], summary="The countries' signing certificates"
)
def list_keys(ctx: Ctx) -> list[CountryKeyOut]:
    return [key_out(k) for k in keys.listed(ctx.session, principal=ctx.principal)]


@router.post("/country-keys/{country}/{key_name}/revoke", response_model=CountryKeyOut,
             summary="Revoke a country's certificate now: e-Form D signed with it are refused")  # fmt: skip
def revoke_key(country: Country, key_name: KeyName, body: RevokeIn, tx: Tx) -> CountryKeyOut:
    row = keys.revoke(
        tx.session, principal=tx.principal, country=country, key_name=key_name, reason=body.reason
    )
    return key_out(row)


@router.post("/certificates/{number}/verification-requests", status_code=201, response_model=VerificationOut,
             summary="Ask the issuing country to verify a certificate (officers)")  # fmt: skip
def request_verification(number: CertNo, body: VerificationIn, tx: Tx) -> VerificationOut:
    row = service.request_verification(tx.session, principal=tx.principal, number=number, reason=body.reason)
    return verification_out(row)


@router.get("/verification-requests", response_model=list[VerificationOut],
            summary="Verification requests not answered yet (the ASW gateway carries them)")  # fmt: skip
def open_verifications(ctx: Ctx) -> list[VerificationOut]:
    return [verification_out(v) for v in service.open_verifications(ctx.session, principal=ctx.principal)]


@router.post("/verification-requests/{request_id}/answer", response_model=VerificationOut,
             summary="The issuing country's answer, carried by the ASW gateway")  # fmt: skip
def answer(request_id: RequestId, body: VerificationAnswerIn, tx: Tx) -> VerificationOut:
    row = service.answer_verification(tx.session, principal=tx.principal, request_id=request_id, data=body)
    return verification_out(row)


@router.post("/outgoing-certificates", status_code=201, response_model=CertificateOut,
             summary="Issue our e-Form D for an export declaration, signed with VN's key, to be sent")  # fmt: skip
def issue(body: OutgoingIn, tx: Tx) -> CertificateOut:
    return certificate_out(
        outgoing.issue(tx.session, principal=tx.principal, data=body, settings=tx.settings)
    )
