"""The navigation marks one entry as the current page: the deepest one the page lies under."""

from __future__ import annotations

from haiquan.web.nav import NavItem, current

ITEMS = [NavItem("nav.enforcement", "/enforcement"), NavItem("nav.cases", "/enforcement/cases"),
         NavItem("nav.risk", "/risk"), NavItem("nav.analysis", "/risk/profiles")]  # fmt: skip


def test_the_deepest_entry_above_the_page_is_current() -> None:
    assert current(ITEMS, "/enforcement") == "/enforcement"
    assert current(ITEMS, "/enforcement/cases") == "/enforcement/cases"
    assert current(ITEMS, "/enforcement/cases/0123") == "/enforcement/cases"
    assert current(ITEMS, "/risk/profiles/P-1") == "/risk/profiles"
    assert current(ITEMS, "/risk") == "/risk"


def test_a_path_that_only_starts_like_an_entry_is_not_under_it() -> None:
    assert current(ITEMS, "/riskier") is None
    assert current(ITEMS, "/queue") is None
