"""The two status look-ups a terminal makes for every truck at the gate, answered before FastAPI's routing
and dependency machinery (about 1.5 ms of a ~3 ms answer on a small machine).

Same authentication (deps.caller, refusals audited), same scoping and answer (status.py), same errors
(problem+json) as the documented routes in api.py, which stay as they are for the OpenAPI description and
for any request this path does not take (another method, a trailing slash)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from haiquan.deps import bearer_credentials, read_answer
from haiquan.kit.auth import Principal
from haiquan.kit.errors import DomainError, ValidationFailed, database_problem, domain_problem
from haiquan.reference import validators
from haiquan.supervision import status
from haiquan.supervision.schemas import StatusOut


def container_answer(session: Session, principal: Principal, raw: str) -> StatusOut:
    if len(raw) > 11:
        raise ValidationFailed("number: at most 11 characters", field="number")
    try:
        number = validators.container_number(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="number") from exc
    return status.of_container(session, principal=principal, number=number)


CONSIGNMENT_ID = re.compile(r"^[0-9a-f]{32}$")
BILL = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{2,59}$")  # as a manifest's bill numbers


def consignment_answer(session: Session, principal: Principal, raw: str) -> StatusOut:
    if len(raw) > 60:
        raise ValidationFailed("ident: at most 60 characters", field="ident")
    ident = raw if CONSIGNMENT_ID.match(raw) else raw.strip().upper()
    if not CONSIGNMENT_ID.match(ident) and not BILL.match(ident):
        raise ValidationFailed(
            f"{raw!r} is neither a bill number (A-Z, 0-9, - and /) nor a consignment id", field="ident"
        )
    return status.of_consignment(session, principal=principal, ident=ident)


@dataclass(frozen=True)
class _Route:
    """What the metrics middleware reads from scope['route']."""

    path: str


Answer = Callable[[Session, Principal, str], StatusOut]
ROUTES: list[tuple[re.Pattern[str], _Route, Answer]] = [
    (
        re.compile(r"^/api/v1/containers/([^/]+)/status$"),
        _Route("/api/v1/containers/{number}/status"),
        container_answer,
    ),
    (
        re.compile(r"^/api/v1/consignments/([^/]+)/status$"),
        _Route("/api/v1/consignments/{ident}/status"),
        consignment_answer,
    ),
]


# A plain executor: anyio's to_thread (capacity limiter, run-vars, cancel scopes) costs more than the
# answer on a small machine. Threads wait on the database; eight is plenty for one worker process.
_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="haiquan-lookup")


class StatusLookups:
    """ASGI middleware: GET .../containers/{number}/status and .../consignments/{ident}/status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._route(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        route, answer, raw = found
        scope["route"] = route
        request = Request(scope, receive)
        try:
            loop = asyncio.get_running_loop()
            creds = bearer_credentials(request)
            response = await loop.run_in_executor(
                _THREADS, read_answer, request, creds, lambda s, p: answer(s, p, raw)
            )
        except DomainError as exc:
            response = domain_problem(exc)
        except OperationalError as exc:
            response = database_problem(exc)
        await response(scope, receive, send)

    @staticmethod
    def _route(scope: Scope) -> tuple[_Route, Answer, str] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/v1/c"):
            return None
        if scope.get("query_string"):  # the look-ups take none: routing refuses them (kit.queryparams)
            return None
        for pattern, route, answer in ROUTES:
            m = pattern.match(scope["path"])
            if m is not None:
                return route, answer, m.group(1)  # ASGI paths arrive decoded
        return None
