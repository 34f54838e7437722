"""Composition: the FastAPI application."""

from __future__ import annotations

import gc
import hmac
import inspect
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan import consumers
from haiquan.declarations.escalation import Escalations
from haiquan.declarations.notifications import WebhookSender
from haiquan.deps import audit_refusal
from haiquan.kit import errors, openapi, transaction
from haiquan.kit.checkpoints import DailyCheckpoints
from haiquan.kit.db import Database, PoolLimits
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.groupcommit import GroupCommit
from haiquan.kit.guards import Guards
from haiquan.kit.hardening import SafeHeaders
from haiquan.kit.inbound import RefuseNul
from haiquan.kit.leader import Leadership
from haiquan.kit.metrics import LATENCY, REQUESTS
from haiquan.kit.settings import Settings, get_settings
from haiquan.lowvalue.runtime import BULKS, LowValue
from haiquan.organization.sessions import SessionTouch
from haiquan.origin import matching as origin_matching
from haiquan.origin.duty import OriginDuty
from haiquan.reference import holidays, reference_data
from haiquan.risk.engine import build_engine
from haiquan.routes import TAGS, document_webhooks, include_routers
from haiquan.sharing.wiring import start_federation
from haiquan.supervision.fastpath import StatusLookups
from haiquan.supervision.webhooks import SupervisionWorker
from haiquan.taxes.duty import TaxesDuty

log = structlog.get_logger(__name__)


