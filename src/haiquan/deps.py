"""Request context for the API: the unit of work the request owns, the authenticated caller, idempotency.

Every route takes `ctx: Ctx`. Authentication happens here, once; refused access is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from haiquan.kit import audit, idempotency
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.errors import DomainError, Unauthorized
from haiquan.kit.groupcommit import Change, GroupCommit, Work
from haiquan.kit.settings import Settings
from haiquan.kit.sources import client_address
from haiquan.organization import service as org

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="An enterprise API key or an officer token")
idem_header = APIKeyHeader(name="Idempotency-Key", auto_error=False, scheme_name="IdempotencyKey")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings_dep(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


@dataclass
class RequestContext:
    request: Request
    uow: UnitOfWork
    principal: Principal
    settings: Settings
    idempotency_key: str | None

    @property
    def session(self) -> Any:
        return self.uow.session

    def respond(self, fn: Callable[[], Any], *, status_code: int = 200, body: Any = None) -> Response:
        """Run a change, commit it, and answer. With an Idempotency-Key, a replay returns the first answer."""
        key, req_hash = idempotency_of(self.request, self.idempotency_key, body)
        if key is not None:
            stored = idempotency.lookup(
                self.session, principal=self.principal.key, key=key, req_hash=req_hash
            )
            if stored is not None:
                self.uow.rollback()
                return JSONResponse(
                    stored.body, status_code=stored.status_code, headers={"Idempotent-Replay": "true"}
                )
        value = fn()
        if key is None and isinstance(value, BaseModel):
            # Nothing to remember: pydantic writes the JSON itself (the generic encoder costs more than
            # many changes do, e.g. a batch of 1,000 terminal messages).
            self.uow.commit()
            self.request.app.state.dispatcher_wake()
            return Response(value.model_dump_json(), status_code=status_code, media_type="application/json")
        result = value.model_dump(mode="json") if isinstance(value, BaseModel) else jsonable_encoder(value)
        if key is not None:
            idempotency.remember(
                self.session,
                principal=self.principal.key,
                key=key,
                req_hash=req_hash,
                status_code=status_code,
                body=result,
            )
        self.uow.commit()
        self.request.app.state.dispatcher_wake()
        return JSONResponse(result, status_code=status_code)


def idempotency_of(request: Request, header: str | None, body: Any) -> tuple[str | None, str]:
    """The checked Idempotency-Key and the hash of the request it came with."""
    if header is None:
        return None, ""
    key = idempotency.check_key(header)
    raw = body.model_dump(mode="json") if isinstance(body, BaseModel) else jsonable_encoder(body)
    return key, idempotency.request_hash(request.method, request.url.path, raw)


@dataclass
class ChangeContext:
    """For a change handed to the process's group commit (kit.groupcommit): the caller, no unit of work
    (the writer owns the transaction), and no worker thread while the change waits for its batch."""

    request: Request
    principal: Principal
    settings: Settings
    idempotency_key: str | None

    async def submit(
        self, work: Work, *, status_code: int = 200, body: Any = None, alone: bool = False
    ) -> Response:
        """Apply the change with the others of its batch and answer once they are committed. With an
        Idempotency-Key, a replay returns the first answer (as `RequestContext.respond`). `alone`: a
        change too large to share a batch, applied in its own transaction in a worker thread
        (`GroupCommit.apply_alone`)."""
        key, req_hash = idempotency_of(self.request, self.idempotency_key, body)
        writer: GroupCommit = self.request.app.state.writer
        change = Change(work, self.principal.key, key, req_hash, status_code)
        if alone:
            answer = await run_in_threadpool(writer.apply_alone, change)
        else:
            answer = await writer.submit_async(change)
        self.request.app.state.dispatcher_wake()
        headers = {"Idempotent-Replay": "true"} if answer.replay else None
        return Response(answer.body, answer.status_code, headers=headers, media_type="application/json")


def _authenticated(request: Request, creds: HTTPAuthorizationCredentials | None) -> Principal:
    with get_db(request).unit_of_work() as uow:
        return caller(request, uow, creds)


async def change_context(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    idem: Annotated[str | None, Depends(idem_header)],
) -> ChangeContext:
    """The caller from memory on the event loop when remembered, else authenticated in a worker thread
    (a refusal is audited there, as for every route)."""
    settings = get_settings_dep(request)
    token = token_from_request(request, creds)
    principal = org.remembered_principal(token, secret=settings.effective_secret_key) if token else None
    if principal is None:
        principal = await run_in_threadpool(_authenticated, request, creds)
    request.state.principal = principal
    return ChangeContext(request, principal, settings, idem)


def audit_refusal(db: Database, request: Request, who: str, reason: str) -> None:
    refusals = getattr(request.app.state, "refusals", None)
    if refusals is not None and not who.startswith(("officer:", "enterprise:")):
        # a caller not authenticated: the first refusal of the minute from its address in full, the
        # others of that minute counted in one entry (kit.refusals), never an audit entry per request
        source = client_address(request.scope, getattr(request.app.state, "trusted_proxies", ()))
        target = f"{request.method} {request.url.path}"[:200]
        note = {
            "actor": who,
            "action": "access.refused",
            "source": source,
            "target": target,
            "reason": reason,
        }
        if refusals.count(**note):
            refusals.write(**note)
        return
    with db.unit_of_work() as uow:
        audit.append(
            uow.session,
            actor=who,
            action="access.refused",
            target=f"{request.method} {request.url.path}",
            outcome="refused",
            detail={"reason": reason, "client": request.client.host if request.client else None},
        )
        uow.commit()


def authenticate(request: Request, uow: UnitOfWork, settings: Settings, token: str | None) -> Principal:
    if not token:
        raise Unauthorized("authentication required: send Authorization: Bearer <API key or token>")
    if token.startswith("hq_"):
        return org.principal_from_api_key(uow.session, key=token)
    return org.principal_from_token(uow.session, token=token, secret=settings.effective_secret_key)


def bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    """What HTTPBearer(auto_error=False) reads, for code outside FastAPI's dependencies."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


