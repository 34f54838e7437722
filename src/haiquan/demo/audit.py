"""Issue #21's story in `haiquan demo seed`: a trader's green declaration of Japanese air conditioners,
cleared about 100 days ago, is selected three months later by the audit team of Cục Hải quan Hà Nội
(an analyst's query over cleared declarations), audited on site in the quarter's plan: the units were
undervalued. The findings become the label in risk_labels and the trader's new compliance class; the
department leader closes the case (the additional duty as an amendment, AMA, the late interest, the
penalty decided and booked), Vietcombank confirms the duty, the late interest and the penalty; then an analyst retrains
the learned score from the platform's own labels, compares the challenger with the champion on the last
days and promotes it. Every step through the services the API uses (haiquan.demo.audit_market makes the
labelled trade the retraining learns from)."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.audit import service as audit
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.tables import DeclarationRow
from haiquan.demo import audit_market as market
from haiquan.kit import clock
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.errors import DomainError
from haiquan.kit.settings import Settings
from haiquan.organization import expertise
from haiquan.organization import service as org
from haiquan.organization.officers import by_username
from haiquan.risk.channel import ChannelEngine, RuleSetEngine

TRADER = ("0106873188", "Công ty TNHH Điện lạnh Thăng Long (demo)")
AUDITOR, LEADER, ANALYST = "ktstq_hn", "cuc_hanoi", "analyst"  # demo.world.OFFICERS
GREEN = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
UNITS = 24


def officer(s: Session, username: str) -> Principal:
    return org.officer_principal(s, by_username(s, username))


def _enterprises(db: Database) -> None:
    with db.unit_of_work() as uow:
        for tax, name in (TRADER, *market.IMPORTERS):
            org.add_enterprise(uow.session, tax_code=tax, name=name, roles=["declarant"], actor="demo")
        uow.commit()


def _declare_green(db: Database, dispatcher: Dispatcher, *, origin: str, price: int, ref: str) -> str:
    """The trader's declaration, registered green (released on payment), paid 3 hours later: cleared."""
    with db.unit_of_work() as uow:
        s = uow.session
        principal = org.enterprise_principal(org.enterprise_by_tax_code(s, TRADER[0]))
        supplier = dict(market.SUPPLIERS)[origin]
        data = market.body(TRADER[0], origin, supplier, UNITS, price, ref)
        number = declarations.lodge(s, principal=principal, data=data).row.number
        registration.register_one(s, principal=principal, number=number, engine=GREEN)
        uow.commit()
    dispatcher.run_once()  # the payment reference
    clock.freeze(clock.now() + timedelta(hours=3))
    with db.unit_of_work() as uow:
        market.pay_open(uow.session, number=number, txn="FT-AUDIT")
        uow.commit()
    dispatcher.run_once()  # the confirmation clears it
    return number


def _class_of(db: Database) -> str:
    with db.unit_of_work() as uow:
        return org.enterprise_by_tax_code(uow.session, TRADER[0]).compliance_class


