"""Demo data for payments: the 30 commercial banks connected to the 24/7 gateway and budget estimates
shaped like the articles' figures (2020: 300,000 bn nationally, Hà Nội 23,300 bn; 2021: 315,000 bn)."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.organization import service as org
from haiquan.organization.service import load_tree
from haiquan.organization.tables import EnterpriseRow
from haiquan.payments import budget
from haiquan.payments.tables import BankRow
from haiquan.reference.validators import tax_code

# Tax codes as found in public registers to the best of our knowledge; each passes the MST check digit
# (haiquan.reference.validators.tax_code). Check them against the register before any real use.
BANKS = [
    ("VCB", "Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)", "0100112437"),
    ("CTG", "Ngân hàng TMCP Công thương Việt Nam (VietinBank)", "0100111948"),
    ("BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam (BIDV)", "0100150619"),
    ("AGRI", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam (Agribank)", "0100686174"),
    ("TCB", "Ngân hàng TMCP Kỹ thương Việt Nam (Techcombank)", "0100230800"),
    ("MBB", "Ngân hàng TMCP Quân đội (MB)", "0100283873"),
    ("ACB", "Ngân hàng TMCP Á Châu (ACB)", "0301452948"),
    ("STB", "Ngân hàng TMCP Sài Gòn Thương Tín (Sacombank)", "0301103908"),
    ("VPB", "Ngân hàng TMCP Việt Nam Thịnh Vượng (VPBank)", "0100233583"),
    ("SHB", "Ngân hàng TMCP Sài Gòn - Hà Nội (SHB)", "1800278630"),
    ("HDB", "Ngân hàng TMCP Phát triển TP Hồ Chí Minh (HDBank)", "0300608092"),
    ("TPB", "Ngân hàng TMCP Tiên Phong (TPBank)", "0102744865"),
    ("VIB", "Ngân hàng TMCP Quốc tế Việt Nam (VIB)", "0100233488"),
    ("MSB", "Ngân hàng TMCP Hàng Hải Việt Nam (MSB)", "0200124891"),
    ("SSB", "Ngân hàng TMCP Đông Nam Á (SeABank)", "0200253985"),
    ("OCB", "Ngân hàng TMCP Phương Đông (OCB)", "0300852005"),
    ("EIB", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam (Eximbank)", "0301179079"),
    ("LPB", "Ngân hàng TMCP Lộc Phát Việt Nam (LPBank)", "6300048638"),
    ("NAB", "Ngân hàng TMCP Nam Á (Nam A Bank)", "0300872315"),
    ("ABB", "Ngân hàng TMCP An Bình (ABBank)", "0301412222"),
    ("BAB", "Ngân hàng TMCP Bắc Á (Bac A Bank)", "2900325526"),
    ("VAB", "Ngân hàng TMCP Việt Á (VietABank)", "0302963695"),
    ("PVCB", "Ngân hàng TMCP Đại Chúng Việt Nam (PVcomBank)", "0101057919"),
    ("KLB", "Ngân hàng TMCP Kiên Long (Kienlongbank)", "1700197787"),
    ("BVB", "Ngân hàng TMCP Bản Việt (BVBank)", "0301378892"),
    ("SGB", "Ngân hàng TMCP Sài Gòn Công Thương (Saigonbank)", "0300610408"),
    ("BVBANK", "Ngân hàng TMCP Bảo Việt (BAOVIET Bank)", "0102998676"),
    ("NCB", "Ngân hàng TMCP Quốc Dân (NCB)", "1700169765"),
    ("PGB", "Ngân hàng TMCP Thịnh vượng và Phát triển (PGBank)", "0400101531"),
    ("SCB", "Ngân hàng TMCP Sài Gòn (SCB)", "0311449990"),
]

BN = Decimal(10**9)
# Department shares of the national estimate, large ports first (the rest share what remains).
NAMED = {
    "02": Decimal("0.37"),
    "03": Decimal("0.19"),
    "01": None,
    "51": Decimal("0.06"),
    "20": Decimal("0.035"),
}
NATIONAL = {2020: Decimal(300_000) * BN, 2021: Decimal(315_000) * BN}
HANOI = {2020: Decimal(23_300) * BN, 2021: Decimal(24_500) * BN}


def seed_banks(session: Session, *, actor: str = "demo") -> dict[str, str]:
    """The 30 banks and an enterprise (role bank) per bank; returns the API keys created now."""
    keys: dict[str, str] = {}
    for code, name, tax in BANKS:
        tax_code(tax)
        if session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax)) is None:
            _, key = org.add_enterprise(session, tax_code=tax, name=name, roles=["bank"], actor=actor)
            keys[code] = key
        if session.get(BankRow, code) is None:
            session.add(
                BankRow(
                    code=code,
                    name=name,
                    tax_code=tax,
                    certificate_pem=None,
                    active=True,
                    created_at=clock.now(),
                )
            )
    return keys


def seed_targets(session: Session, *, rng: random.Random, years: dict[int, Decimal] | None = None) -> int:
    tree = load_tree(session)
    departments = sorted(
        c for c, u in tree.units.items() if u.level == "department" and not c.startswith("A")
    )
    if not departments:
        return 0
    written = 0
    this_year = clock.today_vn().year
    plan = (
        years
        or {y: NATIONAL[2021] * Decimal("1.08") ** (y - 2021) for y in (this_year - 1, this_year)} | NATIONAL
    )
    for year, national in plan.items():
        hanoi = HANOI.get(year, national * Decimal("0.0777"))
        fixed = {d: national * s for d, s in NAMED.items() if s is not None and d in tree.units} | {
            "01": hanoi
        }
        rest = [d for d in departments if d not in fixed]
        weights = [Decimal(str(rng.paretovariate(1.3))) for _ in rest]
        left = national - sum(fixed.values(), Decimal(0))
        for d, w in zip(rest, weights, strict=True):
            fixed[d] = left * w / sum(weights, Decimal(0))
        for d, amount in fixed.items():
            budget.set_target(session, tree=tree, unit=d, year=year, amount=amount.quantize(BN), actor="demo")
            written += 1
    return written


def seed(session: Session, *, rng: random.Random) -> dict[str, object]:
    keys = seed_banks(session)
    targets = seed_targets(session, rng=rng)
    return {"banks": len(BANKS), "targets": targets, "bank_api_keys": keys}
