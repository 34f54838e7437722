"""Pure rules of the risk engine: lane rates, lane selection against a window of recent scores, the
random share, value-control bounds (robust quantiles) and trader compliance classes."""

from __future__ import annotations

import bisect
import hashlib
import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# blue (ASYCUDA's lane): released at once like green, then queued for post-clearance audit
SEVERITY = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
LANES = ("green", "blue", "yellow", "red")
LANE_NAMES = {
    "green": ("luồng xanh", "green lane"),
    "blue": ("luồng xanh dương (thông quan, kiểm tra sau)", "blue lane (release now, audit later)"),
    "yellow": ("luồng vàng", "yellow lane"),
    "red": ("luồng đỏ", "red lane"),
}
# Đà Nẵng's 2020 split (the seeds' figures): green 49.75 %, yellow 43.2 %, red 7.05 %.
DEFAULT_RATES = (Decimal("49.75"), Decimal("43.2"), Decimal("7.05"))
DEFAULT_RANDOM_SHARE = Decimal("2")
MIN_RANDOM_SHARE = Decimal("0.5")
WINDOW_SIZE = 2000
MIN_WINDOW = 30


class RateError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LaneRates:
    """Expected share of each lane in percent (summing to 100) and the share picked at random."""

    green: Decimal = DEFAULT_RATES[0]
    yellow: Decimal = DEFAULT_RATES[1]
    red: Decimal = DEFAULT_RATES[2]
    random_share: Decimal = DEFAULT_RANDOM_SHARE
    blue: Decimal = Decimal(0)  # additive: an office without a blue rate keeps its three lanes

    def __post_init__(self) -> None:
        for name in ("green", "blue", "yellow", "red", "random_share"):
            v = getattr(self, name)
            if not Decimal(0) <= v <= Decimal(100):
                raise RateError(f"{name} must be between 0 and 100 percent, got {v}", name)
        total = self.green + self.blue + self.yellow + self.red
        if total != Decimal(100):
            raise RateError(f"green + blue + yellow + red must be 100 percent, they sum to {total}", "red")
        if self.random_share < MIN_RANDOM_SHARE:
            raise RateError(
                f"random_share must be at least {MIN_RANDOM_SHARE} percent so that evaluation stays unbiased",
                "random_share",
            )
        if self.random_share > self.red + self.yellow:
            raise RateError("random_share cannot exceed the red and yellow rates together", "random_share")


def uniform(key: str, salt: str = "") -> float:
    """A reproducible number in [0, 1) from a key (the declaration number)."""
    h = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


@dataclass
class ScoreWindow:
    """Recent scores of one office, kept sorted; the rank of a new score gives its lane. It also counts
    the recent declarations whose lane was set otherwise (override, profile, random pick), which use up
    part of each lane's budget."""

    size: int = WINDOW_SIZE
    _recent: deque[tuple[float, str | None]] = field(default_factory=deque)
    _sorted: list[float] = field(default_factory=list)
    _set: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LANES, 0))

    def add(self, score: float, set_lane: str | None = None) -> None:
        self._recent.append((score, set_lane))
        bisect.insort(self._sorted, score)
        if set_lane is not None:
            self._set[set_lane] += 1
        if len(self._recent) > self.size:
            old, old_lane = self._recent.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]
            if old_lane is not None:
                self._set[old_lane] -= 1

    def set_share(self, lane: str) -> float:
        """Share of the window whose lane was set by an override, a profile or a random pick."""
        return self._set[lane] / len(self._recent) if self._recent else 0.0

    def __len__(self) -> int:
        return len(self._recent)

    def share_above(self, score: float, tie: float = 0.5) -> float:
        """Share of the window scoring higher than this one (0 = the highest); equal scores count for
        `tie` (a reproducible draw in [0, 1)), so many equal scores spread over the lanes at their rates."""
        n = len(self._sorted)
        if not n:
            return 1.0
        lo, hi = bisect.bisect_left(self._sorted, score), bisect.bisect_right(self._sorted, score)
        return (n - hi + tie * (hi - lo)) / n


