"""Prometheus metrics shared by the domains."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("haiquan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "haiquan_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DECLARATIONS = Counter("haiquan_declarations_total", "Declaration lifecycle steps", ["step"])
EVENTS_APPLIED = Counter("haiquan_events_applied_total", "Outbox events applied by consumers", ["consumer"])
WEBHOOKS = Counter("haiquan_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"])
GROUP_COMMIT_SIZE = Histogram(
    "haiquan_group_commit_changes",
    "Changes applied per group-commit transaction (kit.groupcommit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
GROUP_COMMIT_SECONDS = Histogram(
    "haiquan_group_commit_seconds",
    "Time from taking a batch to its commit (kit.groupcommit)",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
