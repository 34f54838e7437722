"""Request context for the API: the unit of work the request owns, the authenticated caller, idempotency.

A read takes `ctx: Ctx` (a unit of work never committed); a change takes `tx: Tx` (kit.transaction: the
dependency commits once the route has returned its typed answer, and answers replays); lodging and
registering take `ctx: ChangeCtx` (the group commit). Authentication happens here, once; refused access
is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from haiquan.kit import audit
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.errors import DomainError, Unauthorized
from haiquan.kit.groupcommit import Change, GroupCommit, Work
from haiquan.kit.settings import Settings
from haiquan.kit.sources import client_address
from haiquan.kit.transaction import SCOPE_KEY as TRANSACTION_KEY
from haiquan.kit.transaction import Idempotency, Transaction, idempotency_of
from haiquan.organization import service as org

bearer = HTTPBearer(auto_error=False, description="An enterprise API key or an officer token")


def idem_header(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique string (up to 200 characters) naming this change: the same request sent "
            "again with the same key gets the first answer (header Idempotent-Replay: true), never a second "
            "change; the same key with another body is a 422",
        ),
    ] = None,
) -> str | None:
    """A header parameter of the changes, not a security scheme: it names a change, it authenticates nothing."""
    return key or None


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings_dep(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


@dataclass
class RequestContext:
    """A read: the request's unit of work (never committed) and the caller."""

    request: Request
    uow: UnitOfWork
    principal: Principal
    settings: Settings

    @property
    def session(self) -> Any:
        return self.uow.session


async def request_idempotency(
    request: Request, header: Annotated[str | None, Depends(idem_header)]
) -> Idempotency:
    return await idempotency_of(request, header)


@dataclass
class ChangeContext:
    """For a change handed to the process's group commit (kit.groupcommit): the caller, no unit of work
    (the writer owns the transaction), and no worker thread while the change waits for its batch."""

    request: Request
    principal: Principal
    settings: Settings
    idempotency: Idempotency

    async def submit(self, work: Work, *, status_code: int = 200, alone: bool = False) -> Response:
        """Apply the change with the others of its batch and answer once they are committed. With an
        Idempotency-Key, a replay returns the first answer (as a `Transaction` does). `alone`: a change
        too large to share a batch, applied in its own transaction in a worker thread
        (`GroupCommit.apply_alone`). The writer has serialised the answer: it is sent as it is."""
        idem = self.idempotency
        writer: GroupCommit = self.request.app.state.writer
        change = Change(work, self.principal.key, idem.key, idem.request_hash, status_code)
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
    idem: Annotated[Idempotency, Depends(request_idempotency)],
) -> ChangeContext:
    """The caller from memory on the event loop when remembered, else authenticated in a worker thread
    (a refusal is audited there, as for every route)."""
    settings = get_settings_dep(request)
    token = token_from_request(request, creds)
    principal = org.remembered_principal(token, secret=settings.effective_secret_key) if token else None
    if principal is None:
        principal = await run_in_threadpool(_authenticated, request, creds)
    request.state.principal = principal
    principal.admit(request.method)  # a remembered key may have expired since, or lack the scope
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
    return org.principal_from_token(
        uow.session,
        token=token,
        secret=settings.effective_secret_key,
        idle_minutes=settings.session_idle_minutes,
    )


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
    principal.admit(request.method)  # an API key's scope (403, audited under its name) and expiry
    return principal


def context(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Iterator[RequestContext]:
    """A read: the caller, authenticated on the request's unit of work, which is never committed."""
    with get_db(request).unit_of_work() as uow:
        principal = caller(request, uow, creds)
        yield RequestContext(request, uow, principal, get_settings_dep(request))


def transaction(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    idem: Annotated[Idempotency, Depends(request_idempotency)],
) -> Iterator[Transaction]:
    """A change: the caller, a replay answered before the route runs, and, once the route has returned
    its answer, the answer kept with the change and the transaction committed (kit.transaction)."""
    with get_db(request).unit_of_work() as uow:
        principal = caller(request, uow, creds)
        tx = Transaction(request, uow, principal, get_settings_dep(request), idem)
        tx.refuse_replay()
        request.scope[TRANSACTION_KEY] = tx
        yield tx
        tx.commit()


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
# "function": the exit (the commit) runs once the route has returned and its answer is built, before it is sent
Tx = Annotated[Transaction, Depends(transaction, scope="function")]
ChangeCtx = Annotated[ChangeContext, Depends(change_context)]
