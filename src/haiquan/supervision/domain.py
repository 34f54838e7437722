"""Supervision rules: the release rule at the gate, operator connection steps, roll-out ranking, alert
texts. Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class LocationKind(StrEnum):
    SEAPORT = "seaport"
    AIRPORT_CARGO_TERMINAL = "airport_cargo_terminal"
    WAREHOUSE = "warehouse"
    YARD = "yard"
    CFS = "cfs"
    BONDED_WAREHOUSE = "bonded_warehouse"
    INSPECTION_LOCATION = "inspection_location"
    EXPRESS_HUB = "express_hub"
    INLAND_DEPOT = "inland_depot"


class Connection(StrEnum):
    SURVEYED = "surveyed"
    TESTING = "testing"
    LIVE = "live"


NEXT_CONNECTION = {
    Connection.SURVEYED: {Connection.TESTING},
    Connection.TESTING: {Connection.LIVE, Connection.SURVEYED},
    Connection.LIVE: {Connection.TESTING},
}
CONNECTED = frozenset({Connection.TESTING, Connection.LIVE})


def can_move_connection(old: Connection, new: Connection) -> bool:
    return new in NEXT_CONNECTION[old]


class Destination(StrEnum):
    INLAND = "inland"
    VESSEL = "vessel"
    BARGE = "barge"
    CONTROLLED_AREA = "controlled_area"


# Declaration statuses under which goods may leave (goods_exited: another container of it already left)
RELEASING = frozenset({"cleared", "released", "goods_exited"})
HELD = frozenset({"held_by_other_agency"})
DEAD = frozenset({"cancelled", "rejected", "expired"})


@dataclass(frozen=True)
class Reason:
    code: str
    vi: str
    en: str
    mismatch: bool = False

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_vi": self.vi, "message": self.en}


@dataclass(frozen=True)
class DeclarationFacts:
    number: str
    status: str
    package_count: int
    # other agencies (codes) whose permit or inspection a line still waits for, or which refused one
    agencies_awaited: tuple[str, ...] = ()
    agencies_refused: tuple[str, ...] = ()


def agency_reasons(d: DeclarationFacts) -> list[Reason]:
    """Another agency's permit or inspection: refused (the goods stay), or still missing."""
    out: list[Reason] = []
    if d.agencies_refused:
        names = ", ".join(d.agencies_refused)
        out.append(
            Reason(
                "permit_refused",
                f"Tờ khai {d.number}: cơ quan quản lý chuyên ngành ({names}) từ chối cấp phép",
                f"declaration {d.number}: {names} refused the permit or inspection",
            )
        )
    if d.agencies_awaited:
        names = ", ".join(d.agencies_awaited)
        out.append(
            Reason(
                "permit_missing",
                f"Tờ khai {d.number} chờ giấy phép/kết quả kiểm tra chuyên ngành của {names}",
                f"declaration {d.number} waits for the permit or inspection result of {names}",
            )
        )
    return out


@dataclass(frozen=True)
class GoodsFacts:
    """One container (or loose cargo) of a consignment, as the platform knows it."""

    goods_id: str
    container: str  # '' for loose cargo
    purpose: str  # import | export | transit | transshipment
    manifest_packages: int
    state: str  # expected | in | out | moving
    operator_id: str | None  # who holds it (None: nobody yet)
    seal: str  # the seal recorded at gate-in, else the manifest's


@dataclass(frozen=True)
class ExitRequest:
    operator_id: str
    destination: Destination
    seal: str | None
    package_count: int | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]

    @property
    def mismatch(self) -> bool:
        return any(r.mismatch for r in self.reasons)

    @property
    def without_gate_in(self) -> bool:
        return any(r.code == "not_gated_in" for r in self.reasons)


def customs_reasons(
    goods: GoodsFacts,
    declarations: Sequence[DeclarationFacts],
    *,
    permit: bool,
    destination: Destination | None,
) -> list[Reason]:
    """Does customs let the goods go? Declarations cleared and released, or a permit to move under control."""
    under_control = destination is Destination.CONTROLLED_AREA or goods.purpose in (
        "transit",
        "transshipment",
    )
    if under_control:
        if permit:
            return []
        return [
            Reason(
                "no_customs_permit",
                "Chưa có giấy phép vận chuyển chịu sự giám sát hải quan",
                "no customs permit to move the goods under customs control",
            )
        ]
    live = [d for d in declarations if d.status not in DEAD]
    if not live:
        return [
            Reason(
                "no_declaration", "Chưa có tờ khai hải quan cho lô hàng", "no declaration covers the goods"
            )
        ]
    out: list[Reason] = []
    for d in live:
        out += agency_reasons(d)
        if d.status in HELD:
            out.append(
                Reason(
                    "held_by_other_agency",
                    f"Tờ khai {d.number} đang bị cơ quan khác tạm giữ",
                    f"declaration {d.number} is held by another agency",
                )
            )
        elif d.status not in RELEASING:
            out.append(
                Reason(
                    "declaration_not_cleared",
                    f"Tờ khai {d.number} chưa thông quan ({d.status})",
                    f"declaration {d.number} is not cleared (status {d.status})",
                )
            )
    declared = sum(d.package_count for d in live)
    if not out and goods.manifest_packages and declared != goods.manifest_packages:
        out.append(
            Reason(
                "count_mismatch",
                f"Số kiện khai báo {declared} khác số kiện trên manifest {goods.manifest_packages}",
                f"declared packages {declared} differ from the manifest's {goods.manifest_packages}",
                True,
            )
        )
    return out


