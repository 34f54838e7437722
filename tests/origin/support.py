"""Helpers of the origin tests: a country's signing key (made once per process), a signed e-Form D."""

from __future__ import annotations

from functools import cache
from typing import Any

from haiquan.origin import building, eformd
from tests.certificates import certificate


@cache
def country_key(country: str = "TH") -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) of a country's signing key."""
    return certificate(f"{country} e-C/O authority")


def signed(data: dict[str, Any] | None = None, *, country: str = "TH", key_name: str = "TH-2026") -> bytes:
    key, cert = country_key(country)
    return eformd.sign(
        building.build(data or building.example()), key_pem=key, cert_pem=cert, key_name=key_name
    )


def verifying(country: str = "TH", key_name: str = "TH-2026") -> dict[str, list[eformd.CountryCert]]:
    return {country: [eformd.CountryCert(country, key_name, country_key(country)[1].decode(), None)]}
