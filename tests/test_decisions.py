"""Decisions carry a status and a date, point to what amends or supersedes them, stay short (measurement
logs go to docs/decisions/appendix/), and the index (docs/decisions/README.md) lists every one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DECISIONS = Path(__file__).resolve().parents[1] / "docs" / "decisions"
FILES = sorted(DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))
STATUS = re.compile(
    r"Status: (?P<status>accepted|proposed|superseded by \[(?P<by>\d{4})\]\((?P<file>[^)]+)\))\. "
    r"Date: (?P<date>\d{4}-\d{2}-\d{2})\."
)
AMENDED = re.compile(r"^Amended by \[(\d{4})\]\(([^)]+)\): .+\.$", re.MULTILINE)
LINK = re.compile(r"\]\(((?:appendix/)?[^)\s:]+\.md)\)")
MAX_LINES = 150  # a decision and its reasons; measurement logs belong in the appendix


def _entry(path: Path) -> str:
    """The index row this decision must have."""
    lines = path.read_text(encoding="utf-8").splitlines()
    heading = re.fullmatch(r"# (\d{4}) — (.+)", lines[0])
    assert heading, f"{path.name}: the first line must be '# NNNN — Title'"
    number, title = heading.groups()
    found = STATUS.match(lines[2])
    assert found, f"{path.name}: line 3 must be 'Status: ... Date: YYYY-MM-DD.'"
    status = found["status"] if not found["by"] else f"superseded by {found['by']}"
    amended = sorted({n for n, _ in AMENDED.findall("\n".join(lines))})
    if amended:
        status += ", amended by " + ", ".join(amended)
    return f"| [{number}]({path.name}) | {title} | {status} | {found['date']} |"


def test_there_are_decisions() -> None:
    assert len(FILES) >= 16


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:4])
def test_each_decision_has_a_status_a_date_and_a_short_body(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    _entry(path)
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: move measurement logs to appendix/"
    for target in LINK.findall(text):
        assert (DECISIONS / target).is_file(), f"{path.name} links to a missing {target}"
    for number, target in AMENDED.findall(text):
        assert target.startswith(number + "-"), f"{path.name}: [{number}] points to {target}"


def test_the_index_lists_every_decision_as_it_stands() -> None:
    index = (DECISIONS / "README.md").read_text(encoding="utf-8")
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert rows == [_entry(p) for p in FILES]


def test_every_appendix_is_reached_from_its_decision() -> None:
    linked = {t for p in FILES for t in LINK.findall(p.read_text(encoding="utf-8"))}
    for appendix in sorted((DECISIONS / "appendix").glob("*.md")):
        assert f"appendix/{appendix.name}" in linked, appendix.name
