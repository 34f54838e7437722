"""The risk module's events: what targeting officers and the engine change (profiles, watch lists, value
bounds, lane rates, overrides, models) and a trader's compliance class. Past tense; producers and consumers
import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class RiskEvent(StrEnum):
    PROFILE_CREATED = "risk.profile_created"
    PROFILE_CHANGED = "risk.profile_changed"
    WATCHLIST_ENTRY_ADDED = "risk.watchlist_entry_added"
    VALUE_CONTROL_EDITED = "risk.value_control_edited"
    VALUE_CONTROL_RECOMPUTED = "risk.value_control_recomputed"
    LANE_RATES_SET = "risk.lane_rates_set"
    OVERRIDE_ADDED = "risk.override_added"
    OVERRIDE_ENDED = "risk.override_ended"
    MODEL_REGISTERED = "risk.model_registered"
    MODEL_PROMOTED = "risk.model_promoted"
    COMPLIANCE_CLASS_CHANGED = "risk.compliance_class_changed"
    MODEL_COMPARED = "risk.model_compared"
    MODEL_COMPARISON_DECIDED = "risk.model_comparison_decided"
    PROFILES_REPLACED = "risk.profiles_replaced"
    WATCH_LIST_REPLACED = "risk.watch_list_replaced"


class ProfileSaved(TypedDict):
    """A risk profile as saved (created, or changed to a new `version`), with the officer's `why`."""

    id: str
    version: int
    name: str
    criteria: str
    units: list[str]
    valid_from: str | None
    valid_to: str | None
    active: bool
    reason_vi: str
    reason_en: str
    why: str


class WatchlistEntryAdded(TypedDict):
    """A value (`kind`: enterprise, consignee, route, hs_code, country) put on the watch list, normalised."""

    id: str
    kind: str
    value: str
    source: str
    reason: str


class ValueControlEdited(TypedDict):
    """An officer set the unit-value bounds of an HS code and origin (`*` every origin) by hand."""

    hs_code: str
    origin: str
    min: str
    max: str
    why: str


class ValueControlRecomputed(TypedDict):
    """Bounds learned again from the last `days` days of registered lines (`written` groups, `skipped`
    for too few samples or set by hand)."""

    groups: int
    written: int
    skipped: int
    days: int


class LaneRatesSet(TypedDict):
    """An office's target lane shares in percent (`*` every office without its own), and the random share."""

    office: str
    green: str
    yellow: str
    red: str
    random_share: str
    blue: str


class OverrideAdded(TypedDict):
    """A lane forced for a declarant, importer or declaration (`subject`, `value`) until it expires."""

    id: str
    subject: str
    value: str
    channel: str
    reason: str


class OverrideEnded(TypedDict):
    """An override ended before its time."""

    id: str


class ModelRegistered(TypedDict):
    """A trained scoring model's file registered under a version."""

    version: str
    path: str


class ModelPromoted(TypedDict):
    """The model version that scores from now on."""

    version: str


_Move = TypedDict("_Move", {"from": str, "to": str})  # keywords: the functional form


class ComplianceClassChanged(_Move):
    """A trader's compliance class moved (`from`, `to`: high, normal, low) on its `points`, for the reasons
    in `why`."""

    tax_code: str
    points: int
    why: list[str]


class ModelCompared(TypedDict):
    """A challenger trained from the platform's labels known before `cutoff`, compared with the
    `champion` (None: the engine's recorded scores) on the later period; awaiting an analyst's decision."""

    id: str
    challenger: str
    champion: str | None
    cutoff: str


class ModelComparisonDecided(TypedDict):
    """An analyst promoted the challenger of a comparison, or rejected it, saying `why`."""

    id: str
    challenger: str
    decision: str
    why: str


class ProfilesReplaced(TypedDict):
    """The risk profiles and lane rates replaced at this node by reference `version` (flowing down from the
    General Department): `profiles` and `lane_rates` rows."""

    version: int
    profiles: int
    lane_rates: int


class WatchListReplaced(TypedDict):
    """The watch list's entries that came down as reference data replaced by `version`: `total` entries (the
    node's own entries stay)."""

    version: int
    total: int


PAYLOADS: dict[RiskEvent, type] = {
    RiskEvent.PROFILE_CREATED: ProfileSaved,
    RiskEvent.PROFILE_CHANGED: ProfileSaved,
    RiskEvent.WATCHLIST_ENTRY_ADDED: WatchlistEntryAdded,
    RiskEvent.VALUE_CONTROL_EDITED: ValueControlEdited,
    RiskEvent.VALUE_CONTROL_RECOMPUTED: ValueControlRecomputed,
    RiskEvent.LANE_RATES_SET: LaneRatesSet,
    RiskEvent.OVERRIDE_ADDED: OverrideAdded,
    RiskEvent.OVERRIDE_ENDED: OverrideEnded,
    RiskEvent.MODEL_REGISTERED: ModelRegistered,
    RiskEvent.MODEL_PROMOTED: ModelPromoted,
    RiskEvent.COMPLIANCE_CLASS_CHANGED: ComplianceClassChanged,
    RiskEvent.MODEL_COMPARED: ModelCompared,
    RiskEvent.MODEL_COMPARISON_DECIDED: ModelComparisonDecided,
    RiskEvent.PROFILES_REPLACED: ProfilesReplaced,
    RiskEvent.WATCH_LIST_REPLACED: WatchListReplaced,
}
