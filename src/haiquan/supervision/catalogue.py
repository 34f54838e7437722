"""The events supervision records in the outbox: one name per fact, in the past tense, and the fields of
each payload. Producers pass these members to `outbox.record`; consumers (reports, exits, federation)
compare with the same members.

Gate-ins and gate-outs arrive in batches of up to a thousand messages: their facts travel as lists in the
batch's one `movements_applied` event, and the alerts a batch or a scan raises in one `alerts_raised`
event per unit, so that a batch costs one or two outbox rows, not one per container."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class SupervisionEvent(StrEnum):
    OPERATOR_REGISTERED = "supervision.operator_registered"
    OPERATOR_SURVEYED = "supervision.operator_surveyed"
    OPERATOR_CONNECTION_CHANGED = "supervision.operator_connection_changed"
    OPERATOR_LOCATION_ADDED = "supervision.operator_location_added"
    OPERATOR_KEY_ADDED = "supervision.operator_key_added"
    OPERATOR_KEY_REVOKED = "supervision.operator_key_revoked"
    MOVEMENTS_APPLIED = "supervision.movements_applied"
    ALERTS_RAISED = "supervision.alerts_raised"
    ALERT_ACKNOWLEDGED = "supervision.alert_acknowledged"
    ALERT_CLOSED = "supervision.alert_closed"
    TRANSIT_PERMITTED = "supervision.transit_permitted"
    TRANSIT_DECLARED = "supervision.transit_declared"
    TRANSIT_ACCEPTED = "supervision.transit_accepted"
    TRANSIT_REFUSED = "supervision.transit_refused"
    TRANSIT_CANCELLED = "supervision.transit_cancelled"
    TRANSIT_ARRIVED = "supervision.transit_arrived"
    TRANSIT_DEADLINE_PASSED = "supervision.transit_deadline_passed"
    TRANSIT_ARRIVAL_RECORDED = "supervision.transit_arrival_recorded"


class OperatorRegistered(TypedDict):
    """A terminal operator (port, airport terminal, warehouse, yard) was registered by customs."""

    operator_id: str
    tax_code: str
    name: str


class OperatorSurveyed(TypedDict):
    """Customs recorded the operator's survey: its volumes and how ready its IT is to connect."""

    operator_id: str
    tax_code: str
    transactions_per_day: int
    annual_teu: int
    annual_tonnes: int
    declarations_per_year: int
    it_readiness: int


# `from` is a Python keyword: the payloads that carry it are declared in the functional form
OperatorConnectionChanged = TypedDict(
    "OperatorConnectionChanged",
    {"operator_id": str, "tax_code": str, "from": str, "to": str},  # surveyed, testing, live
)
OperatorConnectionChanged.__doc__ = "The operator's connection moved (surveyed, testing, live)."


class OperatorLocationAdded(TypedDict):
    """A controlled location (berth, yard, warehouse...) was added to the operator."""

    operator_id: str
    tax_code: str
    code: str
    kind: str


class OperatorKeyAdded(TypedDict):
    """Customs registered a certificate the operator signs its XML messages with, valid between the dates."""

    operator_id: str
    tax_code: str
    key_name: str
    fingerprint: str
    not_before: str
    not_after: str


class OperatorKeyRevoked(TypedDict):
    """Customs revoked an operator's certificate: messages it signs are refused from then on."""

    operator_id: str
    tax_code: str
    key_name: str
    fingerprint: str
    reason: str


class GateIn(TypedDict):
    """Goods that came into a controlled area (not a repeated gate-in of goods already in)."""

    unit: str  # the supervising unit of the location
    location: str
    at: str  # ISO 8601, as the terminal reported it


class GateOut(TypedDict):
    """Goods that left the controlled area they were held in, after `dwell_seconds` there."""

    unit: str  # the unit whose area held the goods (where they gated in)
    location: str  # where they gated out
    at: str
    dwell_seconds: int  # from the gate-in to the gate-out, never negative


class MovementCounts(TypedDict):
    """How a batch's messages ended."""

    applied: int
    refused: int
    duplicate: int
    error: int


class Exit(TypedDict):
    """Goods wholly out of the area under their cleared declarations."""

    goods_id: str
    declarations: list[str]


