"""The inspection rules without a database: every (status, command) pair of the location workflow, the
location code, the conditions, delegations in force, and what a scanner's reference and verdict are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from haiquan.inspection import domain, scanning
from haiquan.inspection.catalogue import PAYLOADS, InspectionEvent
from haiquan.inspection.domain import Command, InspectionLocationKind, InspectionLocationStatus, WorkflowError
from haiquan.inspection.scanning import Effect, ReferenceKind, ScanError, ScanVerdict
from haiquan.kit.domain_errors import ValidationFailed

S, C = InspectionLocationStatus, Command
EXPECTED: dict[tuple[InspectionLocationStatus | None, Command], InspectionLocationStatus] = {
    (None, C.APPLY): S.SUBMITTED,
    (S.RETURNED, C.RESUBMIT): S.SUBMITTED,
    (S.SUBMITTED, C.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, C.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, C.PASS_CHECK): S.CHECKED,
    (S.SUBMITTED, C.RETURN): S.RETURNED,
    (S.CHECKED, C.RETURN): S.RETURNED,
    (S.CHECKED, C.APPROVE): S.APPROVED,
    (S.SUBMITTED, C.REFUSE): S.REFUSED,
    (S.CHECKED, C.REFUSE): S.REFUSED,
}
ALL = [(s, c) for s in [None, *InspectionLocationStatus] for c in Command]


@pytest.mark.parametrize(("status", "command"), ALL, ids=lambda v: str(v))
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    status: InspectionLocationStatus | None, command: Command
) -> None:
    expected = EXPECTED.get((status, command))
    if expected is None:
        with pytest.raises(WorkflowError, match="does not allow"):
            domain.move(status, command)
    else:
        step = domain.move(status, command)
        assert step.to is expected
        assert step.event in PAYLOADS


def test_final_statuses_take_no_command() -> None:
    for status in domain.FINAL:
        assert not [c for c in Command if (status, c) in domain.WORKFLOW]


def test_each_command_has_one_actor_and_the_events_are_past_tense() -> None:
    actors = {c: {m.actor for (_, cc), m in domain.WORKFLOW.items() if cc is c} for c in Command}
    assert all(len(a) == 1 for a in actors.values())
    assert actors[C.APPROVE] == {domain.Actor.APPROVER}
    assert all(str(e).split("_")[-1].endswith(("ed", "withdrawn")) for e in InspectionEvent)


def test_location_codes() -> None:
    assert domain.location_code("01", InspectionLocationKind.CENTRALISED, 1) == "01-DDKT-0001"
    assert domain.location_code("03", InspectionLocationKind.EXPRESS_WAREHOUSE, 42) == "03-KCPN-0042"
    assert domain.CODE_PATTERN.match("03-KCPN-0042")
    with pytest.raises(ValueError, match="two digits"):
        domain.location_code("01AB", InspectionLocationKind.CENTRALISED, 1)
    with pytest.raises(ValueError, match="run out"):
        domain.location_code("01", InspectionLocationKind.CENTRALISED, 10_000)


def test_missing_conditions() -> None:
    assert domain.missing_conditions(area_m2=Decimal(100), scanners=1, cameras=1) == []
    assert domain.missing_conditions(area_m2=Decimal(0), scanners=0, cameras=0) == [
        "area_m2",
        "scanners",
        "cameras",
    ]


T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _d(**over: object) -> domain.Delegation:
    base: dict[str, object] = {"delegator": "dir", "delegate": "dep", "department": "01", "valid_from": T0,
                               "valid_until": T0 + timedelta(days=10)}  # fmt: skip
    return domain.Delegation(**(base | over))  # type: ignore[arg-type]


def _right(delegations: list[domain.Delegation], at: datetime = T0, **who: str | None) -> str | None:
    officer = {"officer_id": "dep", "role": "subdepartment_leader", "unit": "01AB"} | who
    return domain.approval_right(
        officer_id=str(officer["officer_id"]), role=officer["role"], unit=officer["unit"], department="01",
        delegations=delegations, at=at,
    )  # fmt: skip


def test_the_director_holds_the_approval_and_a_delegate_only_while_in_force() -> None:
    assert _right([], officer_id="dir", role="department_leader", unit="01") == "director"
    assert _right([], officer_id="x", role="department_leader", unit="03") is None
    assert _right([], officer_id="gd", role="department_leader", unit="00") is None
    assert _right([_d()]) == "delegate"
    assert _right([_d()], at=T0 - timedelta(seconds=1)) is None
    assert _right([_d()], at=T0 + timedelta(days=10)) is None  # the end is exclusive
    assert _right([_d(revoked=True)]) is None
    assert _right([_d(department="03")]) is None
    assert _right([_d(delegate="someone else")]) is None


def test_delegation_periods() -> None:
    domain.check_period(T0, T0 + timedelta(days=366), T0)
    for start, end, match in [
        (T0, T0, "ends after"),
        (T0, T0 + timedelta(days=367), "a year"),
        (T0 - timedelta(days=20), T0 - timedelta(days=1), "ended already"),
    ]:
        with pytest.raises(ValidationFailed, match=match):
            domain.check_period(start, end, T0)


@pytest.mark.parametrize(
    ("reference", "content_type", "kind"),
    [
        ("https://img.express.example/2026/a.png", "image/png", ReferenceKind.URL),
        ("sha256/ab/abcdef.png", "image/png", ReferenceKind.KEY),
        ("scans/2026-12-06/HAWB1.jpg", "image/jpeg", ReferenceKind.KEY),
        ("dicos:1.2.840.10008.5.1.4.1.1.501.1", "application/dicos", ReferenceKind.DICOS),
        ("scans/x.dcs", "application/dicos", ReferenceKind.KEY),
    ],
)
def test_references(reference: str, content_type: str, kind: ReferenceKind) -> None:
    assert scanning.reference_kind(reference, content_type) is kind


@pytest.mark.parametrize(
    ("reference", "content_type", "field"),
    [
        ("https://img.example/a.png", "image/gif", "image.content_type"),
        ("dicos:1.2.3", "image/png", "image.content_type"),
        ("http://img.example/a.png", "image/png", "image.reference"),
        ("../secret.png", "image/png", "image.reference"),
        ("a/../../b.png", "image/png", "image.reference"),
        ("/etc/passwd", "image/png", "image.reference"),
        ("https://", "image/png", "image.reference"),
    ],
)
def test_bad_references_name_their_field(reference: str, content_type: str, field: str) -> None:
    with pytest.raises(ScanError) as exc:
        scanning.reference_kind(reference, content_type)
    assert exc.value.field == field


def test_hash_and_content() -> None:
    assert scanning.check_hash("AB" * 32) == "ab" * 32
    for bad in ("", "ab" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(ScanError):
            scanning.check_hash(bad)
    data = b"\x89PNG\r\n\x1a\n" + b"rest"
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    scanning.check_content(data, sha256=digest, size=len(data), content_type="image/png")
    with pytest.raises(ScanError, match="not image/jpeg"):
        scanning.check_content(data, sha256=digest, size=len(data), content_type="image/jpeg")
    with pytest.raises(ScanError, match="SHA-256"):
        scanning.check_content(data, sha256="0" * 64, size=len(data), content_type="image/png")


@pytest.mark.parametrize(
    ("verdict", "status", "channel", "effect"),
    [
        (ScanVerdict.CLEAR, "registered", "yellow", Effect.RECORDED),
        (ScanVerdict.SUSPICIOUS, "registered", "yellow", Effect.TURNED_RED),
        (ScanVerdict.SUSPICIOUS, "documents_requested", "yellow", Effect.TURNED_RED),
        (ScanVerdict.SUSPICIOUS, "inspection_intended", "red", Effect.ALREADY_RED),
        (ScanVerdict.SUSPICIOUS, "cleared", "green", Effect.FLAGGED),
        (ScanVerdict.SUSPICIOUS, "duty_payment_reference_issued", "green", Effect.FLAGGED),
        (ScanVerdict.SUSPICIOUS, "accepted", None, Effect.FLAGGED),
    ],
)
def test_what_a_verdict_does_to_a_declaration(
    verdict: ScanVerdict, status: str, channel: str | None, effect: Effect
) -> None:
    assert scanning.effect_on_declaration(verdict, status=status, channel=channel) is effect
