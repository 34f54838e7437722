"""The end of the demo vessel's story, through the same services the API uses: the importer declares the
first two bills, the risk engine picks each one's channel, the assigned officer checks the yellow and red
ones, the bank confirms the duties, and the declarations are cleared; the container refused earlier then
leaves and its declaration becomes goods_exited. The second container stays, cleared, in the yard (the API
guide's terminal gates it out); the third is never declared (it dwells, with no declaration)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations import officer as officer_service
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.domain import DecisionKind, Status
from haiquan.declarations.schemas import DecisionIn, DeclarationIn
from haiquan.declarations.tables import DeclarationRow
from haiquan.demo.supervision import DEMO_TERMINAL
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.organization.tables import OfficerRow
from haiquan.risk.channel import ChannelEngine
from haiquan.supervision.movements import Incoming, apply_batch

IMPORTER, BANK = "0101248141", "0100112437"  # Minh Anh (the bills' consignee); Vietcombank


def _declare(s: Session, engine: ChannelEngine, bill: dict[str, Any], office: str) -> DeclarationRow:
    principal = org.enterprise_principal(org.enterprise_by_tax_code(s, IMPORTER))
    body = DeclarationIn.model_validate(
        {
            "kind": "import",
            "office": office,
            "importer": {"tax_code": IMPORTER},
            "exporter": {"name": "Shenzhen Huaqiang Electronics", "country": "CN"},
            "transport_mode": "sea",
            "transport_document": bill["goods_id"],
            "containers": [bill["container"]],
            "package_count": bill["package_count"],
            "gross_mass_kg": bill["gross_mass_kg"],
            "invoice": {"currency": "USD", "amount": "24000", "incoterm": "CIF"},
            "lines": [
                {
                    "hs_code": "85423100",
                    "description": "Bộ vi xử lý / processors",
                    "origin_country": "CN",
                    "quantity": "2000",
                    "quantity_unit": "PCE",
                    "net_mass_kg": "400",
                    "value": "24000",
                }
            ],
        }
    )
    row = declarations.lodge(s, principal=principal, data=body).row
    row = registration.register_one(s, principal=principal, number=row.number, engine=engine)
    if row.status in (Status.REGISTERED, Status.INSPECTION_INTENDED) and row.assigned_officer_id:
        officer = s.get(OfficerRow, row.assigned_officer_id)
        assert officer is not None
        who = org.officer_principal(s, officer)
        decision = (
            DecisionIn(
                kind=DecisionKind.INSPECTION_RESULT,
                reason="Kiểm tra thực tế: phù hợp",
                fraud_found=False,
                findings="Hàng hoá phù hợp khai báo",
            )
            if row.channel == "red"
            else DecisionIn(kind=DecisionKind.DOCUMENTS_ACCEPTED, reason="Hồ sơ phù hợp")
        )
        officer_service.take_decision(s, principal=who, number=row.number, data=decision)
    return row


def _pay(s: Session, number: str) -> None:
    """Vietcombank confirms the declaration's open payment references, now."""
    from haiquan.payments.confirmations import confirm
    from haiquan.payments.schemas import PaymentIn
    from haiquan.payments.tables import PaymentReferenceRow

    bank = org.enterprise_principal(org.enterprise_by_tax_code(s, BANK))
    refs = s.scalars(
        select(PaymentReferenceRow).where(
            PaymentReferenceRow.status == "open", PaymentReferenceRow.declaration_number == number
        )
    ).all()
    for ref in refs:
        data = PaymentIn(
            bank="VCB",
            transaction_id=f"FT-DEMO-{ref.reference}",
            references=[ref.reference],
            amount=ref.amount_due - ref.amount_paid,
            payer_tax_code=ref.payer_tax_code,
            paid_at=clock.now(),
        )
        confirm(s, principal=bank, data=data)


def _status(db: Database, number: str) -> str:
    with db.unit_of_work() as uow:
        return str(uow.session.get(DeclarationRow, number).status)  # type: ignore[union-attr]


def clear_and_release(
    db: Database, settings: Settings, story: dict[str, Any], *, engine: ChannelEngine | None = None
) -> dict[str, Any]:
    """Declare, clear and release as described above (declared 6 h ago, paid 3 h ago, left 1 h ago: the
    clock is frozen at each step, then thawed); returns the story with what happened."""
    from haiquan import consumers
    from haiquan.risk.engine import build_engine

    engine = engine or build_engine(db, settings.model_copy(update={"run_dispatcher": False}))
    dispatcher = Dispatcher(db)
    consumers.register_all(dispatcher, settings)
    start = clock.now()
    try:
        done = _finish(db, dispatcher, engine, story, start)
    finally:
        clock.freeze(None)
    from haiquan.demo import origin
    from haiquan.demo.agencies import apple_story
    from haiquan.demo.taxes import debt_story
    from haiquan.demo.world import DEMO_PASSWORD

    apples = apple_story(db, dispatcher, password=DEMO_PASSWORD)
    from haiquan.demo import applications
    from haiquan.demo import regimes as regimes_demo

    filed = applications.seed(db, done["bills"][0].get("declaration"))
    from haiquan.demo import conveyances

    flight = conveyances.seed(db, password=DEMO_PASSWORD)
    done = done | {
        "apples": apples,
        "origin": origin.seed(db, engine),
        "applications": filed,
        "regimes": regimes_demo.seed(db, dispatcher),
        "debt": debt_story(db),
        "flight": flight,
    }
    from haiquan.demo import finalisation as finalisation_demo  # after demo.regimes: its EPE files too

    return done | {"finalisation": finalisation_demo.seed(db, dispatcher)}


