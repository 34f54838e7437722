"""Excel export (openpyxl) of the summary and the displacement of a unit and period."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _header(ws: Worksheet, titles: list[str]) -> None:
    ws.append(titles)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)


def _totals_sheet(ws: Worksheet, rows: list[dict[str, Any]], lang: str) -> None:
    vi = lang == "vi"
    _header(
        ws,
        ["Mã", "Tên", "Gam", "Viên", "Chiếc/bánh", "Lít", "Trị giá (VND)", "Số mục"]
        if vi
        else ["Code", "Name", "Grams", "Tablets", "Pieces", "Litres", "Value (VND)", "Items"],
    )
    for r in rows:
        keys = ["grams", "tablets", "pieces", "litres", "value_vnd", "items"]
        ws.append([r["category"], r["name_vi" if vi else "name_en"], *(_cell(r[k]) for k in keys)])


def _matrix_sheet(ws: Worksheet, rows: list[dict[str, Any]], periods: list[str], lang: str) -> None:
    _header(ws, ["Mã" if lang == "vi" else "Code", "Tên" if lang == "vi" else "Name", *periods, "Σ"])
    for r in rows:
        name = r["name_vi" if lang == "vi" else "name_en"]
        ws.append([r["key"], name, *(_cell(v) for v in r["values"]), _cell(r["total"])])


def workbook(summary: dict[str, Any], disp: dict[str, Any], lang: str = "vi") -> bytes:
    vi = lang == "vi"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp" if vi else "Summary"
    ws.append([summary["unit_name"], f"{summary['from']} → {summary['to']}"])
    ws.append([summary["text_vi"] if vi else summary["text_en"]])
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 40
    ws.append([])
    _header(ws, ["Chỉ tiêu" if vi else "Figure", "Số" if vi else "Count"])
    for k, v in summary["counts"].items():
        ws.append([k, v])
    _totals_sheet(wb.create_sheet("Ma túy" if vi else "Drugs"), summary["substances"], lang)
    _totals_sheet(wb.create_sheet("Hàng hóa" if vi else "Goods"), summary["goods"], lang)
    names = {"province": ("Tỉnh", "Provinces"), "route": ("Tuyến", "Routes"), "region": ("Vùng", "Regions")}
    for dim, (t_vi, t_en) in names.items():
        title = f"{t_vi} × kỳ" if vi else f"{t_en} x period"
        _matrix_sheet(wb.create_sheet(title), disp[dim], disp["periods"], lang)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
