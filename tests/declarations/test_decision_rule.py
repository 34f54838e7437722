"""The lanes cannot be skipped: every channel × decision × what is on record, as a pure rule."""

from __future__ import annotations

import itertools

import pytest

from haiquan.declarations.domain import (
    LIFECYCLE,
    PASSES_CHECKS,
    Channel,
    Command,
    DecisionKind,
    LifecycleError,
    Recorded,
    Status,
    decide,
)

K, C, S = DecisionKind, Channel, Status
ANY = None
# What a decision does: the status after it, and whether the checks have passed
Outcome = tuple[Status, bool]
# (channel, kind, documents accepted, inspection result, fraud found) -> outcome or error code; ANY matches both
TABLE: list[tuple[Channel, DecisionKind | None, bool | None, bool | None, bool | None, Outcome | str]] = [
    (C.GREEN, ANY, ANY, ANY, ANY, "invalid_transition"),
    (C.BLUE, ANY, ANY, ANY, ANY, "invalid_transition"),  # released like green; audited after clearance
    (C.YELLOW, K.REJECT, ANY, ANY, ANY, (S.REJECTED, False)),
    (C.YELLOW, K.REQUEST_DOCUMENTS, ANY, ANY, ANY, (S.DOCUMENTS_REQUESTED, False)),
    (C.YELLOW, K.HOLD, ANY, ANY, ANY, (S.HELD_BY_OTHER_AGENCY, False)),
    (C.YELLOW, K.DOCUMENTS_ACCEPTED, ANY, ANY, ANY, (S.REGISTERED, True)),
    (C.YELLOW, K.INSPECTION_RESULT, ANY, ANY, ANY, "invalid_transition"),
    (C.YELLOW, K.CLEAR, False, ANY, ANY, "documents_decision_missing"),
    (C.YELLOW, K.CLEAR, True, ANY, ANY, (S.REGISTERED, True)),
    (C.RED, K.REJECT, ANY, ANY, ANY, (S.REJECTED, False)),
    (C.RED, K.REQUEST_DOCUMENTS, ANY, ANY, ANY, (S.DOCUMENTS_REQUESTED, False)),
    (C.RED, K.HOLD, ANY, ANY, ANY, (S.HELD_BY_OTHER_AGENCY, False)),
    (C.RED, K.DOCUMENTS_ACCEPTED, ANY, ANY, ANY, (S.INSPECTION_INTENDED, False)),
    (C.RED, K.INSPECTION_RESULT, ANY, ANY, False, (S.REGISTERED, True)),
    (C.RED, K.INSPECTION_RESULT, ANY, ANY, True, (S.INSPECTION_INTENDED, False)),
    (C.RED, K.CLEAR, ANY, False, ANY, "inspection_result_missing"),
    (C.RED, K.CLEAR, ANY, True, ANY, (S.REGISTERED, True)),
]


def expected(channel: Channel, kind: DecisionKind, docs: bool, insp: bool, fraud: bool) -> Outcome | str:
    found = [
        out
        for c, k, d, i, f, out in TABLE
        if c is channel and k in (ANY, kind) and d in (ANY, docs) and i in (ANY, insp) and f in (ANY, fraud)
    ]
    assert len(found) == 1, (channel, kind, docs, insp, fraud, found)  # the table names every case once
    return found[0]


def outcome(
    status: Status, channel: Channel, kind: DecisionKind, docs: bool, insp: bool, fraud: bool
) -> object:
    """What the decision does, read from the command `decide` picks and the lifecycle's move for it."""
    try:
        command = decide(
            status, channel, kind, fraud, Recorded(documents_accepted=docs, inspection_result=insp)
        )
    except LifecycleError as exc:
        return exc.code
    assert isinstance(command, Command)
    return LIFECYCLE[(status, command)].to, command in PASSES_CHECKS


CASES = list(itertools.product(Channel, DecisionKind, (False, True), (False, True), (False, True)))


@pytest.mark.parametrize(("channel", "kind", "docs", "insp", "fraud"), CASES)
def test_every_channel_decision_and_record_under_check(
    channel: Channel, kind: DecisionKind, docs: bool, insp: bool, fraud: bool
) -> None:
    status = S.INSPECTION_INTENDED if channel is C.RED else S.REGISTERED
    assert outcome(status, channel, kind, docs, insp, fraud) == expected(channel, kind, docs, insp, fraud)


@pytest.mark.parametrize(("channel", "kind", "docs", "insp", "fraud"), CASES)
def test_a_held_declaration_comes_back_only_through_the_same_rule(
    channel: Channel, kind: DecisionKind, docs: bool, insp: bool, fraud: bool
) -> None:
    got = outcome(S.HELD_BY_OTHER_AGENCY, channel, kind, docs, insp, fraud)
    if kind in (K.REJECT, K.REQUEST_DOCUMENTS, K.HOLD):
        assert got == "invalid_transition"
    else:
        assert got == expected(channel, kind, docs, insp, fraud)


@pytest.mark.parametrize("status", [s for s in Status if s not in (S.REGISTERED, S.DOCUMENTS_REQUESTED,
                                                                  S.INSPECTION_INTENDED, S.HELD_BY_OTHER_AGENCY)])  # fmt: skip
def test_no_decision_outside_the_check(status: Status) -> None:
    for kind in DecisionKind:
        assert outcome(status, C.RED, kind, True, True, False) == "invalid_transition"


def test_clear_straight_after_a_red_registration_names_what_is_missing() -> None:
    with pytest.raises(LifecycleError, match="inspection result"):
        decide(S.INSPECTION_INTENDED, C.RED, K.CLEAR, False, Recorded(documents_accepted=True))
    with pytest.raises(LifecycleError, match="documents decision"):
        decide(S.REGISTERED, C.YELLOW, K.CLEAR)
