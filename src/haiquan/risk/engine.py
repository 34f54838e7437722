"""The full risk engine behind `ChannelEngine.assign`: analyst overrides, profiles (which can force a lane
or add points), value control, compliance class, watch lists and the score (learned model or heuristic),
then the lane from the score's rank among the office's recent scores at the office's lane rates, with a
random share picked regardless of score. Every decision keeps its reasons and is recorded for evaluation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import structlog
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.risk import domain, evaluation, scoring, snapshot
from haiquan.risk.channel import ChannelDecision, DeclarationFacts
from haiquan.risk.domain import LANE_NAMES, ScoreWindow
from haiquan.risk.tables import ModelVersionRow, RiskDecisionRow

log = structlog.get_logger(__name__)
DECISIONS = cast(Table, RiskDecisionRow.__table__)

SET_MODES = frozenset({"override", "profile", "random"})
COMPLIANCE_POINTS = {"low": 0.30, "normal": 0.0, "high": -0.10}
WATCH_POINTS = {"enterprise": 0.30, "consignee": 0.30, "hs_code": 0.15, "country": 0.15, "route": 0.15}
VC_BELOW, VC_ABOVE = 0.25, 0.10


@dataclass
class Assessment:
    """The parts of a decision before the lane is chosen."""

    points: float = 0.0
    reasons: list[dict[str, Any]] = field(default_factory=list)
    forced: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, points: float, reason: dict[str, Any]) -> None:
        self.points += points
        self.reasons.append({**reason, "points": round(points, 4)})


class RiskEngine:
    """Reference data, score windows and the serving model are kept in memory. With a database and
    `background=True` (a serving process), stale data is refreshed by a background thread while requests go
    on with what they have; otherwise (tests, CLI) it is reloaded inline."""

    def __init__(
        self,
        *,
        db: Database | None = None,
        background: bool = False,
        snapshot_ttl: float = 10.0,
        window_ttl: float = 300.0,
        model_retry: float = 300.0,
        explain_inline: bool = False,
    ) -> None:
        self.db, self.background = db, background
        self.snapshot_ttl, self.window_ttl, self.model_retry = snapshot_ttl, window_ttl, model_retry
        self.models = scoring.ModelHolder()
        # SHAP contributions cost several booster calls: by default the red lane's explanation is added by
        # the `risk.explanations` consumer right after registration (handlers.py), off the inline path.
        self.explain_inline = explain_inline
        self._snap: snapshot.Snapshot | None = None
        self._snap_at = 0.0
        self._windows: dict[str, tuple[ScoreWindow, float]] = {}
        self._failed: dict[str, float] = {}
        self._lock = threading.Lock()  # windows
        self._bg_lock = threading.Lock()
        self._refreshing: set[str] = set()

    # ---- reference data --------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Reload at the next declaration (after an analyst's change in this process)."""
        self._snap = None

    def warm(self) -> None:
        """Load the reference data and the serving model in the background (at start-up)."""
        self._in_background("reference", self._load_reference)

    def _in_background(self, key: str, fn: Callable[[Session], object]) -> bool:
        if self.db is None or not self.background:
            return False
        db = self.db
        with self._bg_lock:
            if key in self._refreshing:
                return True
            self._refreshing.add(key)

        def work() -> None:
            try:
                with db.unit_of_work() as uow:
                    fn(uow.session)
            except Exception as exc:  # a failed refresh keeps the data in memory; never kill the thread pool
                log.warning("risk.refresh_failed", key=key, error=str(exc))
            finally:
                with self._bg_lock:
                    self._refreshing.discard(key)

        threading.Thread(target=work, name=f"risk-refresh-{key}", daemon=True).start()
        return True

    def reference(self, session: Session) -> snapshot.Snapshot:
        snap = self._snap
        if snap is None:
            return self._load_reference(session)
        if time.monotonic() - self._snap_at > self.snapshot_ttl and not self._in_background(
            "reference", self._load_reference
        ):
            return self._load_reference(session)
        return snap

    def _load_reference(self, session: Session) -> snapshot.Snapshot:
        snap = snapshot.load(session)
        self._sync_model(session)
        self._snap, self._snap_at = snap, time.monotonic()
        return snap

    def _sync_model(self, session: Session) -> None:
        row = session.scalar(select(ModelVersionRow).where(ModelVersionRow.serving.is_(True)))
        current = self.models.serving
        if row is None:
            self.models.clear()
            return
        if current is not None and current.version == row.version:
            return
        failed_at = self._failed.get(row.version)
        if failed_at is not None and time.monotonic() - failed_at < self.model_retry:
            return
        version, path = row.version, row.path

        def switch(_session: Session | None = None) -> None:
            try:
                self.models.switch(version, path)
            except scoring.ModelLoadError as exc:
                self._failed[version] = time.monotonic()
                log.warning("risk.model_not_loaded", version=version, error=str(exc))

        if not self._in_background("model", switch):
            switch()

    def window(self, session: Session, office: str) -> ScoreWindow:
        found = self._windows.get(office)
        if found is None:
            return self._load_window(session, office)
        if time.monotonic() - found[1] > self.window_ttl and not self._in_background(
            f"window:{office}", lambda s: self._load_window(s, office)
        ):
            return self._load_window(session, office)
        return found[0]

    def _load_window(self, session: Session, office: str) -> ScoreWindow:
        win = ScoreWindow()
        recent = session.execute(
            select(
                RiskDecisionRow.score,
                RiskDecisionRow.channel,
                RiskDecisionRow.forced,
                RiskDecisionRow.random_pick,
            )
            .where(RiskDecisionRow.office == office)
            .order_by(RiskDecisionRow.decided_at.desc())
            .limit(win.size)
        ).all()
        for score, channel, forced, random_pick in reversed(recent):
            win.add(float(score), channel if forced or random_pick else None)
        with self._lock:
            self._windows[office] = (win, time.monotonic())
        return win

    # ---- the decision ----------------------------------------------------------------------------
    def assign(self, facts: DeclarationFacts, *, session: Session) -> ChannelDecision:
        snap = self.reference(session)
        a = Assessment()
        subject = snapshot.FactsSubject(facts, snap)
        override = self._override(snap, facts)
        self._profiles(snap, subject, facts, a)
        self._value_control(snap, facts, a)
        self._compliance(facts, a)
        self._watch(subject, a)
        serving = self.models.serving
        base, line = scoring.model_score(serving, facts) if serving and facts.lines else (0.0, 0)
        score = scoring.clamp(base + a.points)
        rates = snap.rates_for(facts.office)
        win = self.window(session, facts.office)
        with self._lock:  # requests run in a thread pool; the window is shared
            lane, mode = self._lane(facts, score, rates, win, a, override)
            win.add(score, lane if mode["mode"] in SET_MODES else None)
        reasons = [*(override[1:] if override else []), *a.reasons]
        if serving is not None:
            reasons.insert(0, self._model_reason(serving.version, base))
            if lane == "red" and facts.lines and self.explain_inline:
                reasons.extend(scoring.explain(serving, facts, line))
        reasons.append(mode)
        self._record(session, facts, lane, score, serving, mode, reasons, bool(override or a.forced), line)
        return ChannelDecision(lane, reasons, score=round(score, 6))

    def _lane(
        self,
        facts: DeclarationFacts,
        score: float,
        rates: domain.LaneRates,
        win: ScoreWindow,
        a: Assessment,
        override: tuple[str, dict[str, Any]] | None,
    ) -> tuple[str, dict[str, Any]]:
        if override is not None:
            return override[0], _mode("override", "Chuyên viên phân tích chỉ định luồng", "Analyst override")
        forced = domain.worst(lane for lane, _ in a.forced)
        if forced is not None:
            return forced, _mode("profile", "Hồ sơ rủi ro chỉ định luồng", "Lane forced by a risk profile")
        picked = domain.random_pick(facts.number, rates)
        if len(win) < domain.MIN_WINDOW:
            share = domain.uniform(facts.number, "warmup")
            ranked = domain.lane_by_rank(share, rates)
            mode = _mode(
                "warmup", "Chọn theo tỷ lệ (chưa đủ dữ liệu điểm)", "Selected at the lane rates (warming up)"
            )
        else:
            share = win.share_above(score, domain.uniform(facts.number, "tie"))
            taken = (win.set_share("red"), win.set_share("yellow"), win.set_share("blue"))
            ranked = domain.lane_by_rank(share, rates, *taken)
            vi, en = LANE_NAMES[ranked]
            mode = _mode(
                "rank",
                f"Điểm rủi ro thuộc nhóm {share * 100:.1f}% cao nhất của đơn vị → {vi}",
                f"Score in the top {share * 100:.1f}% of the office → {en}",
            )
        if domain.blue_for_class(ranked, facts.compliance_class, rates):
            ranked, mode = (
                "blue",
                _mode(
                    "compliance",
                    "Doanh nghiệp tuân thủ thấp: thông quan ngay, kiểm tra sau thông quan (luồng xanh dương)",
                    "Low-compliance trader: released now, audited after clearance (blue lane)",
                ),
            )
        if picked is not None and domain.SEVERITY[picked] > domain.SEVERITY[ranked]:
            vi, en = LANE_NAMES[picked]
            return picked, _mode("random", f"Chọn ngẫu nhiên để kiểm tra ({vi})", f"Random selection ({en})")
        return ranked, mode

    def _override(self, snap: snapshot.Snapshot, f: DeclarationFacts) -> tuple[str, dict[str, Any]] | None:
        values = {"declaration": f.number, "declarant": f.declarant_tax_code, "importer": f.importer_tax_code}
        hits = [
            o for o in snap.overrides if values.get(o.subject) == o.value and o.office in (None, f.office)
        ]
        if not hits:
            return None
        o = max(hits, key=lambda o: domain.SEVERITY[o.channel])
        return o.channel, {
            "kind": "override",
            "id": o.id,
            "vi": f"Chỉ định luồng {LANE_NAMES[o.channel][0]}: {o.reason}",
            "en": f"Lane set to {o.channel} by an analyst: {o.reason}",
        }

    def _profiles(
        self, snap: snapshot.Snapshot, subject: snapshot.FactsSubject, f: DeclarationFacts, a: Assessment
    ) -> None:
        today = clock.now().date()
        for p in snap.profiles:
            if not p.applies(f.office, today) or not evaluation.matches(p.rule, subject):
                continue
            reason = {
                "kind": "profile",
                "id": p.id,
                "version": p.version,
                "vi": f"Hồ sơ rủi ro {p.id}: {p.reason_vi or p.name}",
                "en": f"Risk profile {p.id}: {p.reason_en or p.name}",
            }
            if p.rule.action.lane is not None:
                a.forced.append((p.rule.action.lane, reason))
                a.reasons.append({**reason, "lane": p.rule.action.lane})
            else:
                a.add(p.rule.action.score / 100, reason)

    def _value_control(self, snap: snapshot.Snapshot, f: DeclarationFacts, a: Assessment) -> None:
        for i, ln in enumerate(f.lines):
            b = snap.bounds.get((ln.hs_code, ln.origin_country)) or snap.bounds.get((ln.hs_code, "*"))
            if b is None:
                continue
            uv = snapshot.unit_value(ln.customs_value_vnd, ln.quantity)
            found = domain.breach(uv, b[0], b[1])
            if found is None:
                continue
            side, dev = found
            if side == "below":
                vi = f"Dòng {i + 1}: đơn giá {scoring.money(uv)} VND thấp hơn mức tối thiểu {scoring.money(b[0])} VND (HS {ln.hs_code}, {ln.origin_country})"
                en = f"Line {i + 1}: unit value {scoring.money(uv)} VND below the minimum {scoring.money(b[0])} VND (HS {ln.hs_code}, {ln.origin_country})"
                pts = VC_BELOW + min(0.25, dev / 2)
            else:
                vi = f"Dòng {i + 1}: đơn giá {scoring.money(uv)} VND cao hơn mức tối đa {scoring.money(b[1])} VND (HS {ln.hs_code})"
                en = f"Line {i + 1}: unit value {scoring.money(uv)} VND above the maximum {scoring.money(b[1])} VND (HS {ln.hs_code})"
                pts = VC_ABOVE
            a.add(pts, {"kind": "value_control", "line": i + 1, "side": side, "vi": vi, "en": en})

    def _compliance(self, f: DeclarationFacts, a: Assessment) -> None:
        pts = COMPLIANCE_POINTS.get(f.compliance_class, 0.0)
        if pts:
            a.add(
                pts,
                {
                    "kind": "compliance",
                    "class": f.compliance_class,
                    "vi": f"Doanh nghiệp thuộc hạng tuân thủ {_CLASS_VI.get(f.compliance_class, f.compliance_class)}",
                    "en": f"Trader in compliance class {f.compliance_class}",
                },
            )

    def _watch(self, subject: snapshot.FactsSubject, a: Assessment) -> None:
        for kind, pts in WATCH_POINTS.items():
            if subject.watched(kind):
                vi, en = _WATCH_TEXT[kind]
                a.add(pts, {"kind": "watchlist", "list": kind, "vi": vi, "en": en})

    @staticmethod
    def _model_reason(version: str, base: float) -> dict[str, Any]:
        return {
            "kind": "score",
            "source": f"model:{version}",
            "value": round(base, 4),
            "vi": f"Điểm gian lận của mô hình {version}: {base:.3f}",
            "en": f"Fraud score of model {version}: {base:.3f}",
        }

    def _record(
        self,
        session: Session,
        f: DeclarationFacts,
        lane: str,
        score: float,
        serving: scoring.Serving | None,
        mode: dict[str, Any],
        reasons: list[dict[str, Any]],
        forced: bool,
        line: int,
    ) -> None:
        pending.add(
            session,
            DECISIONS,
            {
                "number": f.number,
                "office": f.office,
                "decided_at": clock.now(),
                "channel": lane,
                "score": score,
                "score_source": f"model:{serving.version}" if serving else "heuristic",
                "random_pick": mode["mode"] == "random",
                "forced": forced,
                "reasons": reasons,
                "total_duties": f.total_duties_vnd,
                "model_line": line if serving is not None else None,
                "explained": serving is None or lane != "red" or self.explain_inline,
            },
        )


def _mode(kind: str, vi: str, en: str) -> dict[str, Any]:
    return {"kind": "selection", "mode": kind, "vi": vi, "en": en}


_CLASS_VI = {"low": "thấp", "normal": "trung bình", "high": "cao"}
_WATCH_TEXT = {
    "enterprise": ("Doanh nghiệp trong danh sách theo dõi", "Trader on the watch list"),
    "consignee": ("Người nhận hàng trong danh sách theo dõi", "Consignee on the watch list"),
    "hs_code": ("Mã HS trong danh sách theo dõi", "HS code on the watch list"),
    "country": ("Nước xuất xứ/đối tác trong danh sách theo dõi", "Country on the watch list"),
    "route": ("Tuyến vận chuyển trong danh sách theo dõi", "Route on the watch list"),
}


def build_engine(db: Database, settings: Settings) -> RiskEngine:
    """The engine the app serves (app.state.channel_engine). A serving process (one that runs its
    dispatcher) refreshes reference data and loads the promoted model in the background, starting now."""
    engine = RiskEngine(db=db, background=settings.run_dispatcher)
    engine.warm()
    return engine
