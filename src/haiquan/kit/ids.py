"""Identifiers: declaration numbers (12 digits with a Luhn check digit) and sequences."""

from __future__ import annotations


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_luhn(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_digit(number[:-1]) == number[-1]


def declaration_number(prefix: str, seq: int) -> str:
    """12 digits: a 1-digit kind prefix (1 import, 3 export, 5 low-value import, 6 low-value export),
    a 10-digit sequence and a Luhn check digit."""
    if len(prefix) != 1 or not prefix.isdigit():
        raise ValueError("prefix must be one digit")
    if seq < 0 or seq >= 10**10:
        raise ValueError("sequence out of range")
    body = f"{prefix}{seq:010d}"
    return body + luhn_digit(body)