def create_served_app() -> FastAPI:
    """The application as `haiquan serve` runs it (uvicorn's factory, in each worker process). Everything
    built so far (modules, table metadata, routes: hundreds of thousands of objects that live as long as
    the process) is moved out of the cyclic garbage collector's sight with gc.freeze(): a full collection
    then walks only what was allocated since, about 2 ms instead of 200-300 ms during which the process
    (its requests, dispatcher and federation link) stood still."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI description (docs/openapi.json): the application's, built on a throwaway database (the
    description depends on the code only)."""
    return create_app(Settings(run_dispatcher=False), Database("sqlite://")).openapi()


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    holidays.install(settings)  # the public holidays the legal time limits skip
    db = db or Database(settings.effective_database_url, pool=PoolLimits.of(settings))
    dispatcher = Dispatcher(db)
    consumers.register_all(dispatcher, settings)
    webhooks = WebhookSender(db, max_attempts=settings.webhook_max_attempts, settings=settings)
    supervision = SupervisionWorker(db, max_attempts=settings.webhook_max_attempts, settings=settings)
    writer = GroupCommit(db)
    escalations = Escalations(db, settings)
    checkpoints = DailyCheckpoints(db, settings)
    engine = build_engine(db, settings)
    lowvalue = LowValue(settings, db, lambda session: engine.reference(session).watched)
    origin_duty = OriginDuty(db, settings)
    taxes_duty = TaxesDuty(db, settings)
    origin_matching.install(settings)  # the tolerances of ATIGA e-Form D matching

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        guards.start()
        lowvalue.start()
        if settings.run_dispatcher:
            dispatcher.start(settings.dispatcher_interval_seconds, Leadership(db, "dispatcher"))
            webhooks.start(leadership=Leadership(db, "webhooks"))
            supervision.start(leadership=Leadership(db, "terminal-webhooks"))
            escalations.start(leadership=Leadership(db, "escalations"))
            checkpoints.start(leadership=Leadership(db, "audit-checkpoints"))
            origin_duty.start(leadership=Leadership(db, "origin"))
            taxes_duty.start(leadership=Leadership(db, "taxes"))
        reference_data.load_applied(db)  # procedure codes published from above, if this node applied any
        link = start_federation(app, settings, db, dispatcher)  # only with HAIQUAN_NATS_URL
        try:
            yield
        finally:
            if link is not None:
                link.stop()
            writer.stop()
            lowvalue.stop()
            dispatcher.stop()
            webhooks.stop()
            supervision.stop()
            escalations.stop()
            checkpoints.stop()
            origin_duty.stop()
            taxes_duty.stop()
            guards.stop()

    app = FastAPI(
        title="haiquan",
        version="0.1.0",
        summary="Smart-customs platform: declarations, risk channels, supervision, payments, enforcement",
        lifespan=lifespan,
        docs_url=None,  # /docs is served with Swagger UI from the installed package (web.docs), no CDN
        redoc_url=None,
        responses=openapi.error_responses(),
        openapi_tags=TAGS,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.dispatcher = dispatcher
    app.state.dispatcher_wake = dispatcher.wake
    app.state.writer = writer
    app.state.webhooks = webhooks
    app.state.channel_engine = engine
    app.state.lowvalue = lowvalue
    app.state.supervision = supervision
    app.state.escalations = escalations
    app.state.origin_duty = origin_duty
    app.state.taxes_duty = taxes_duty
    guards = Guards(app, settings, db)  # /healthz, the login throttle, the refusal audit (kit.guards)
    errors.install_error_handlers(app)
    transaction.install(app)  # an Idempotency-Key's replay: the first answer again
    _audit_forbidden(app)
    app.add_middleware(StatusLookups)  # inside Measure (added next), which times it like any route
    # before everything that reads what the caller sent; the batches refuse a bad item on its own
    app.add_middleware(RefuseNul, per_item=("/api/v1/terminal-messages", "/api/v1/payments/batch", *BULKS))
    _csrf(app, settings)
    app.add_middleware(SessionTouch)  # records an officer session's use after the answer
    _observability(app)
    include_routers(app)
    document_webhooks(app)
    openapi.install(app)
    _web(app)
    guards.add_middlewares(app)  # rate limits, body deadline, admission: in front of everything above
    app.add_middleware(SafeHeaders)  # outermost: every answer, refusals by the middlewares included
    return app


def _csrf(app: FastAPI, settings: Settings) -> None:
    """State changes under /api/ authenticated by the session cookie need a same-site Origin or the token."""
    from haiquan.web.guard import CookieCsrf

    app.add_middleware(CookieCsrf, secret=lambda: settings.effective_secret_key)


def _web(app: FastAPI) -> None:
    """The officers' pages: static files (/static), Plotly's JS and Swagger UI from the installed packages,
    HTML errors."""
    from haiquan.web import docs
    from haiquan.web.assets import install

    docs.install(app)
    install(app)


def _audit_forbidden(app: FastAPI) -> None:
    """Every refused access by an authenticated caller lands in the audit log."""
    base = app.exception_handlers[errors.DomainError]

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.DomainError)
        principal = getattr(request.state, "principal", None)
        if exc.status == 403 and principal is not None:
            audit_refusal(request.app.state.db, request, principal.label, exc.message)
        result = base(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(errors.DomainError, handler)


class Measure:
    """Request count and latency per route, as a plain ASGI middleware (no response buffering, so server-sent
    events stream through, and none of BaseHTTPMiddleware's per-request task overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            LATENCY.labels(scope["method"], path).observe(time.perf_counter() - start)
            REQUESTS.labels(scope["method"], path, str(status[0])).inc()


FORWARDING = ("forwarded", "x-forwarded-for", "x-real-ip")


def loopback_scraper(request: Request) -> bool:
    """A scraper on this machine: the socket's peer is the loopback (`haiquan serve` turns uvicorn's proxy
    headers off, so no X-Forwarded-For rewrites it) and the request was not relayed by a proxy on this
    machine for someone else (a proxy adds a forwarding header)."""
    client = request.client.host if request.client else ""
    relayed = any(name in request.headers for name in FORWARDING)
    return client in ("127.0.0.1", "::1", "testclient") and not relayed


def _observability(app: FastAPI) -> None:
    app.add_middleware(Measure)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        token = request.app.state.settings.metrics_token
        if token:
            if not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
                return errors.problem_response(
                    401, "unauthorized", "metrics need the configured bearer token"
                )
        elif not loopback_scraper(request):
            return errors.problem_response(
                403, "forbidden", "set HAIQUAN_METRICS_TOKEN to scrape from elsewhere"
            )
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
