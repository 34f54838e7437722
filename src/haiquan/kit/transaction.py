"""The write path of a request: one transaction per change, owned by a FastAPI dependency.

A mutating route takes a `Transaction` from its dependency (`haiquan.deps.Tx`), calls its services with
`tx.session` and returns its typed response model. The dependency has already authenticated the caller
and, with an `Idempotency-Key`, answered a replay with the first answer (`Replay`) before the route ran.
Once the route has returned, FastAPI has serialised the answer; `TransactionRoute` hands that answer to
the transaction, and the dependency's exit keeps it with the change (the idempotency record) and commits,
all before a byte is sent: a 2xx is always durable. A route that raises leaves the dependency by its
exception, and nothing it changed is committed.

Lodging and registering are the exception: they go to the process's group commit (kit.groupcommit), where
the writer owns the transaction of many requests at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from haiquan.kit import idempotency
from haiquan.kit.auth import Principal
from haiquan.kit.db import UnitOfWork
from haiquan.kit.settings import Settings

SCOPE_KEY = "haiquan.transaction"


@dataclass(frozen=True)
class Idempotency:
    """The checked Idempotency-Key of a request (None without one) and the hash of what was asked."""

    key: str | None
    request_hash: str = ""


async def idempotency_of(request: Request, header: str | None) -> Idempotency:
    """The request's key and the hash of its method, path and body: JSON compared as values (key order
    and spacing do not matter), any other body as sent. Read only when a key is given."""
    if header is None:
        return Idempotency(None)
    key = idempotency.check_key(header)
    raw = await request.body()
    body: Any
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Idempotency(key, idempotency.request_hash(request.method, request.url.path, body))


class Replay(Exception):
    """A request already answered under its Idempotency-Key: its first answer is sent again."""

    def __init__(self, stored: idempotency.Stored) -> None:
        super().__init__("replay")
        self.stored = stored


def replay_response(stored: idempotency.Stored) -> Response:
    return Response(
        stored.raw,
        status_code=stored.status_code,
        headers={"Idempotent-Replay": "true"},
        media_type="application/json",
    )


@dataclass
class Transaction:
    """The request's unit of work and the caller, for a route that changes something."""

    request: Request
    uow: UnitOfWork
    principal: Principal
    settings: Settings
    idempotency: Idempotency
    answer: Response | None = None
    kept: BaseModel | None = None

    @property
    def session(self) -> Any:
        return self.uow.session

    def refuse_replay(self) -> None:
        """Raise `Replay` when this key was already answered for this caller (the same body), or refuse
        the key when it came with another body (422)."""
        key = self.idempotency.key
        if key is None:
            return
        stored = idempotency.lookup(
            self.session, principal=self.principal.key, key=key, req_hash=self.idempotency.request_hash
        )
        if stored is not None:
            self.uow.rollback()
            raise Replay(stored)

    def keep(self, answer: BaseModel) -> None:
        """Remember `answer` for a replay instead of the one sent (an answer carrying a secret shown once)."""
        self.kept = answer

    def commit(self) -> None:
        """Keep the answer with the change (under its Idempotency-Key), commit, and wake the dispatcher."""
        if self.answer is None:
            raise RuntimeError(f"{self.request.url.path}: a Transaction route must be a TransactionRoute")
        key = self.idempotency.key
        if key is not None:
            body = self.kept.model_dump_json() if self.kept is not None else bytes(self.answer.body).decode()
            idempotency.remember_raw(
                self.session,
                principal=self.principal.key,
                key=key,
                req_hash=self.idempotency.request_hash,
                status_code=self.answer.status_code,
                body=body,
            )
        self.uow.commit()
        self.request.app.state.dispatcher_wake()


class TransactionRoute(APIRoute):
    """Hands the route's serialised answer to its transaction (if it has one) before the dependency that
    owns the transaction exits; that exit commits before the answer is sent."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            response = await handler(request)
            tx = request.scope.get(SCOPE_KEY)
            if isinstance(tx, Transaction):
                tx.answer = response
            return response

        return route


def install(app: FastAPI) -> None:
    async def replayed(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Replay)
        return replay_response(exc.stored)

    app.add_exception_handler(Replay, replayed)
