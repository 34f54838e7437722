"""What a trader is told of the targeting of its declaration, and of officers' work on it.

Officers see the risk engine's full explanation (profiles' ids and texts, value-control bounds, analysts'
override reasons, scores, the model's contributions). A trader (the declarant, or the importer or exporter
it declares for) sees only the lane and one neutral reason per lane: targeting stays inside customs.
In the history a trader sees every status change and decision, the reasons it wrote itself, and an
officer's reason only where it must act on it (documents requested, rejection, hold for another agency);
not the inspection's findings, nor the internal reassignments and escalations of the check."""

from __future__ import annotations

from typing import Any

from haiquan.declarations.schemas import HistoryOut

# The lane's neutral reason (Vietnamese, English): the same for every declaration in that lane
NEUTRAL: dict[str, tuple[str, str]] = {
    "green": (
        "Miễn kiểm tra chi tiết hồ sơ và miễn kiểm tra thực tế hàng hóa",
        "released without documentary check or physical inspection",
    ),
    # blue reads as green to the trader: the later audit is not announced at release
    "blue": (
        "Miễn kiểm tra chi tiết hồ sơ và miễn kiểm tra thực tế hàng hóa",
        "released without documentary check or physical inspection",
    ),
    "yellow": ("Được chọn kiểm tra hồ sơ", "selected for documentary check"),
    "red": ("Được chọn kiểm tra thực tế hàng hóa", "selected for physical inspection"),
}

# Officers' decisions whose reason is addressed to the trader: it has something to do
REASON_TO_TRADER = frozenset({"documents_requested", "rejected", "held_for_agency"})
# Reasons written by enterprises (the trader itself, a bank) are shown; customs' (officers, the system,
# the command line) only for the decisions above
ENTERPRISE_ACTOR = "enterprise:"
# Internal steps of the check (who works on it): not shown to traders
INTERNAL_ACTIONS = frozenset({"reassigned", "escalated"})
# A decision's detail kept to officers (the inspection result, as DeclarationOut.inspection)
OFFICER_DETAIL = frozenset({"findings", "fraud_found", "full_inspection"})


def trader_reasons(channel: str | None) -> list[dict[str, Any]]:
    """The trader's view of a lane's explanation: one neutral reason, whatever selected it."""
    if channel not in NEUTRAL:
        return []
    vi, en = NEUTRAL[channel]
    return [{"kind": "channel", "channel": channel, "vi": vi, "en": en}]


def trader_history(entries: list[HistoryOut]) -> list[HistoryOut]:
    """The history as a trader reads it (see the module's rule)."""
    return [_trader_entry(h) for h in entries if h.action not in INTERNAL_ACTIONS]


def _trader_entry(h: HistoryOut) -> HistoryOut:
    detail = {k: v for k, v in h.detail.items() if k not in OFFICER_DETAIL}
    if "reasons" in detail:
        detail["reasons"] = trader_reasons(detail.get("channel"))
    shown = h.actor.startswith(ENTERPRISE_ACTOR) or h.action in REASON_TO_TRADER
    return h.model_copy(update={"detail": detail, "reason": h.reason if shown else ""})