def _quarter(at: datetime) -> str:
    day = clock.to_vn(at).date()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _audit(db: Database, dispatcher: Dispatcher, number: str) -> dict[str, Any]:
    """The audit team: the plan, the analyst's query, the on-site audit and its findings."""
    with db.unit_of_work() as uow:
        s = uow.session
        expertise.set_fields(
            s, username=AUDITOR, fields=["audit", "tax"], actor="admin", by=officer(s, "admin")
        )
        me = officer(s, AUDITOR)
        plan = audit.adopt_plan(s, principal=me, unit="01", period=_quarter(clock.now()), planned_cases=12,
                                title="Trị giá hải quan của máy điều hòa nhập khẩu luồng xanh",
                                themes=["trị giá hải quan", "máy điều hòa 8415"])  # fmt: skip
        picked = audit.run_selection(s, principal=me, source="query", declarant=TRADER[0], hs_prefix="8415",
                                     channel="green")  # fmt: skip
        mine = next(c for c in picked if c.number == number)
        case = audit.open_case(s, principal=me, number=None, candidate_id=mine.id, kind="on_site",
                               scope="Trị giá hải quan: giá thực thanh toán của máy điều hòa", plan_id=plan.id)  # fmt: skip
        row = s.get(DeclarationRow, number)
        assert row is not None
        extra = (row.total_duties * (Decimal(market.UNIT_PRICE) / market.CHEAP - 1)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        audit.record_findings(
            s, principal=me, case_id=case.id, outcome="fraud", additional_duty=extra,
            findings=[f"Khai giá {market.CHEAP} USD/chiếc; hợp đồng và chứng từ thanh toán: {market.UNIT_PRICE} USD/chiếc",
                      "Khai sai trị giá hải quan dẫn đến thiếu số thuế phải nộp"],
            documents=["Hợp đồng mua bán DK-2026/118", "Chứng từ thanh toán qua ngân hàng", "Sổ kế toán kho"],
        )  # fmt: skip
        uow.commit()
        out = {"case": case.id, "plan": plan.id, "period": plan.period, "queued": len(picked)}
    dispatcher.run_once()  # the label (risk_labels) and the trader's compliance class
    return out


def _close(db: Database, dispatcher: Dispatcher, case_id: str) -> dict[str, Any]:
    """The department leader closes: AMA with the additional duty, late interest, the penalty decided."""
    with db.unit_of_work() as uow:
        row = audit.close_case(uow.session, principal=officer(uow.session, LEADER), case_id=case_id)
        uow.commit()
        out = {"amendment_no": row.amendment_no, "additional_duty": str(row.additional_duty),
               "late_interest": str(row.late_interest), "penalty": str(row.penalty),
               "penalty_basis": row.penalty_basis}  # fmt: skip
    dispatcher.run_once()  # payments books the amendment's reference
    return out


def _retrain(db: Database, settings: Settings, *, cutoff: datetime) -> dict[str, Any]:
    """The analyst's retraining from the platform's labels, and the promotion (both audited)."""
    from haiquan.risk import retraining, scoring

    started = time.perf_counter()
    try:
        with db.unit_of_work() as uow:
            s = uow.session
            actor = officer(s, ANALYST).label
            row = retraining.train_and_compare(s, cutoff=cutoff, test_to=clock.now(), actor=actor,
                                               model_dir=settings.data_dir / "models")  # fmt: skip
            seconds = round(time.perf_counter() - started, 1)
            retraining.decide(s, comparison_id=row.id, promote=True, actor=actor, holder=scoring.ModelHolder(),
                              why="Mô hình học từ kết quả kiểm tra sau thông quan phát hiện khai thấp trị giá")  # fmt: skip
            uow.commit()
            m = row.metrics
            return {"comparison": row.id, "challenger": row.challenger, "seconds": seconds,
                    "train": m["train"], "test_declarations": m["test_declarations"],
                    "precision": [m["challenger"].get("precision"), m["champion"].get("precision")]}  # fmt: skip
    except DomainError as exc:  # a demo seeded with too few declarations: the rest of the story stands
        return {"skipped": exc.message}


def seed(db: Database, settings: Settings, *, engine: ChannelEngine, rng: random.Random) -> dict[str, Any]:
    """Returns what the demo prints (`describe`) and the tests check."""
    from haiquan import consumers

    dispatcher = Dispatcher(db)
    consumers.register_all(dispatcher, settings)
    now = clock.now()
    try:
        clock.freeze(now - timedelta(days=140))
        _enterprises(db)
        history = market.trade(db, dispatcher, engine, start=now - timedelta(days=130), days=28, count=96,
                               rng=rng, tag="AC-H")  # fmt: skip
        clock.freeze(now - timedelta(days=101))
        fair = _declare_green(db, dispatcher, origin="TH", price=market.UNIT_PRICE, ref="TL-AWB-1")
        clock.freeze(now - timedelta(days=100))
        number = _declare_green(db, dispatcher, origin="JP", price=market.CHEAP, ref="TL-AWB-2")
        before = _class_of(db)
        clock.freeze(now - timedelta(days=10))
        story = {"trader": TRADER[0], "declaration": number, "other": fair, "class_before": before,
                 "cleared_at": (now - timedelta(days=100)).isoformat()} | _audit(db, dispatcher, number)  # fmt: skip
        story["class_after"] = _class_of(db)
        clock.freeze(now - timedelta(days=9, hours=20))
        story |= _close(db, dispatcher, story["case"])
        clock.freeze(now - timedelta(days=8))
        with db.unit_of_work() as uow:
            story["paid"] = market.pay_open(uow.session, payer=TRADER[0], txn="FT-AMA")
            uow.commit()
        dispatcher.run_once()
        later = market.trade(db, dispatcher, engine, start=now - timedelta(days=7), days=5, count=28,
                             rng=rng, tag="AC-T")  # fmt: skip
        clock.freeze(now - timedelta(hours=1))
        story["retraining"] = _retrain(db, settings, cutoff=now - timedelta(days=9))
        dispatcher.run_once()
    finally:
        clock.freeze(None)
    return story | {"history": history, "later": later}


def describe(story: dict[str, Any]) -> list[str]:
    """What `haiquan demo seed` prints about the audit, so a new user knows where to look."""
    if not story:
        return []
    r = story.get("retraining") or {}
    if "skipped" in r:
        retrained = f"  Retraining skipped: {r['skipped']}"
    else:
        ours, theirs = (f"{x:.2f}" if isinstance(x, float) else "—" for x in r.get("precision", [None, None]))
        retrained = (
            f"  Retrained from our labels in {r.get('seconds')} s ({r.get('train', {}).get('declarations')}"
            f" declarations, {r.get('train', {}).get('audit', 0)} audit label): comparison {r.get('comparison')},"
            f" precision {ours} (challenger) vs {theirs} (champion); promoted by {ANALYST} (/risk/comparisons)."
        )
    return [
        f"Post-clearance audit: {story['trader']}'s green declaration {story['declaration']} (cleared 100 days"
        f" ago) selected by {AUDITOR} (plan {story['period']}), audited on site: undervalued"
        f" ({market.CHEAP} USD declared, {market.UNIT_PRICE} paid).",
        f"  AMA {story['amendment_no']}: additional duty {story['additional_duty']} đồng, late interest"
        f" {story['late_interest']}, penalty {story['penalty']} (decided by {LEADER}); paid:"
        f" {', '.join(story['paid'])}; trader class {story['class_before']} → {story['class_after']};"
        f" log in as {AUDITOR} at /audit/cases/{story['case']}.",
        f"  Labelled trade it learns from: {market.describe_counts(story['history'])} then"
        f" {market.describe_counts(story['later'])}.",
        retrained,
    ]