def lane_by_rank(
    share_above: float,
    rates: LaneRates,
    taken_red: float = 0.0,
    taken_yellow: float = 0.0,
    taken_blue: float = 0.0,
) -> str:
    """Top red % of scores → red, the next yellow % → yellow, the next blue % → blue (released, audited
    later), the rest green; the shares already taken by forced lanes and random picks come off each
    budget, so that the total matches the office's rates."""
    red = max(0.0, float(rates.red) / 100 - taken_red)
    yellow = max(0.0, float(rates.yellow) / 100 - taken_yellow)
    blue = max(0.0, float(rates.blue) / 100 - taken_blue)
    if share_above < red:
        return "red"
    if share_above < red + yellow:
        return "yellow"
    if share_above < red + yellow + blue:
        return "blue"
    return "green"


def blue_for_class(lane: str, compliance_class: str, rates: LaneRates) -> bool:
    """A low-compliance trader's green declaration goes blue (released, then audited) where the office
    runs a blue lane."""
    return lane == "green" and compliance_class == "low" and rates.blue > 0


def random_pick(number: str, rates: LaneRates) -> str | None:
    """With probability random_share, red or yellow in proportion to their rates; else None."""
    if uniform(number, "random") * 100 >= float(rates.random_share):
        return None
    red, yellow = float(rates.red), float(rates.yellow)
    if red + yellow <= 0:
        return None
    return "red" if uniform(number, "lane") * (red + yellow) < red else "yellow"


# ---- value control ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bounds:
    low: Decimal
    high: Decimal
    median: Decimal
    n: int


def robust_bounds(unit_values: Sequence[float], k: float = 3.0) -> Bounds | None:
    """Median ± k·MAD (scaled to σ) of log unit values: a few wild declarations cannot move it."""
    logs = [math.log(v) for v in unit_values if v > 0]
    if len(logs) < 5:
        return None
    med = statistics.median(logs)
    mad = statistics.median(abs(x - med) for x in logs) * 1.4826
    spread = max(mad, 0.05)
    return Bounds(
        _dec(math.exp(med - k * spread)), _dec(math.exp(med + k * spread)), _dec(math.exp(med)), len(logs)
    )


def _dec(x: float) -> Decimal:
    return Decimal(str(round(x, 4)))


def breach(unit_value: Decimal, low: Decimal, high: Decimal) -> tuple[str, float] | None:
    """('below'|'above', relative deviation) when the unit value is outside the bounds."""
    if low > 0 and unit_value < low:
        return "below", float((low - unit_value) / low)
    if high > 0 and unit_value > high:
        return "above", float((unit_value - high) / high)
    return None


# ---- trader compliance --------------------------------------------------------------------------
@dataclass(frozen=True)
class TraderHistory:
    declarations: int
    inspections: int
    frauds: int
    overdue_tax_days: int
    late_payments: int
    age_days: int
    suspended: bool = False


CLASSES = ("high", "normal", "low")


def compliance(h: TraderHistory) -> tuple[str, int, list[str]]:
    """Points from the trader's record and the class they give: ≥ 70 high, ≥ 40 normal, else low."""
    points, why = 50, []
    if h.declarations:
        bonus = min(20, h.declarations // 10)
        points += bonus
        why.append(f"declarations={h.declarations} (+{bonus})")
    if h.age_days >= 730:
        points += 10
        why.append("trading for 2 years or more (+10)")
    elif h.age_days < 365:
        points -= 10
        why.append("trading for less than a year (-10)")
    if h.frauds:
        # The rate matters more than the count: one finding in 40 inspections is not one in 2.
        malus = min(60, 5 * h.frauds + round(60 * h.frauds / max(h.inspections, h.frauds)))
        points -= malus
        why.append(f"fraud found in {h.frauds} of {h.inspections} inspections (-{malus})")
    elif h.inspections >= 3:
        points += 5
        why.append(f"{h.inspections} clean inspections (+5)")
    if h.overdue_tax_days > 0:
        points -= 20
        why.append(f"tax overdue {h.overdue_tax_days} days (-20)")
    if h.late_payments:
        malus = min(15, 5 * h.late_payments)
        points -= malus
        why.append(f"{h.late_payments} late payments (-{malus})")
    if h.suspended:
        return "low", points, [*why, "suspended"]
    cls = "high" if points >= 70 else "normal" if points >= 40 else "low"
    return cls, points, why


def worst(lanes: Iterable[str]) -> str | None:
    found = list(lanes)
    return max(found, key=lambda lane: SEVERITY[lane]) if found else None
