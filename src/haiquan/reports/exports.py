"""Any report as a table, written to Excel (openpyxl) or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def tables_of(name: str, data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Flatten a figure into one or more named tables (header row first)."""
    out: dict[str, list[list[Any]]] = {}
    scalars = [[k, v] for k, v in data.items() if not isinstance(v, list | dict)]
    if scalars:
        out[name] = [["figure", "value"], *scalars]
    for key, value in data.items():
        if isinstance(value, dict) and value and all(isinstance(x, list) for x in value.values()):
            cols = list(value)
            out[f"{name}_{key}"] = [cols, *[list(r) for r in zip(*value.values(), strict=False)]]
        elif isinstance(value, dict) and value:
            out[f"{name}_{key}"] = [["figure", "value"], *[[k, v] for k, v in value.items()]]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            cols = list(value[0])
            out[f"{name}_{key}"] = [cols, *[[r.get(c) for c in cols] for r in value]]
    series = {k: v for k, v in data.items() if isinstance(v, list) and v and not isinstance(v[0], dict)}
    if series:
        cols = list(series)
        out[f"{name}_series"] = [cols, *[list(r) for r in zip(*series.values(), strict=False)]]
    return out


def to_xlsx(name: str, data: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in tables_of(name, data).items():
        ws = wb.create_sheet(title[:31])
        for i, row in enumerate(rows):
            ws.append([_cell(x) for x in row])
            if i == 0:
                for c in ws[1]:
                    c.font = Font(bold=True)
    if not wb.sheetnames:
        wb.create_sheet(name[:31]).append(["no data"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(name: str, data: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    for title, rows in tables_of(name, data).items():
        w.writerow([f"# {title}"])
        w.writerows([[_cell(x) for x in r] for r in rows])
    return buf.getvalue()


def _cell(x: Any) -> Any:
    if isinstance(x, dict | list):
        return str(x)
    return x
