"""A finalisation report read from a CSV or Excel upload, row by row: each row names its kind (`norm`: a
material per unit of a product, with its waste %; `stock`: a material held at the period's end), and each
bad cell is refused naming its row (the file's, the header being row 1) and its column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from haiquan.kit.errors import ValidationFailed

COLUMNS = ("kind", "product_code", "product_unit", "material_code", "material_unit", "norm", "waste_pct",
           "closing_stock")  # fmt: skip
NEEDED = {
    "norm": ("product_code", "product_unit", "material_code", "material_unit", "norm"),
    "stock": ("material_code", "material_unit", "closing_stock"),
}
MAX_ROWS = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RowErrors:
    """The errors of a file, each naming `rows[N].column`; raised together as one 422."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append(
            {"field": f"rows[{row}].{column}", "message": f"row {row}, column {column}: {message}"}
        )

    def raise_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ValidationFailed(first["message"], field=first["field"], errors=self.items[:100])


def rows_of(data: bytes, content_type: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cells by column) of a CSV (UTF-8, with or without BOM) or an .xlsx's first sheet."""
    if content_type.startswith(XLSX) or data[:2] == b"PK":
        yield from _xlsx_rows(data)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the file is neither UTF-8 CSV nor Excel (.xlsx)", field="body") from exc
    reader = csv.reader(io.StringIO(text))
    yield from _named(reader)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed("the file is not a readable Excel workbook (.xlsx)", field="body") from exc
    cells = (["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True))
    yield from _named(cells)


def _named(rows: Iterator[list[str]] | Any) -> Iterator[tuple[int, dict[str, str]]]:
    header: list[str] | None = None
    for n, raw in enumerate(rows, start=1):
        if header is None:
            header = [h.strip().lower() for h in raw]
            missing = [c for c in ("kind", "material_code") if c not in header]
            if missing:
                raise ValidationFailed(f"row 1: the header lacks {', '.join(missing)}", field="rows[1]")
            continue
        if n > MAX_ROWS + 1:
            raise ValidationFailed(f"more than {MAX_ROWS} rows", field=f"rows[{n}]")
        if not any(str(c).strip() for c in raw):
            continue
        if any("\x00" in str(c) for c in raw):
            raise ValidationFailed(f"row {n} contains a NUL character", field=f"rows[{n}]")
        yield n, {h: str(v).strip() for h, v in zip(header, raw, strict=False) if h in COLUMNS}


def _number(
    cells: dict[str, str], column: str, n: int, errors: RowErrors, *, default: str = ""
) -> Decimal | None:
    raw = cells.get(column, "") or default
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        errors.add(n, column, f"{raw!r} is not a number")
        return None
    if not value.is_finite():
        errors.add(n, column, f"{raw!r} is not a number")
        return None
    if value < 0:
        errors.add(n, column, f"must not be negative ({raw})")
        return None
    return value


def report_rows(
    data: bytes, content_type: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int], list[int]]:
    """The norms and the stock lines of a file, as the JSON report spells them, with each one's row number
    (to name the row when an item is unknown); every bad cell a 422 naming its row and column."""
    errors = RowErrors()
    norms: list[dict[str, Any]] = []
    stock: list[dict[str, Any]] = []
    norm_rows: list[int] = []
    stock_rows: list[int] = []
    for n, cells in rows_of(data, content_type):
        kind = cells.get("kind", "").lower()
        if kind not in NEEDED:
            errors.add(n, "kind", f"{cells.get('kind', '')!r} is neither norm nor stock")
            continue
        empty = [c for c in NEEDED[kind] if not cells.get(c)]
        for c in empty:
            errors.add(n, c, "is empty")
        if empty:
            continue
        if kind == "norm":
            norm, waste = (
                _number(cells, "norm", n, errors),
                _number(cells, "waste_pct", n, errors, default="0"),
            )
            if norm is not None and waste is not None:
                norms.append({k: cells[k] for k in NEEDED["norm"][:4]} | {"norm": norm, "waste_pct": waste})
                norm_rows.append(n)
        else:
            held = _number(cells, "closing_stock", n, errors)
            if held is not None:
                stock.append(
                    {
                        "material_code": cells["material_code"],
                        "material_unit": cells["material_unit"],
                        "closing_stock": held,
                    }
                )
                stock_rows.append(n)
    errors.raise_any()
    return norms, stock, norm_rows, stock_rows


def row_errors(exc: Any, rows: dict[str, list[int]]) -> ValidationFailed:
    """A schema's refusal of lines read from a file, each named by its row and column (`norms[i].waste_pct`
    of the report is `rows[N].waste_pct` of the file)."""
    errors = RowErrors()
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        if len(loc) >= 3 and loc[0] in rows and isinstance(loc[1], int):
            errors.add(rows[str(loc[0])][loc[1]], str(loc[2]), str(err.get("msg", "")))
        else:
            field = ".".join(str(p) for p in loc) or "body"
            errors.items.append({"field": field, "message": f"{field}: {err.get('msg', '')}"})
    first = errors.items[0]
    return ValidationFailed(first["message"], field=first["field"], errors=errors.items[:100])
