"""Prometheus metrics of federation."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RELAYED = Counter("haiquan_sharing_relayed_total", "Outbox events published to JetStream and acknowledged")
AGENCY_RELAYED = Counter("haiquan_sharing_agency_relayed_total", "Agency feed messages published", ["agency"])
RECEIVED = Counter("haiquan_sharing_received_total", "Events applied from child nodes", ["node"])
DUPLICATES = Counter("haiquan_sharing_duplicates_total", "Redelivered events skipped (already applied)")
REFUSED = Counter(
    "haiquan_sharing_refused_total", "Events refused: unit outside the child's subtree", ["node"]
)
LAG = Gauge("haiquan_sharing_lag_seconds", "Delay of the last event applied from a child node", ["node"])
LAG_HIST = Histogram(
    "haiquan_sharing_lag_histogram_seconds",
    "Delay from an event's occurrence at a child node to its application here",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
RELAY_PENDING = Gauge("haiquan_sharing_relay_pending", "Outbox events not yet acknowledged by JetStream")
REFERENCE_APPLIED = Counter(
    "haiquan_sharing_reference_applied_total", "Reference versions applied on this node", ["kind"]
)
REFERENCE_REFUSED = Counter(
    "haiquan_sharing_reference_refused_total",
    "Reference versions refused: older than (or equal to) the one held, or a document its schema refuses",
    ["kind", "why"],
)
LINK_HELD = Gauge(
    "haiquan_sharing_link_held",
    "1 in the process holding this node's link (relay and consumers), 0 in the workers standing by",
)
LINK_TAKEN = Counter("haiquan_sharing_link_taken_total", "Times this process took this node's link")