def _finish(
    db: Database, dispatcher: Dispatcher, engine: ChannelEngine, story: dict[str, Any], start: datetime
) -> dict[str, Any]:
    clock.freeze(start - timedelta(hours=6))
    first, ready = story["bills"][0], story["bills"][1]
    with db.unit_of_work() as uow:
        rows = [_declare(uow.session, engine, b, story["office"]) for b in (first, ready)]
        numbers = [r.number for r in rows]
        channels = [str(r.channel) for r in rows]
        uow.commit()
    dispatcher.run_once()  # payment references; supervision links the declarations to the bills
    clock.freeze(start - timedelta(hours=3))
    with db.unit_of_work() as uow:
        for number in numbers:
            _pay(uow.session, number)
        uow.commit()
    dispatcher.run_once()  # the confirmations clear the declarations; supervision sees them cleared
    clock.freeze(start - timedelta(hours=1))
    with db.unit_of_work() as uow:
        terminal = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, DEMO_TERMINAL))
        exit_ = apply_batch(
            uow.session,
            principal=terminal,
            incoming=[
                Incoming(
                    {
                        "message_id": "DEMO-GO-1",
                        "kind": "gate_out",
                        "location": story["location"],
                        "at": clock.now().isoformat(),
                        "container": first["container"],
                        "seal": first["seal"],
                        "destination": "inland",
                    }
                )
            ],
        )[0]
        uow.commit()
    dispatcher.run_once()  # declarations learn the goods left: goods_exited
    first.update(declaration=numbers[0], channel=channels[0], status=_status(db, numbers[0]))
    ready.update(declaration=numbers[1], channel=channels[1], status=_status(db, numbers[1]))
    return {**story, "exit": exit_.status, "exit_reasons": [r["code"] for r in exit_.reasons]}


def apples_described(apples: dict[str, Any]) -> list[str]:
    from haiquan.demo.agencies import describe as describe_apples

    return describe_apples(apples)


def _lowvalue_lines(story: dict[str, Any]) -> list[str]:
    from haiquan.demo.lowvalue import describe as describe_lowvalue

    return describe_lowvalue(story["lowvalue"]) if "lowvalue" in story else []


def _regimes_lines(story: dict[str, Any]) -> list[str]:
    from haiquan.demo.regimes import describe as describe_regimes

    return describe_regimes(story.get("regimes", {}))


def _finalisation_lines(story: dict[str, Any]) -> list[str]:
    from haiquan.demo import finalisation as finalisation_demo

    return finalisation_demo.describe(story.get("finalisation", {}))


def describe(story: dict[str, Any]) -> list[str]:
    """What `haiquan demo seed` prints about the vessel, so a new user knows what to look at."""
    from haiquan.demo import inspection

    if not story.get("bills"):
        return []
    from haiquan.demo import origin

    first, ready, left = story["bills"][:3]
    return [
        *_lowvalue_lines(story),
        *inspection.describe(story.get("inspection", {})),
        *origin.describe(story.get("origin", {})),
        *_regimes_lines(story),
        *_finalisation_lines(story),
        f"Vessel {story['vessel']} {story['voyage']} at {story['location']} (manifest {story['manifest']}):"
        f" {story['gated_in']} containers gated in.",
        f"  {first['container']} (bill {first['goods_id']}): early gate-out {story['early_exit']}"
        f" ({', '.join(story['reasons'])}; alert at /supervision/alerts); declaration"
        f" {first.get('declaration')} ({first.get('channel')}) cleared; gate-out {story.get('exit')};"
        f" declaration now {first.get('status')}.",
        f"  {ready['container']} (bill {ready['goods_id']}): declaration {ready.get('declaration')}"
        f" {ready.get('status')}, may leave (the API guide's terminal gates it out).",
        f"  {left['container']} (bill {left['goods_id']}): no declaration; stays in the yard.",
        *apples_described(story.get("apples") or {}),
        *_applications_described(story),
        *_debt_described(story.get("debt") or {}),
        *_flight_lines(story),
        *_audit_lines(story),
    ]


def _audit_lines(story: dict[str, Any]) -> list[str]:
    from haiquan.demo.audit import describe as describe_audit

    return describe_audit(story.get("audit") or {})


def _applications_described(story: dict[str, Any]) -> list[str]:
    from haiquan.demo import applications

    return applications.describe(story.get("applications") or {})


def _debt_described(debt: dict[str, Any]) -> list[str]:
    from haiquan.demo.taxes import describe as describe_debt

    return describe_debt(debt)


def _flight_lines(story: dict[str, Any]) -> list[str]:
    from haiquan.demo.conveyances import describe as describe_flight

    return describe_flight(story.get("flight") or {})
