"""Bounds that every outside input respects, from the columns that store it: an integer never overflows
its column (PostgreSQL `integer` is 32-bit), a text never outgrows its `varchar`. Checked by
tests/api/test_input_bounds.py over the OpenAPI description of every request body and query parameter."""

from __future__ import annotations

INT32_MAX = 2**31 - 1  # PostgreSQL `integer`
PAGE_MAX = 1000  # the most rows one list request answers
