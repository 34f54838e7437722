"""The time split of training from the platform's own labels, pure: no label known after the cut-off
trains the challenger; the held-out period is later; random picks weigh by inverse propensity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from haiquan.risk.learned.platform import KnownLabel, comparison, propensity_weight, time_split, worst

D0 = datetime(2026, 1, 1, tzinfo=UTC)
CUT = D0 + timedelta(days=60)
END = D0 + timedelta(days=90)


def day(n: int) -> datetime:
    return D0 + timedelta(days=n)


def test_a_label_known_after_the_cutoff_never_trains() -> None:
    decided = {"A": day(1), "B": day(2), "C": day(70), "D": day(3)}
    labels = [
        KnownLabel("A", "no_fraud", 0, day(1)),  # inspected at once: known
        KnownLabel("A", "fraud", 5e6, day(95)),  # audited later: after the cut-off and the test period
        KnownLabel("B", "fraud", 1e6, day(65)),  # found after the cut-off: B does not train
        KnownLabel("C", "critical", 9e6, day(80)),
        KnownLabel("D", "fraud", 2e6, day(59)),
    ]
    split = time_split(decided, labels, cutoff=CUT, test_to=END)
    assert split.train == ["A", "D"]
    assert split.train_labels["A"].outcome == "no_fraud"  # the later audit is not seen
    assert split.test == ["C"]
    assert all(x.known_at < CUT for x in split.train_labels.values())
    assert all(decided[n] >= CUT for n in split.test)


def test_every_training_label_was_known_before_the_cutoff_whatever_the_order() -> None:
    rng = np.random.default_rng(3)
    decided = {f"N{i}": day(int(rng.integers(0, 90))) for i in range(300)}
    labels = [KnownLabel(n, str(rng.choice(["no_fraud", "fraud", "critical"])), 1.0,
                         at + timedelta(days=int(rng.integers(0, 60)))) for n, at in decided.items()]  # fmt: skip
    split = time_split(decided, labels, cutoff=CUT, test_to=END)
    known = {n: [x for x in labels if x.number == n and x.known_at < CUT] for n in split.train}
    for n in split.train:
        assert decided[n] < CUT
        assert split.train_labels[n] in known[n]
    assert not set(split.train) & set(split.test)


def test_the_worst_label_wins_and_random_picks_weigh_more() -> None:
    found = worst([KnownLabel("A", "fraud", 1, day(1)), KnownLabel("A", "no_fraud", 0, day(2))])
    assert found is not None
    assert found.outcome == "fraud"
    assert propensity_weight(True, 0.02) == 20.0
    assert propensity_weight(True, 0.2) == 5.0
    assert propensity_weight(False, 0.02) == 1.0


def test_comparison_at_the_inspected_share() -> None:
    labels = [KnownLabel(str(i), o, d, day(1)) for i, (o, d) in enumerate(
        [("critical", 10.0), ("fraud", 4.0), ("no_fraud", 0.0), ("no_fraud", 0.0)])]  # fmt: skip
    m = comparison(np.array([0.9, 0.1, 0.8, 0.0]), labels, 0.5)
    assert m["inspected"] == 2
    assert m["precision"] == 0.5
    assert m["duty_per_inspection"] == 5.0
    assert m["critical_captured"] == 1.0
    assert m["fraud_captured"] == 0.5