def decide_exit(
    goods: GoodsFacts, declarations: Sequence[DeclarationFacts], request: ExitRequest, *, permit: bool
) -> Decision:
    """The release rule at the gate: the goods are in this operator's area, customs lets them go, the seal
    matches and the counts agree. Every failing condition is a reason."""
    reasons: list[Reason] = []
    if goods.state == "out":
        reasons.append(
            Reason("already_exited", "Hàng đã ra khỏi khu vực giám sát", "the goods have already left")
        )
    elif goods.state != "in":
        reasons.append(
            Reason(
                "not_gated_in",
                "Hàng chưa được ghi nhận vào khu vực giám sát (không có Get-In)",
                "the goods never gated in (gate-out without gate-in)",
            )
        )
    elif goods.operator_id != request.operator_id:
        reasons.append(
            Reason(
                "held_by_another_operator",
                "Hàng đang do doanh nghiệp kho bãi khác quản lý",
                "another operator holds the goods",
            )
        )
    reasons += customs_reasons(goods, declarations, permit=permit, destination=request.destination)
    if goods.container:
        if not request.seal or request.seal != goods.seal:
            reasons.append(
                Reason(
                    "seal_mismatch",
                    f"Số seal {request.seal or '(không có)'} khác seal đã ghi nhận {goods.seal}",
                    f"seal {request.seal or '(none)'} differs from the recorded seal {goods.seal}",
                    True,
                )
            )
    elif (
        request.package_count is not None
        and goods.manifest_packages
        and request.package_count != goods.manifest_packages
    ):
        reasons.append(
            Reason(
                "count_mismatch",
                f"Số kiện ra {request.package_count} khác số kiện trên manifest {goods.manifest_packages}",
                f"{request.package_count} packages at the gate, the manifest says {goods.manifest_packages}",
                True,
            )
        )
    return Decision(not reasons, tuple(reasons))


def release_status(goods: GoodsFacts, declarations: Sequence[DeclarationFacts], *, permit: bool) -> Decision:
    """What a status look-up answers: may the goods leave now (seal and counts are checked at the gate)?"""
    reasons: list[Reason] = []
    if goods.state == "out":
        reasons.append(
            Reason("already_exited", "Hàng đã ra khỏi khu vực giám sát", "the goods have already left")
        )
    reasons += customs_reasons(goods, declarations, permit=permit, destination=None)
    return Decision(not reasons, tuple(reasons))


# --- roll-out ranking -----------------------------------------------------------------------------------

WEIGHTS = {"frequency": 0.4, "volume": 0.4, "readiness": 0.2}


@dataclass(frozen=True)
class SurveyFacts:
    operator_id: str
    transactions_per_day: int
    annual_teu: int
    annual_tonnes: int
    it_readiness: int  # 0..5


@dataclass(frozen=True)
class Ranked:
    operator_id: str
    rank: int
    score: float
    parts: dict[str, float]


def rank(surveys: Sequence[SurveyFacts]) -> list[Ranked]:
    """Rank operators for roll-out by transaction frequency, goods volume and IT readiness, each scaled to
    the largest surveyed value (volume: TEU and tonnes, each half). Ties keep a stable order by id."""
    if not surveys:
        return []
    max_tx = max(s.transactions_per_day for s in surveys) or 1
    max_teu = max(s.annual_teu for s in surveys) or 1
    max_t = max(s.annual_tonnes for s in surveys) or 1
    scored = []
    for s in surveys:
        parts = {
            "frequency": s.transactions_per_day / max_tx,
            "volume": (s.annual_teu / max_teu + s.annual_tonnes / max_t) / 2,
            "readiness": min(max(s.it_readiness, 0), 5) / 5,
        }
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)
        scored.append((s.operator_id, score, {k: round(v, 4) for k, v in parts.items()}))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return [Ranked(op, i + 1, score, parts) for i, (op, score, parts) in enumerate(scored)]


# --- alerts ---------------------------------------------------------------------------------------------


class AlertKind(StrEnum):
    REFUSED_EXIT = "refused_exit"
    GATE_OUT_WITHOUT_GATE_IN = "gate_out_without_gate_in"
    MISMATCH = "mismatch"
    NO_DECLARATION = "manifest_without_declaration"
    DWELL = "dwell"
    TRANSIT_OVERDUE = "transit_overdue"
    WRITEOFF_DISCREPANCY = "writeoff_discrepancy"


ALERT_TITLES = {
    AlertKind.REFUSED_EXIT: ("Từ chối cho hàng ra khỏi khu vực giám sát", "Refused exit attempt"),
    AlertKind.GATE_OUT_WITHOUT_GATE_IN: ("Get-Out khi chưa có Get-In", "Gate-out without gate-in"),
    AlertKind.MISMATCH: ("Sai lệch số kiện hoặc seal", "Count or seal mismatch"),
    AlertKind.NO_DECLARATION: ("Hàng trên manifest chưa có tờ khai", "Manifest without declaration"),
    AlertKind.DWELL: ("Hàng tồn đọng quá thời hạn", "Goods dwelling beyond the limit"),
    AlertKind.TRANSIT_OVERDUE: ("Hàng chuyển cửa khẩu quá hạn chưa đến", "Transit overdue"),
    AlertKind.WRITEOFF_DISCREPANCY: (
        "Manifest chưa thanh khoản hết khi hết hạn",
        "Manifest write-off discrepancy",
    ),
}
