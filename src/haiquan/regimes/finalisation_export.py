"""Excel export (openpyxl) of an enterprise's stock ledger: one sheet of balances per regime and item, one
of the legs in booking order (both within the caller's scope), headers in the page's language."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.regimes import repository

MAX_LEGS = 200_000
BALANCE_HEADERS = {
    "vi": ["Mã số thuế", "Loại hình", "Mã hàng", "Đơn vị tính", "Nhập", "Xuất", "Tồn"],
    "en": ["Tax code", "Regime", "Item", "Unit", "In", "Out", "Held"],
}
LEG_HEADERS = {
    "vi": ["Số", "Ngày", "Mã số thuế", "Chi cục", "Loại hình", "Nghiệp vụ", "Mã hàng", "Đơn vị tính",
           "Số lượng", "Trị giá (VND)", "Thuế (VND)", "Số tờ khai", "Dòng"],
    "en": ["No.", "Day", "Tax code", "Office", "Regime", "Kind", "Item", "Unit", "Quantity", "Value (VND)",
           "Duty (VND)", "Declaration", "Line"],
}  # fmt: skip


def _cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _header(ws: Worksheet, titles: list[str]) -> None:
    ws.append(titles)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)


def ledger_xlsx(session: Session, *, scope: Scope, tax_code: str, lang: str) -> bytes:
    lang = "en" if lang == "en" else "vi"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tồn kho" if lang == "vi" else "Balances"
    _header(ws, BALANCE_HEADERS[lang])
    for b in repository.balances(session, scope=scope, tax_code=tax_code):
        ws.append(
            [
                b.tax_code,
                b.regime,
                b.item.code,
                b.item.unit,
                *map(_cell, (b.quantity_in, b.quantity_out, b.held)),
            ]
        )
    legs = wb.create_sheet("Sổ chi tiết" if lang == "vi" else "Entries")
    _header(legs, LEG_HEADERS[lang])
    after = 0
    while after >= 0:
        page = repository.ledger_legs(session, scope=scope, tax_code=tax_code, after_id=after, limit=5000)
        for x in page:
            legs.append(
                [
                    x.id,
                    x.day,
                    x.tax_code,
                    x.unit,
                    x.regime,
                    x.kind,
                    x.item_code,
                    x.item_unit,
                    *map(_cell, (x.quantity, x.value_vnd, x.duty_vnd)),
                    x.declaration_number,
                    x.line_no,
                ]
            )
        after = page[-1].id if len(page) == 5000 and page[-1].id < MAX_LEGS * 10 else -1
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
