"""Any report as a table, written to Excel (openpyxl) or CSV. Asked with a language (the dashboard's
links pass the page's), the Excel file's sheet names, header rows and figure names are words a person
reads, Vietnamese first; without one they stay the API's field names (as the CSV always does)."""

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


# field name → (Vietnamese, English), for headers, sheet names and figure names
WORDS: dict[str, tuple[str, str]] = {
    "figure": ("Chỉ tiêu", "Figure"), "value": ("Giá trị", "Value"),
    "applications": ("Hồ sơ trực tuyến", "Applications online"),
    "decided_online": ("Đã giải quyết trực tuyến", "Decided online"),
    "decided_on_time": ("Đúng hạn", "On time"),
    "revenue": ("Thu ngân sách", "Revenue"), "channels": ("Phân luồng", "Channels"),
    "units": ("Đơn vị", "Units"), "clearance": ("Thời gian thông quan", "Clearance time"),
    "dwell": ("Lưu khu vực giám sát", "Dwell"), "alerts": ("Cảnh báo", "Alerts"),
    "seizures": ("Bắt giữ", "Seizures"), "rows": ("Chi tiết", "Rows"), "series": ("Chuỗi", "Series"),
    "shares": ("Tỷ lệ", "Shares"), "totals": ("Tổng", "Totals"), "counts": ("Số lượng", "Counts"),
    "by_route": ("Theo tuyến", "By route"), "by_province": ("Theo tỉnh", "By province"),
    "unit": ("Đơn vị", "Unit"), "name_vi": ("Tên", "Name (vi)"), "name_en": ("Tên tiếng Anh", "Name"),
    "registered": ("Đăng ký", "Registered"), "cleared": ("Thông quan", "Cleared"),
    "green": ("Xanh", "Green"), "blue": ("Xanh dương", "Blue"), "yellow": ("Vàng", "Yellow"), "red": ("Đỏ", "Red"),
    "drill": ("Có cấp dưới", "Has sub-units"), "collected": ("Đã thu (đồng)", "Collected (VND)"),
    "estimate": ("Dự toán (đồng)", "Estimate (VND)"), "refunds_due": ("Số phải hoàn (đồng)", "Refunds due (VND)"),
    "pct_of_estimate": ("% dự toán", "% of the estimate"),
    "pct_after_refunds": ("% dự toán sau hoàn", "% after refunds"),
    "pct_of_last_year": ("% cùng kỳ năm trước", "% of last year"),
    "same_period_last_year": ("Cùng kỳ năm trước (đồng)", "Same period last year (VND)"),
    "day": ("Ngày", "Day"), "this": ("Năm nay (đồng)", "This year (VND)"),
    "last": ("Năm trước (đồng)", "Last year (VND)"), "period": ("Kỳ", "Period"), "month": ("Tháng", "Month"),
    "route": ("Tuyến", "Route"), "province": ("Tỉnh", "Province"), "cases": ("Số vụ", "Cases"),
    "open": ("Đang mở", "Open"), "open_now": ("Đang mở hiện nay", "Open now"),
    "assessed": ("Đã tính thuế", "Assessed"), "gate_in": ("Vào", "Gated in"), "gate_out": ("Ra", "Gated out"),
    "in_area": ("Đang lưu", "In the area"), "buckets_minutes": ("Đến (phút)", "Up to (minutes)"),
    "buckets_hours": ("Đến (giờ)", "Up to (hours)"), "mean_minutes": ("Trung bình (phút)", "Mean (minutes)"),
    "total_cases": ("Tổng số vụ", "Total cases"), "year": ("Năm", "Year"),
    "p50_minutes": ("Trung vị (phút)", "Median (minutes)"), "p90_minutes": ("P90 (phút)", "P90 (minutes)"),
    "p50_hours": ("Trung vị (giờ)", "Median (hours)"), "p90_hours": ("P90 (giờ)", "P90 (hours)"),
}  # fmt: skip


def word(code: Any, lang: str | None) -> Any:
    pair = WORDS.get(code) if lang and isinstance(code, str) else None
    return code if pair is None else pair[1 if lang == "en" else 0]


def _sheet(title: str, name: str, lang: str | None) -> str:
    """A sheet's name: "Đơn vị - Chi tiết" for units_rows (31 characters at most, no ':' or '/')."""
    if not lang:
        return title[:31]
    rest = title.removeprefix(name).removeprefix("_")
    words = [str(word(name, lang))] + ([str(word(rest, lang))] if rest else [])
    return " - ".join(words).replace("/", "-").replace(":", "")[:31]


def to_xlsx(name: str, data: dict[str, Any], lang: str | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in tables_of(name, data).items():
        ws = wb.create_sheet(_sheet(title, name, lang))
        for i, row in enumerate(rows):
            named = [word(x, lang) for x in row] if i == 0 or rows[0] == ["figure", "value"] else row
            ws.append([_cell(x) for x in (named if i == 0 else [named[0], *row[1:]])])
            if i == 0:
                for c in ws[1]:
                    c.font = Font(bold=True)
    if not wb.sheetnames:
        wb.create_sheet(name[:31]).append([word("no data", lang) if lang != "vi" else "Chưa có dữ liệu"])
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
