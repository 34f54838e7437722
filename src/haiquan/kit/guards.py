"""The bounds a worker keeps under overload and abuse (decision 0019, docs/operations.md#overload-and-abuse),
put together for app.py: outermost first,

    rate limits (429, kit.ratelimit) → body deadline (408, kit.bodies) → admission (503, kit.admission)

then the application's own middlewares and routes. /healthz (kit.health) and /metrics pass all three. The
login throttle (kit.logins), the aggregated refusal audit (kit.refusals) and the argon2 bound
(kit.passwords) are reached through app.state."""

from __future__ import annotations

from fastapi import FastAPI

from haiquan.kit import health, passwords
from haiquan.kit.admission import Admission
from haiquan.kit.bodies import BodyDeadline
from haiquan.kit.db import Database
from haiquan.kit.login_sources import KnownSources
from haiquan.kit.logins import LoginPolicy, LoginThrottle
from haiquan.kit.ratelimit import Limits, RateLimit
from haiquan.kit.refusals import Refusals
from haiquan.kit.settings import Settings
from haiquan.kit.sources import networks


class Guards:
    def __init__(self, app: FastAPI, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.refusals = Refusals(db, cap=settings.rate_tracked_keys)
        self.probe = health.HealthProbe(db.engine.url, db.dialect)
        app.state.refusals = self.refusals
        app.state.logins = LoginThrottle(LoginPolicy.of(settings), known=KnownSources(db))
        app.state.trusted_proxies = networks(settings.trusted_proxies)
        passwords.configure(settings.password_hash_concurrency)
        health.install(app, self.probe)

    def add_middlewares(self, app: FastAPI) -> None:
        """Called after the application's own middlewares, so that these run in front of them."""
        s = self.settings
        app.add_middleware(
            Admission, limit=s.admission_limit, queue=s.admission_queue, wait=s.admission_wait_seconds
        )
        app.add_middleware(BodyDeadline, total=s.body_timeout_seconds, idle=s.body_idle_seconds)
        if s.rate_limits_enabled:
            app.add_middleware(
                RateLimit,
                limits=Limits.of(s),
                refusals=self.refusals,
                proxies=app.state.trusted_proxies,
            )

    def start(self) -> None:
        self.refusals.start()

    def stop(self) -> None:
        self.refusals.stop()  # the counts of the current minute are written
        self.probe.close()
