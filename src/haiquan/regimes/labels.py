"""The labels the regimes' pages and the dashboard show, Vietnamese first: regimes, entry kinds, deadline
states, discrepancy kinds. Registered once, on import."""

from __future__ import annotations

from haiquan.regimes.domain import DeadlineState
from haiquan.regimes.rules import REGIME_NAMES
from haiquan.web.i18n import add_labels

add_labels("regime", {r.value: pair for r, pair in REGIME_NAMES.items()})
add_labels(
    "regime_entry",
    {
        "in": ("Nhập", "In"), "out": ("Xuất", "Out"), "produced": ("Sản xuất", "Produced"),
        "reexport": ("Tái xuất", "Re-exported"), "domestic_sale": ("Bán nội địa", "Sold inland"),
        "transfer": ("Chuyển loại hình", "Transferred"), "scrap": ("Phế liệu", "Scrap"),
        "consumed": ("Tiêu hao", "Consumed"), "correction": ("Điều chỉnh", "Correction"),
    },
)  # fmt: skip
add_labels("regime_deadline_state", {s.value: p for s, p in zip(DeadlineState, (
    ("Còn hạn", "Open"), ("Sắp đến hạn", "Due soon"), ("Quá hạn", "Overdue"), ("Đã hoàn thành", "Discharged"),
), strict=True)})  # fmt: skip
add_labels("regime_discrepancy", {
    "outflow_exceeds_stock": ("Xuất vượt tồn", "Outflow over the stock"),
    "gate_exit_without_declaration": ("Ra cổng không có tờ khai", "Out of the gate without a declaration"),
})  # fmt: skip