class MovementsApplied(TypedDict):
    """A batch of terminal messages was applied: its gate-ins, gate-outs and exits."""

    operator: str  # tax code
    operator_id: str
    counts: MovementCounts
    exits: list[Exit]  # goods wholly out under cleared declarations: the declarations are told
    goods: list[str]
    gate_ins: list[GateIn]
    gate_outs: list[GateOut]


class AlertRaised(TypedDict):
    """One alert in an `alerts_raised` event."""

    alert_id: int
    kind: str  # domain.AlertKind
    unit: str
    location: str | None
    goods_id: str | None
    raised_at: str  # ISO 8601


class AlertsRaised(TypedDict):
    """Alerts of one unit raised together: by a batch of terminal messages or by the periodic scan."""

    source: str  # "movements", "scan" or "transit" (an arrival with a discrepancy)
    alerts: list[AlertRaised]


class AlertChanged(TypedDict):
    """An officer acknowledged or closed an alert."""

    alert_id: int
    kind: str
    goods_id: str | None
    location: str | None
    raised_at: str
    note: str


TransitPermitted = TypedDict(
    "TransitPermitted",
    {
        "transit_id": str,
        "goods_id": str,
        "from": str,  # location codes
        "to": str,
        "permit": str,
        "hours_allowed": int,
    },
)
TransitPermitted.__doc__ = "An officer permitted goods to move under customs control between two locations."


class TransitDeclarationChanged(TypedDict):
    """A transit the trader declared changed: declared, accepted by the departure office (the deadline
    runs), refused, cancelled by the trader, arrived (closed by the destination office, `outcome` intact or
    discrepancy), or its deadline passed before arrival. `declarant_id` is the declaring enterprise, which
    hears of each change as a notification."""

    transit_id: str
    number: str
    transport: str  # transit | independent
    declarant_id: str
    tax_code: str
    departure_office: str
    destination_office: str
    status: str
    deadline: str | None
    outcome: str
    note: str
    # what the destination office needs to act when it is on another node (decision 0039)
    seals: list[str]
    containers: list[str]
    route: list[str]
    goods: str
    hours_allowed: int
    declared_at: str


class TransitArrivalRecorded(TypedDict):
    """The destination office, on another node than the one where the transit was declared, recorded its
    arrival (seals found, outcome from the seals it was told of); the origin node closes the transit when
    this reaches it (decision 0039) and records supervision.transit_arrived there."""

    transit_id: str
    number: str
    departure_office: str
    destination_office: str
    origin_node: str
    seals_found: list[str]
    discrepancy: bool
    outcome: str
    note: str


PAYLOADS: dict[SupervisionEvent, type] = {
    SupervisionEvent.OPERATOR_REGISTERED: OperatorRegistered,
    SupervisionEvent.OPERATOR_SURVEYED: OperatorSurveyed,
    SupervisionEvent.OPERATOR_CONNECTION_CHANGED: OperatorConnectionChanged,
    SupervisionEvent.OPERATOR_LOCATION_ADDED: OperatorLocationAdded,
    SupervisionEvent.OPERATOR_KEY_ADDED: OperatorKeyAdded,
    SupervisionEvent.OPERATOR_KEY_REVOKED: OperatorKeyRevoked,
    SupervisionEvent.MOVEMENTS_APPLIED: MovementsApplied,
    SupervisionEvent.ALERTS_RAISED: AlertsRaised,
    SupervisionEvent.ALERT_ACKNOWLEDGED: AlertChanged,
    SupervisionEvent.ALERT_CLOSED: AlertChanged,
    SupervisionEvent.TRANSIT_PERMITTED: TransitPermitted,
    SupervisionEvent.TRANSIT_DECLARED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_ACCEPTED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_REFUSED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_CANCELLED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_ARRIVED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_DEADLINE_PASSED: TransitDeclarationChanged,
    SupervisionEvent.TRANSIT_ARRIVAL_RECORDED: TransitArrivalRecorded,
}

# what the declaring enterprise is notified of (supervision.handlers)
TRANSIT_NOTIFIED = frozenset(
    {
        SupervisionEvent.TRANSIT_ACCEPTED,
        SupervisionEvent.TRANSIT_REFUSED,
        SupervisionEvent.TRANSIT_ARRIVED,
        SupervisionEvent.TRANSIT_DEADLINE_PASSED,
    }
)
