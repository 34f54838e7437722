"""A deprecation warning attributed to our own code fails the test that triggered it (pyproject's
filterwarnings); one raised inside a third-party library stays quiet."""

from __future__ import annotations

import warnings

import pytest


@pytest.mark.parametrize("module", ["haiquan.kit.db", "tests.support", "benchmarks._support"])
def test_a_deprecation_in_our_code_is_an_error(module: str) -> None:
    with pytest.raises(DeprecationWarning, match="old call"):
        warnings.warn_explicit("old call", DeprecationWarning, "x.py", 1, module=module)


def test_a_deprecation_inside_a_library_is_ignored() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.filterwarnings("default", category=UserWarning)  # leaves the DeprecationWarning rules be
        warnings.warn_explicit("old call", DeprecationWarning, "x.py", 1, module="sqlalchemy.engine")
    assert seen == []
