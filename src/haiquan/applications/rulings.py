"""Advance rulings bind later declarations. A classification ruling names its holder (a tax code), the
goods (the trader's own product reference, `goods_code`) and the HS code customs decided, valid from–to.
A declaration line names the goods code it declares (`lines[i].goods_code`); when the declarant or the
importer/exporter holds a ruling in force for that code, the line must declare the ruling's HS code, or
the declaration is refused at lodging (and at amendment) with the field named."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from haiquan.applications import repository
from haiquan.applications.tables import RulingRow
from haiquan.kit.domain_errors import ValidationFailed


class Line(Protocol):
    hs_code: str
    goods_code: str | None


def conflict(lines: Sequence[Line], rulings: Iterable[RulingRow]) -> tuple[int, RulingRow] | None:
    """The first line (its index) whose goods a ruling covers with another HS code, and that ruling."""
    by_goods: dict[str, RulingRow] = {}
    for r in rulings:
        by_goods.setdefault(r.goods_code, r)  # the most recent first (repository order)
    for n, line in enumerate(lines):
        ruling = by_goods.get(line.goods_code or "")
        if ruling is not None and line.hs_code != ruling.hs_code:
            return n, ruling
    return None


def check_lines(session: Session, *, holders: Iterable[str | None], lines: Sequence[Line], on: date) -> None:
    """422 naming `lines[i].hs_code` when a line contradicts a classification ruling its trader holds."""
    goods = {line.goods_code for line in lines if line.goods_code}
    if not goods:
        return
    found = repository.unscoped_rulings_for(
        session, holders=[h for h in holders if h], goods_codes=goods, on=on
    )
    hit = conflict(lines, found)
    if hit is None:
        return
    n, ruling = hit
    raise ValidationFailed(
        f"advance ruling {ruling.id} ({ruling.valid_from}–{ruling.valid_to}) classifies goods code "
        f"{ruling.goods_code} under {ruling.hs_code}, not {lines[n].hs_code}",
        field=f"lines[{n}].hs_code",
        code="advance_ruling_binds",
    )
