"""A change's transaction is owned by its dependency (haiquan.deps.Tx, kit.transaction): the answer is kept
under the Idempotency-Key with the change and committed before it is sent; a replay is the first answer,
byte for byte; another body under the same key is refused; a refused change leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from haiquan.deps import Tx
from haiquan.organization.tables import EnterpriseRow
from tests.support import World

DECLARANT = "0100109106"
WEBHOOK = "/api/v1/enterprise/webhook"


def _put(world: World, body: Any, key: str | None = None, raw: bytes | None = None) -> Any:
    headers = world.ent(DECLARANT) | {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    content = raw if raw is not None else json.dumps(body).encode()
    return world.client.put(WEBHOOK, content=content, headers=headers)


@pytest.fixture(autouse=True)
def _webhook_set(world: World, app: Any) -> None:
    """Development: hooks.example.vn resolves nowhere (kit.outbound); and a webhook already set, so that
    its secret (shown once, at the first setting) is in none of the answers compared here."""
    app.state.settings.development = True
    assert _put(world, {"url": "https://hooks.example.vn/0"}).status_code == 200


def _webhook_url(db: Any) -> str | None:
    with db.unit_of_work() as uow:
        ent = uow.session.query(EnterpriseRow).filter_by(tax_code=DECLARANT).one()
        return ent.webhook_url


def test_a_replay_is_the_first_answer_and_changes_nothing_again(world: World, db: Any) -> None:
    first = _put(world, {"url": "https://hooks.example.vn/a"}, key="wh-1")
    assert first.status_code == 200, first.text
    assert _webhook_url(db) == "https://hooks.example.vn/a"
    assert _put(world, {"url": "https://hooks.example.vn/b"}).status_code == 200
    again = _put(world, None, key="wh-1", raw=b'{ "url" :  "https://hooks.example.vn/a" }')
    assert again.status_code == 200
    assert again.headers.get("Idempotent-Replay") == "true"
    assert again.content == first.content
    assert _webhook_url(db) == "https://hooks.example.vn/b"  # the replay did not apply the change again


def test_the_same_key_with_another_body_is_refused(world: World) -> None:
    assert _put(world, {"url": "https://hooks.example.vn/a"}, key="wh-2").status_code == 200
    other = _put(world, {"url": "https://hooks.example.vn/c"}, key="wh-2")
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert other.headers["content-type"].startswith("application/problem+json")


def test_a_refused_change_keeps_no_answer_under_its_key(world: World) -> None:
    """An officer may not set an enterprise's webhook: 403, and nothing kept under the key, so the same
    request is refused again rather than replayed."""
    officer = world.off("nb_officer1") | {"Idempotency-Key": "k-3"}
    refused = world.client.put(WEBHOOK, json={"url": "https://hooks.example.vn/x"}, headers=officer)
    assert refused.status_code == 403
    again = world.client.put(WEBHOOK, json={"url": "https://hooks.example.vn/x"}, headers=officer)
    assert again.status_code == 403
    assert "Idempotent-Replay" not in again.headers


def test_the_change_is_committed_before_the_answer_starts(app: FastAPI, world: World, db: Any) -> None:
    """Read from another connection at the moment the status line goes out: the change is already there."""
    headers = world.ent(DECLARANT) | {"content-type": "application/json"}
    body = json.dumps({"url": "https://hooks.example.vn/durable"}).encode()
    seen: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            seen["status"], seen["url"] = message["status"], _webhook_url(db)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
        "path": WEBHOOK, "raw_path": WEBHOOK.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("testclient", 50000), "server": ("testserver", 80),
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert seen == {"status": 200, "url": "https://hooks.example.vn/durable"}


class Echo(BaseModel):
    ok: bool


def test_a_transaction_route_must_be_served_by_transaction_route(app: FastAPI, world: World) -> None:
    """A Tx route on a plain router could not keep its answer: it fails rather than answer uncommitted."""
    router = APIRouter()

    @router.post("/api/v1/test-only/plain-route", response_model=Echo)
    def plain(tx: Tx) -> Echo:
        return Echo(ok=True)

    app.include_router(router)
    with pytest.raises(RuntimeError, match="TransactionRoute"):
        world.client.post("/api/v1/test-only/plain-route", headers=world.ent(DECLARANT))
