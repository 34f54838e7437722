"""Customs value and duties, pure. Vietnamese practice: import duty on the customs value (CIF); excise
(TTĐB) on customs value + import duty; VAT on customs value + import duty + excise; export duty on the
FOB value. Amounts in VND, exact decimals, each tax rounded to whole dong per line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from haiquan.kit.money import ZERO, percent_of, vnd

# Incoterms whose price already includes carriage and insurance to the destination (C and D groups).
INCLUDES_FREIGHT = frozenset({"CIF", "CIP", "CPT", "CFR", "DAP", "DPU", "DDP"})
INCLUDES_INSURANCE = frozenset({"CIF", "CIP", "DAP", "DPU", "DDP"})
INCOTERMS = frozenset({"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"})


@dataclass(frozen=True)
class Rates:
    mfn: Decimal
    vat: Decimal
    excise: Decimal = ZERO
    export: Decimal = ZERO
    preferential: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class LineDuties:
    customs_value: Decimal
    import_rate: Decimal
    import_duty: Decimal
    excise_rate: Decimal
    excise: Decimal
    vat_rate: Decimal
    vat: Decimal
    export_rate: Decimal
    export_duty: Decimal
    scheme: str | None

    @property
    def total(self) -> Decimal:
        return self.import_duty + self.excise + self.vat + self.export_duty


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split an amount over lines in proportion to their weights; the shares add up exactly."""
    s = sum(weights, ZERO)
    if s == 0 or total == 0:
        return [ZERO for _ in weights]
    shares = [total * w / s for w in weights]
    shares[-1] = total - sum(shares[:-1], ZERO)
    return shares


def line_customs_values(
    *,
    line_values: list[Decimal],
    incoterm: str,
    freight: Decimal,
    insurance: Decimal,
    exchange_rate: Decimal,
) -> list[Decimal]:
    """CIF value in VND of each line: invoice value plus the allocated freight and insurance the price lacks."""
    add_freight = incoterm not in INCLUDES_FREIGHT
    add_insurance = incoterm not in INCLUDES_INSURANCE
    f = allocate(freight if add_freight else ZERO, line_values)
    i = allocate(insurance if add_insurance else ZERO, line_values)
    return [vnd((v + fi + ii) * exchange_rate) for v, fi, ii in zip(line_values, f, i, strict=True)]


@dataclass(frozen=True)
class Claim:
    """A line's claim to an agreement's rate: the scheme, the goods' origin, the certificate (if given)."""

    scheme: str
    origin: str
    certificate: str | None


# Why a claim cannot apply, checked in this order (the first that fails is the reason).
ORIGIN_NOT_MEMBER = "origin_not_member"
NO_PREFERENTIAL_RATE = "no_preferential_rate"
CERTIFICATE_MISSING = "certificate_missing"


def preference_refusal(claim: Claim, rates: Rates, members: frozenset[str]) -> str | None:
    """None when the claim applies: the origin is a member of the agreement (`members`, on the day), the
    tariff line has a rate under the scheme, and a certificate is given; otherwise the reason."""
    if claim.origin not in members:
        return ORIGIN_NOT_MEMBER
    if claim.scheme not in rates.preferential:
        return NO_PREFERENTIAL_RATE
    if not claim.certificate:
        return CERTIFICATE_MISSING
    return None


def import_duties(customs_value: Decimal, rates: Rates, scheme: str | None) -> LineDuties:
    """`scheme`: an agreement whose claim applies (see preference_refusal), or None for the MFN rate."""
    rate = rates.mfn
    applied: str | None = None
    if scheme is not None and scheme in rates.preferential:
        rate = min(rate, rates.preferential[scheme])
        applied = scheme
    duty = vnd(percent_of(customs_value, rate))
    excise = vnd(percent_of(customs_value + duty, rates.excise))
    vat = vnd(percent_of(customs_value + duty + excise, rates.vat))
    return LineDuties(customs_value, rate, duty, rates.excise, excise, rates.vat, vat, ZERO, ZERO, applied)


def export_duties(fob_value: Decimal, rates: Rates) -> LineDuties:
    duty = vnd(percent_of(fob_value, rates.export))
    return LineDuties(fob_value, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, rates.export, duty, None)
