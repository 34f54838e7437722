"""The officers' search box: what a typed text means (a declaration number, a tax code, a container, an HS
code, a bill of lading or air waybill, a company's name) and the scoped queries that find declarations by
it. Company names match without diacritics ("minh anh" finds "Minh Ánh"), in SQLite and PostgreSQL alike:
`fold()` compiles to PostgreSQL's translate() and to a Python function SQLite's connection learns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from haiquan.declarations.repository import _scoped
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit.auth import Scope
from haiquan.organization.tables import EnterpriseRow

NUMBER = re.compile(r"^\d{12}$")
TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
CONTAINER = re.compile(r"^[A-Z]{4}\d{7}$")  # ISO 6346: owner code, category, serial, check digit
HS_CODE = re.compile(r"^\d{4}(\.?\d{2}){0,2}$")
DOCUMENT = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{4,59}$")


def _accented() -> tuple[str, str]:
    """Every Latin letter with a diacritic (Vietnamese among them) and its bare letter, đ/Đ included."""
    src, dst = ["đĐ"], ["dD"]
    for code in [*range(0xC0, 0x180), *range(0x1A0, 0x1B1), *range(0x1EA0, 0x1EFA)]:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            src.append(ch)
            dst.append(base)
    return "".join(src), "".join(dst)


ACCENTED, BARE = _accented()


def fold_text(text: str) -> str:
    """What `fold()` makes of a column, in Python: lower case, no diacritics."""
    return text.translate(str.maketrans(ACCENTED, BARE)).lower()


class fold(FunctionElement[str]):
    """lower(text without its diacritics)."""

    type = String()
    inherit_cache = True


@compiles(fold, "postgresql")
def _fold_pg(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"lower(translate({arg}, '{ACCENTED}', '{BARE}'))"


@compiles(fold)
def _fold_other(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"hq_fold({compiler.process(element.clauses, **kw)})"


def _sqlite_fold(value: str | None) -> str | None:
    return None if value is None else fold_text(value)


def _install(session: Session) -> None:
    """SQLite has no translate(): the connection learns `hq_fold` (at once, every time: connections are pooled)."""
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.driver_connection
        raw.create_function("hq_fold", 1, _sqlite_fold, deterministic=True)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Query:
    """A typed text read for what it may be; `text` upper-cased for codes, `folded` for names."""

    text: str
    folded: str
    plain: str
    number: bool
    tax_code: bool
    container: bool
    hs_code: bool
    document: bool


def read_query(raw: str) -> Query:
    text = " ".join(raw.split())[:100]
    code = text.upper().replace(" ", "")
    return Query(
        text=code,
        folded=fold_text(text),
        plain=text.lower(),
        number=bool(NUMBER.match(code)),
        tax_code=bool(TAX_CODE.match(code)),
        container=bool(CONTAINER.match(code)),
        hs_code=bool(HS_CODE.match(code)),
        document=bool(DOCUMENT.match(code)),
    )


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(q: Query) -> list[ColumnElement[bool]]:
    """Each thing the text may be, as a condition on a declaration (any of them matches)."""
    out: list[ColumnElement[bool]] = []
    if q.number:
        out.append(DeclarationRow.number == q.text)
    if q.tax_code:
        out += [
            DeclarationRow.declarant_tax_code == q.text,
            DeclarationRow.importer_tax_code == q.text,
            DeclarationRow.exporter_tax_code == q.text,
        ]
    if q.container:
        out.append(cast(DeclarationRow.containers, String).like(_like(f'"{q.text}"'), escape="\\"))
    if q.hs_code:
        hs = q.text.replace(".", "")
        lines = select(DeclarationLineRow.number).where(DeclarationLineRow.hs_code.like(hs + "%"))
        out.append(DeclarationRow.number.in_(lines))
    if q.document:
        out.append(DeclarationRow.transport_document == q.text)
    if len(q.folded) >= 3 and not (q.number or q.tax_code or q.hs_code):
        # Vietnamese companies by their registered name (few rows, folded); a foreign party by the name on
        # the declaration in lower case (folding every declaration's names took 3 times as long)
        named = select(EnterpriseRow.tax_code).where(
            fold(EnterpriseRow.name).like(_like(q.folded), escape="\\")
        )
        out += [
            DeclarationRow.declarant_tax_code.in_(named),
            DeclarationRow.importer_tax_code.in_(named),
            DeclarationRow.exporter_tax_code.in_(named),
            func.lower(DeclarationRow.importer_name).like(_like(q.plain), escape="\\"),
            func.lower(DeclarationRow.exporter_name).like(_like(q.plain), escape="\\"),
        ]
    return out


def find(
    session: Session,
    *,
    scope: Scope,
    query: Query,
    lodged_from: datetime | None = None,
    lodged_before: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeclarationRow], int]:
    """The declarations the caller reads that the text names, newest first, and how many in all."""
    conditions = _conditions(query)
    if not conditions:
        return [], 0
    _install(session)
    q = _scoped(select(DeclarationRow), scope, reading=True).where(or_(*conditions))
    if lodged_from is not None:
        q = q.where(DeclarationRow.lodged_at >= lodged_from)
    if lodged_before is not None:
        q = q.where(DeclarationRow.lodged_at < lodged_before)
    total = session.scalar(select(func.count()).select_from(q.subquery()))
    q = q.order_by(DeclarationRow.lodged_at.desc(), DeclarationRow.number.desc())
    return list(session.scalars(q.offset(offset).limit(limit)).all()), int(total or 0)