def token_from_request(request: Request, creds: HTTPAuthorizationCredentials | None) -> str | None:
    if creds is not None:
        return creds.credentials
    cookie = request.cookies.get("hq_session")
    return cookie or None


def caller(request: Request, uow: UnitOfWork, creds: HTTPAuthorizationCredentials | None) -> Principal:
    """The authenticated caller; a refusal is audited."""
    try:
        principal = authenticate(request, uow, get_settings_dep(request), token_from_request(request, creds))
    except DomainError as exc:
        uow.rollback()
        audit_refusal(get_db(request), request, "anonymous", exc.message)
        raise
    request.state.principal = principal
    return principal


def context(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    idem: Annotated[str | None, Depends(idem_header)],
) -> Iterator[RequestContext]:
    with get_db(request).unit_of_work() as uow:
        principal = caller(request, uow, creds)
        yield RequestContext(request, uow, principal, get_settings_dep(request), idem)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def read_answer(
    request: Request, creds: HTTPAuthorizationCredentials | None, fn: Callable[[Any, Principal], BaseModel]
) -> Response:
    """Authentication and a read-only answer on a reading() unit of work (no transaction round trips),
    written by pydantic directly. Blocking: call it from a worker thread."""
    with get_db(request).reading() as uow:
        principal = caller(request, uow, creds)
        value = fn(uow.session, principal)
    return Response(value.model_dump_json(), media_type="application/json")


async def look_up(
    request: Request, creds: HTTPAuthorizationCredentials | None, fn: Callable[[Any, Principal], BaseModel]
) -> Response:
    """A read a terminal makes per truck at the gate, in one worker-thread call. Routes declare
    `response_model` for the documentation; the answer is not validated a second time."""
    return await run_in_threadpool(read_answer, request, creds, fn)


Ctx = Annotated[RequestContext, Depends(context)]
ChangeCtx = Annotated[ChangeContext, Depends(change_context)]
